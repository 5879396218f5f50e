import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  type QueryCommandOutput,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { hashOf } from '../domain/canonical.js';
import type { ChainStore, Sealed } from '../domain/chain-ledger.js';
import type { ClaimRecord, ClaimStore, ReplacementLink } from '../domain/claim-records.js';
import {
  aggregateLot,
  type EventRecord,
  keysOf,
  type LedgerEntry,
  type LotKey,
  type LotMeta,
  type LotState,
  lotId,
  metaOf,
  type PendingEntry,
  type Plan,
  type SerialRef,
  type SerialState,
  type Snapshot,
  type StockHead,
  type UnchainedEntry,
  withClaims,
} from '../domain/ledger.js';
import type { BulkLedgerStore, CommitOutcome, MasterCache, Overlay } from '../domain/ledger-ports.js';
import type { LotPartitionPage } from '../domain/lot-partition.js';
import type { LotChange } from '../domain/lots.js';
import type { Product, Site } from '../domain/master-data.js';
import type { Movement } from '../domain/movement.js';
import { batchGetAll } from './batch-get.js';
import { written } from './conditional.js';
import { fromItem } from './items.js';
import { keys } from './keys.js';
import { queryAll } from './query-all.js';

type Item = Record<string, unknown>;

const NO_EXPIRY = '9999-12-31';
/** The sk prefixes of a lot's partition, in sort order: stock heads, the meta (`LOT`), pending entries, chained entries. */
const STOCK_SK_PREFIX = 'BAL#';
const META_SK = 'LOT';
const PENDING_SK_PREFIX = 'PEND#';
const ENTRY_SK_PREFIX = 'SEQ#';
/** The sparse GSI2 families written on every movement are spread over this many partition keys (1,000 WCU each). */
export const GSI2_SHARDS = 16;

/** FNV-1a (32 bit) of a text, for shard numbers that never change with the runtime. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}
const shardOf = (...parts: string[]) => fnv1a(JSON.stringify(parts)) % GSI2_SHARDS;

/** A lot's meta as an item: listed by GTIN in expiry order (FEFO). */
export function metaItem(l: LotMeta): Item {
  return { ...keys.lot(l), entity: 'lot', ...metaOf(l), gsi1pk: `GTIN#${l.gtin}`, gsi1sk: `${l.expiry ?? NO_EXPIRY}#${l.lot}` };
}

/** A lot's head item (its meta) from a lot state: what a forger rewrites together with a chain. */
export const lotItem = (l: LotState): Item => metaItem(l);

/** The GSI1 partition of a site's stock heads that hold stock in bins, one of GSI2_SHARDS by lot (putaway reads all). */
export const binsIndexKey = (siteId: string, shard: number) => `BINS#${siteId}#${shard}`;

/**
 * A stock head as an item, in the sparse expiry index (sharded) while it has stock and the lot an expiry, and in the
 * sparse bins index of its site (GSI1, sharded by lot) while it holds stock in any bin.
 */
export function stockHeadItem(h: StockHead): Item {
  return {
    ...keys.stock(h, h.siteId),
    entity: 'stock',
    ...h,
    ...(h.expiry && h.q > 0 ? { gsi2pk: `EXPIRY#${shardOf(h.gtin, h.lot, h.siteId)}`, gsi2sk: `${h.expiry}#${h.gtin}#${h.lot}#${h.siteId}` } : {}),
    ...(h.bins?.some((b) => b.q > 0) ? { gsi1pk: binsIndexKey(h.siteId, shardOf(h.gtin, h.lot)), gsi1sk: `${h.gtin}#${h.lot}` } : {}),
  };
}

/** Every item of a lot state (meta and one stock head per balance), for tests and benches that seed a table directly. */
export function lotItems(l: LotState): Item[] {
  const heads = Object.entries(l.balances).map(
    ([siteId, b], i): StockHead => ({
      gtin: l.gtin,
      lot: l.lot,
      siteId,
      q: b.q,
      r: b.r,
      sold: i === 0 ? (l.sold ?? 0) : 0,
      defectReturns: i === 0 ? (l.defectReturns ?? 0) : 0,
      serialsTotal: i === 0 ? l.serialsTotal : 0,
      serialsInStock: i === 0 ? l.serialsInStock : 0,
      version: 1,
      lastAt: l.createdAt,
      status: l.status,
      statusVersion: l.statusVersion ?? 0,
      ...(l.expiry ? { expiry: l.expiry } : {}),
    }),
  );
  return [metaItem(l), ...heads.map(stockHeadItem)];
}

/** A pending entry as an item, in the sparse `UNCHAINED#{shard}` index the sweeper reads. */
export function pendingItem(p: PendingEntry): Item {
  return {
    ...keys.pending(p),
    entity: 'pending',
    ...p,
    gsi2pk: `UNCHAINED#${shardOf(p.gtin, p.lot)}`,
    gsi2sk: `${p.acceptedAt}#${p.gtin}#${p.lot}`,
  };
}

/** A ledger entry as an item, also listed by the UTC day it happened (for exports by date range). */
export function entryItem(e: LedgerEntry): Item {
  const utc = new Date(e.occurredAt).toISOString();
  return {
    ...keys.entry(e, e.seq),
    entity: 'entry',
    ...e,
    gsi3pk: `DAY#${utc.slice(0, 10)}`,
    gsi3sk: `${utc}#${e.gtin}#${e.lot}#${String(e.seq).padStart(12, '0')}`,
  };
}

/** Warranty claims and replacement links: their own item kinds in the lot partitions (lib/domain/claim-records.ts). */
const CLAIM_ENTITY = 'claim';
const LINK_ENTITY = 'claim-link';
const claimItem = (c: ClaimRecord): Item => ({ ...keys.claim(c, c.serial, c.claimId), entity: CLAIM_ENTITY, ...c });
const linkItem = (l: ReplacementLink): Item => ({ ...keys.replacementLink(l, l.serial, l.replaces, l.claimId), entity: LINK_ENTITY, ...l });

const serialItem = (s: SerialState): Item => ({ ...keys.serial(s.gtin, s.serial), entity: 'serial', ...s });
const eventItem = (e: EventRecord): Item => ({ ...keys.event(e.eventId), entity: 'event', ...e });
const metaFromItem = (it: Item): LotMeta => ({ ...fromItem<LotMeta>(it), statusVersion: Number(it.statusVersion ?? 0) });

/** Conditions, named: each guards the state a plan was computed from. */
const COND = {
  absent: 'attribute_not_exists(pk)',
  present: 'attribute_exists(pk)',
  atVersion: '#version = :expected',
} as const;

/** A transaction the service refused as a whole: a condition failed, or it conflicted with another. */
const refusedTransaction = (e: unknown) =>
  e instanceof TransactionCanceledException ||
  (e as Error).name === 'TransactionConflictException' ||
  (e as Error).name === 'IdempotentParameterMismatchException';

const headId = (h: Pick<StockHead, 'gtin' | 'lot' | 'siteId'>) => JSON.stringify([h.gtin, h.lot, h.siteId]);

/**
 * The ledger in the single table. A movement is one TransactWriteItems: the event record (must not exist), the
 * stock head of each site whose stock it changes (must still be at the version read), a pending entry per lot it
 * touches (must not exist), each serial (at the version read) and the lot's meta only when the movement creates it.
 * The sequencer (lib/domain/chain-ledger.ts) then chains the pending entries of each lot: that is the only writer of a
 * lot's chain head. Never a read-check-write race.
 */
export class DynamoLedgerStore implements BulkLedgerStore, ChainStore, ClaimStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  /** The keys to read for some movements: events, lot metas, stock heads, serials, and master data not cached yet. */
  private wantedFor(ms: Movement[], cache: MasterCache) {
    const wanted: Record<string, unknown>[] = [];
    const gtins = new Set<string>();
    const sites = new Set<string>();
    for (const m of ms) {
      const k = keysOf(m);
      wanted.push(
        keys.event(m.eventId),
        ...k.lots.map((l) => keys.lot(l)),
        ...k.heads.map((h) => keys.stock(h.lot, h.siteId)),
        ...k.serials.map((s) => keys.serial(m.gtin, s)),
      );
      for (const g of k.gtins) if (!cache.products.has(g)) gtins.add(g);
      for (const s of k.sites) if (!cache.sites.has(s)) sites.add(s);
    }
    wanted.push(...[...gtins].map((g) => keys.product(g)), ...[...sites].map((s) => keys.site(s)));
    return { wanted, gtins, sites };
  }

  /** Read items by key and sort them: events, lots (meta with its heads), serials; master data into the cache. */
  private async readFor(ms: Movement[], cache: MasterCache): Promise<Overlay> {
    const { wanted, gtins, sites } = this.wantedFor(ms, cache);
    const items = await this.batchGet(wanted);
    for (const g of gtins) cache.products.set(g, null);
    for (const s of sites) cache.sites.set(s, null);
    const overlay: Overlay = { events: new Map(), lots: new Map(), serials: new Map() };
    const heads: StockHead[] = [];
    for (const it of items) {
      if (it.entity === 'event') overlay.events.set(String(it.eventId), fromItem<EventRecord>(it));
      else if (it.entity === 'lot') overlay.lots.set(lotId(it as LotKey), { meta: metaFromItem(it), heads: new Map() });
      else if (it.entity === 'stock') heads.push(fromItem<StockHead>(it));
      else if (it.entity === 'serial') overlay.serials.set(`${it.gtin}|${it.serial}`, fromItem<SerialState>(it));
      else if (it.entity === 'product') cache.products.set(String(it.gtin), fromItem<Product>(it));
      else if (it.entity === 'site') cache.sites.set(String(it.siteId), fromItem<Site>(it));
    }
    for (const h of heads) overlay.lots.get(lotId(h))?.heads.set(h.siteId, h);
    return overlay;
  }

  async snapshot(m: Movement, cache: MasterCache): Promise<Snapshot> {
    const o = await this.readFor([m], cache);
    const k = keysOf(m);
    const snap: Snapshot = { lots: o.lots, serials: new Map(), products: new Map(), sites: new Map() };
    const event = o.events.get(m.eventId);
    if (event) snap.event = event;
    for (const s of k.serials) {
      const st = o.serials.get(`${m.gtin}|${s}`);
      if (st) snap.serials.set(s, st);
    }
    for (const g of k.gtins) {
      const p = cache.products.get(g);
      if (p) snap.products.set(g, p);
    }
    for (const s of k.sites) {
      const site = cache.sites.get(s);
      if (site) snap.sites.set(s, site);
    }
    return snap;
  }

  /** Many items by key (see batchGetAll). */
  private batchGet(wanted: Record<string, unknown>[]): Promise<Item[]> {
    return batchGetAll(this.doc, this.table, wanted);
  }

  readMany(ms: Movement[], cache: MasterCache): Promise<Overlay> {
    return this.readFor(ms, cache);
  }

  /** The writes of several plans as one transaction: each stock head and serial once (its last state, guarded by its first expected version). */
  private merged(plans: Plan[]) {
    const creates = new Map<string, LotMeta>();
    const heads = new Map<string, { expectedVersion: number; next: StockHead }>();
    const serials = new Map<string, { expectedVersion: number; next: SerialState }>();
    for (const p of plans) {
      for (const l of p.lots) {
        if (l.create && !creates.has(lotId(l.key))) creates.set(lotId(l.key), l.create);
        for (const h of l.heads) {
          const id = headId(h.next);
          heads.set(id, { expectedVersion: heads.get(id)?.expectedVersion ?? h.expectedVersion, next: h.next });
        }
      }
      for (const s of p.serials) {
        const id = `${s.next.gtin}|${s.next.serial}`;
        serials.set(id, { expectedVersion: serials.get(id)?.expectedVersion ?? s.expectedVersion, next: s.next });
      }
    }
    return { creates: [...creates.values()], heads: [...heads.values()], serials: [...serials.values()] };
  }

  mergedActions(plans: Plan[]): number {
    const m = this.merged(plans);
    return plans.reduce((n, p) => n + 1 + p.pending.length, 0) + m.creates.length + m.heads.length + m.serials.length;
  }

  /** The actions of some plans: events first (a failed condition on action 0 of one plan = its eventId exists). */
  private actionsOf(plans: Plan[]) {
    const m = this.merged(plans);
    return [
      ...plans.map((p) => ({ Put: { TableName: this.table, Item: eventItem(p.event), ConditionExpression: COND.absent } })),
      ...m.creates.map((meta) => ({ Put: { TableName: this.table, Item: metaItem(meta), ConditionExpression: COND.absent } })),
      ...m.heads.map((h) => this.putAt(stockHeadItem(h.next), h.expectedVersion)),
      ...plans.flatMap((p) => p.pending.map((e) => ({ Put: { TableName: this.table, Item: pendingItem(e), ConditionExpression: COND.absent } }))),
      ...m.serials.map((s) => this.putAt(serialItem(s.next), s.expectedVersion)),
    ];
  }

  async commitMany(plans: Plan[]): Promise<boolean> {
    if (plans.length === 1) return (await this.commit(plans[0] as Plan)) === 'committed';
    try {
      await this.doc.send(
        new TransactWriteCommand({
          TransactItems: this.actionsOf(plans),
          ClientRequestToken: hashOf(plans.map((p) => p.event.txToken)).slice(0, 36),
        }),
      );
      return true;
    } catch (e) {
      if (refusedTransaction(e)) return false;
      throw e;
    }
  }

  /** Put `item` if it is new (`expected` 0) or its `version` attribute still has the value the plan read. */
  private putAt(item: Item, expected: number) {
    return {
      Put: {
        TableName: this.table,
        Item: item,
        ...(expected === 0
          ? { ConditionExpression: COND.absent }
          : {
              ConditionExpression: COND.atVersion,
              ExpressionAttributeNames: { '#version': 'version' },
              ExpressionAttributeValues: { ':expected': expected },
            }),
      },
    };
  }

  async commit(plan: Plan): Promise<CommitOutcome> {
    try {
      await this.doc.send(new TransactWriteCommand({ TransactItems: this.actionsOf([plan]), ClientRequestToken: hashOf(plan).slice(0, 36) }));
      return 'committed';
    } catch (e) {
      if (e instanceof TransactionCanceledException) {
        const reasons = e.CancellationReasons ?? [];
        if (reasons[0]?.Code === 'ConditionalCheckFailed') return 'event-exists';
        // Another writer moved a stock head or serial first, or the transaction conflicted or was throttled: re-plan.
        return 'conflict';
      }
      if (refusedTransaction(e)) return 'conflict';
      throw e;
    }
  }

  /**
   * Change a lot's status (hold, release, recall): its meta's status fields, guarded by the statusVersion read (the
   * chain head is the sequencer's and is left alone), and the change as a pending entry. False when the status moved meanwhile.
   */
  async commitLotChange(expectedStatusVersion: number, next: LotMeta, pending: PendingEntry): Promise<boolean> {
    return this.commitLotChanges([{ expectedStatusVersion, next, pending }]);
  }

  /**
   * Several lots' status changes in one transaction (2 actions a lot: at most 49 lots), all or none: false when any
   * lot's status moved meanwhile (or the transaction met another), and the caller changes them one at a time.
   */
  async commitLotChanges(changes: readonly LotChange[]): Promise<boolean> {
    if (changes.length === 0) return true;
    try {
      await this.doc.send(new TransactWriteCommand({ TransactItems: changes.flatMap((c) => this.lotChangeActions(c)) }));
      return true;
    } catch (e) {
      if (refusedTransaction(e)) return false;
      throw e;
    }
  }

  private lotChangeActions({ expectedStatusVersion, next, pending }: LotChange) {
    const set = ['#status = :status', 'statusVersion = :sv', 'statusAt = :at'];
    const values: Record<string, unknown> = {
      ':status': next.status,
      ':sv': next.statusVersion,
      ':at': next.statusAt,
      ':expected': expectedStatusVersion,
    };
    if (next.statusReason !== undefined) {
      set.push('statusReason = :reason');
      values[':reason'] = next.statusReason;
    }
    if (next.recallId !== undefined) {
      set.push('recallId = :recall');
      values[':recall'] = next.recallId;
    }
    const update = `SET ${set.join(', ')}${next.statusReason === undefined ? ' REMOVE statusReason' : ''}`;
    return [
      {
        Update: {
          TableName: this.table,
          Key: keys.lot(next),
          UpdateExpression: update,
          ConditionExpression:
            expectedStatusVersion === 0
              ? 'attribute_exists(pk) AND (attribute_not_exists(statusVersion) OR statusVersion = :expected)'
              : 'statusVersion = :expected',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: values,
        },
      },
      { Put: { TableName: this.table, Item: pendingItem(pending), ConditionExpression: COND.absent } },
    ];
  }

  /** Every stock head of a lot (one consistent Query of its `BAL#` items). */
  async stockHeads(k: LotKey): Promise<StockHead[]> {
    const items = await this.queryAll({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :bal)',
      ExpressionAttributeValues: { ':pk': keys.lot(k).pk, ':bal': STOCK_SK_PREFIX },
      ConsistentRead: true,
    });
    return items.map((i) => fromItem<StockHead>(i));
  }

  async getStockHead(k: LotKey, siteId: string): Promise<StockHead | undefined> {
    const r = await this.doc.send(new GetCommand({ TableName: this.table, Key: keys.stock(k, siteId), ConsistentRead: true }));
    return r.Item ? fromItem<StockHead>(r.Item) : undefined;
  }

  /** Replace one stock head if it is still at `expectedVersion`; false when another writer moved it first. */
  async putStockHead(expectedVersion: number, next: StockHead): Promise<boolean> {
    try {
      return await written(this.doc.send(new PutCommand({ ...this.putAt(stockHeadItem(next), expectedVersion).Put })));
    } catch (e) {
      // a movement's transaction on this head was in flight: read it again and retry
      if ((e as Error).name === 'TransactionConflictException') return false;
      throw e;
    }
  }

  async getEvent(eventId: string): Promise<EventRecord | undefined> {
    const r = await this.doc.send(new GetCommand({ TableName: this.table, Key: keys.event(eventId), ConsistentRead: true }));
    return r.Item ? fromItem<EventRecord>(r.Item) : undefined;
  }

  /** A lot: its meta with every stock head summed (one consistent Query of the partition up to the meta). */
  async getLot(k: LotKey): Promise<LotState | undefined> {
    const items = await this.queryAll({
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :bal AND :meta',
      ExpressionAttributeValues: { ':pk': keys.lot(k).pk, ':bal': STOCK_SK_PREFIX, ':meta': META_SK },
      ConsistentRead: true,
    });
    const meta = items.find((i) => i.sk === META_SK);
    if (!meta) return undefined;
    return withClaims(
      aggregateLot(
        metaFromItem(meta),
        items.filter((i) => i.entity === 'stock').map((i) => fromItem<StockHead>(i)),
      ),
      items.filter((i) => i.entity === CLAIM_ENTITY).length,
    );
  }

  /** A unit's claims and the replacement links naming it (one consistent Query of its lot's `CLAIM#{serial}#` items). */
  async claimsOf(k: LotKey, serial: string): Promise<{ claims: ClaimRecord[]; links: ReplacementLink[] }> {
    const items = await this.queryAll({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :c)',
      ExpressionAttributeValues: { ':pk': keys.lot(k).pk, ':c': keys.claimsOfSerial(serial) },
      ConsistentRead: true,
    });
    return {
      claims: items.filter((i) => i.entity === CLAIM_ENTITY).map((i) => fromItem<ClaimRecord>(i)),
      links: items.filter((i) => i.entity === LINK_ENTITY).map((i) => fromItem<ReplacementLink>(i)),
    };
  }

  /** The claim, and its replacement's link, in one transaction, each only if absent; false when either is there already. */
  async putClaim(claim: ClaimRecord, link?: ReplacementLink): Promise<boolean> {
    const absent = 'attribute_not_exists(pk)';
    const puts = [
      { Put: { TableName: this.table, Item: claimItem(claim), ConditionExpression: absent } },
      ...(link ? [{ Put: { TableName: this.table, Item: linkItem(link), ConditionExpression: absent } }] : []),
    ];
    try {
      await this.doc.send(new TransactWriteCommand({ TransactItems: puts }));
      return true;
    } catch (e) {
      if (e instanceof TransactionCanceledException && (e.CancellationReasons ?? []).some((r) => r.Code === 'ConditionalCheckFailed')) return false;
      throw e;
    }
  }

  /** The head of a lot's chain as the meta holds it now (one GetItem). */
  async chainHead(k: LotKey): Promise<Pick<LotState, 'seq' | 'headHash'> | undefined> {
    const r = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: keys.lot(k), ConsistentRead: true, ProjectionExpression: 'seq, headHash' }),
    );
    return r.Item ? { seq: Number(r.Item.seq), headHash: String(r.Item.headHash) } : undefined;
  }

  /** How many accepted entries of a lot wait for the sequencer (a COUNT Query of its `PEND#` items). */
  async unchainedCount(k: LotKey): Promise<number> {
    let n = 0;
    let start: Record<string, unknown> | undefined;
    do {
      const r: QueryCommandOutput = await this.doc.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
          ExpressionAttributeValues: { ':pk': keys.lot(k).pk, ':p': PENDING_SK_PREFIX },
          ConsistentRead: true,
          Select: 'COUNT',
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      n += r.Count ?? 0;
      start = r.LastEvaluatedKey;
    } while (start);
    return n;
  }

  /** The sequencer's read: the lot's meta and its oldest pending entries (up to `limit`), in one consistent Query. */
  async unchainedOf(k: LotKey, limit: number): Promise<{ head?: Pick<LotMeta, 'seq' | 'headHash' | 'headAt'>; pending: PendingEntry[] }> {
    const r: QueryCommandOutput = await this.doc.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :meta AND :last',
        ExpressionAttributeValues: { ':pk': keys.lot(k).pk, ':meta': META_SK, ':last': `${PENDING_SK_PREFIX}\uffff` },
        ConsistentRead: true,
        Limit: limit + 1,
      }),
    );
    let head: Pick<LotMeta, 'seq' | 'headHash' | 'headAt'> | undefined;
    const pending: PendingEntry[] = [];
    for (const it of r.Items ?? []) {
      if (it.sk === META_SK)
        head = { seq: Number(it.seq), headHash: String(it.headHash), ...(typeof it.headAt === 'string' ? { headAt: it.headAt } : {}) };
      else if (String(it.sk).startsWith(PENDING_SK_PREFIX)) pending.push(fromItem<PendingEntry>(it));
    }
    return { ...(head ? { head } : {}), pending: pending.slice(0, limit) };
  }

  /**
   * Chain sealed entries in one transaction: the meta's head moves from `expectedSeq` (the one-writer guard), each
   * entry is put (absent) and its pending item deleted (present), and the event record of an entry with serials
   * learns its seq (serial history finds it there). False when another sequencer got there first.
   */
  async seal(k: LotKey, expectedSeq: number, head: Pick<LotMeta, 'seq' | 'headHash' | 'headAt'>, sealed: Sealed[]): Promise<boolean> {
    const items = [
      {
        Update: {
          TableName: this.table,
          Key: keys.lot(k),
          UpdateExpression: head.headAt !== undefined ? 'SET #seq = :seq, headHash = :hash, headAt = :at' : 'SET #seq = :seq, headHash = :hash',
          ConditionExpression: '#seq = :expected',
          ExpressionAttributeNames: { '#seq': 'seq' },
          ExpressionAttributeValues: {
            ':seq': head.seq,
            ':hash': head.headHash,
            ':expected': expectedSeq,
            ...(head.headAt !== undefined ? { ':at': head.headAt } : {}),
          },
        },
      },
      ...sealed.flatMap(({ entry, pending }) => [
        { Put: { TableName: this.table, Item: entryItem(entry), ConditionExpression: COND.absent } },
        { Delete: { TableName: this.table, Key: keys.pending(pending), ConditionExpression: COND.present } },
        ...(entry.serials?.length
          ? [
              {
                Update: {
                  TableName: this.table,
                  Key: keys.event(entry.eventId),
                  UpdateExpression: `SET entries[${pending.n}].seq = :seq`,
                  ConditionExpression: COND.present,
                  ExpressionAttributeValues: { ':seq': entry.seq },
                },
              },
            ]
          : []),
      ]),
    ];
    try {
      await this.doc.send(new TransactWriteCommand({ TransactItems: items }));
      return true;
    } catch (e) {
      if (refusedTransaction(e)) return false;
      throw e;
    }
  }

  /** Lots with pending entries, from the sparse `UNCHAINED#{shard}` index (eventually consistent: a sweep's list). */
  async unchainedLots(): Promise<LotKey[]> {
    const lots = new Map<string, LotKey>();
    for (let shard = 0; shard < GSI2_SHARDS; shard++) {
      const items = await this.queryAll({
        IndexName: 'gsi2',
        KeyConditionExpression: 'gsi2pk = :pk',
        ExpressionAttributeValues: { ':pk': `UNCHAINED#${shard}` },
        ProjectionExpression: 'gtin, lot',
      });
      for (const i of items) lots.set(lotId(i as LotKey), { gtin: String(i.gtin), lot: String(i.lot) });
    }
    return [...lots.values()];
  }

  async getSerial(gtin: string, serial: string): Promise<SerialState | undefined> {
    const r = await this.doc.send(new GetCommand({ TableName: this.table, Key: keys.serial(gtin, serial), ConsistentRead: true }));
    return r.Item ? fromItem<SerialState>(r.Item) : undefined;
  }

  /** A page of a lot's entries in seq order, starting after `afterSeq`. */
  async entries(k: LotKey, opts: { afterSeq?: number; limit?: number } = {}): Promise<{ items: LedgerEntry[]; lastSeq?: number }> {
    const r: QueryCommandOutput = await this.doc.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: {
          ':pk': keys.lot(k).pk,
          ':from': keys.entry(k, (opts.afterSeq ?? 0) + 1).sk,
          ':to': keys.entry(k, 999_999_999_999).sk,
        },
        ConsistentRead: true,
        ...(opts.limit ? { Limit: opts.limit } : {}),
      }),
    );
    const items = (r.Items ?? []).map((i) => fromItem<LedgerEntry>(i));
    return { items, ...(r.LastEvaluatedKey ? { lastSeq: items.at(-1)?.seq } : {}) };
  }

  /** Every entry of a lot, oldest first. */
  async allEntries(k: LotKey): Promise<LedgerEntry[]> {
    const out: LedgerEntry[] = [];
    let after = 0;
    for (;;) {
      const page = await this.entries(k, { afterSeq: after, limit: 1000 });
      out.push(...page.items);
      if (page.lastSeq === undefined) return out;
      after = page.lastSeq;
    }
  }

  /**
   * One page (up to 1 MB) of a lot's partition `LOT#{gtin}#{lot}`, in one consistent Query over the sk range
   * BAL#..SEQ#999999999999: the first page holds the lot (its stock heads, which sort first, summed with its meta;
   * when a lot has so many sites that they fill more than a page, the Query goes on until the meta) and the first
   * chained entries; pending entries (accepted, not chained yet) are counted into the lot's `unchained` and returned
   * apart, for readers that must see every accepted movement (trace, the recall blast radius).
   */
  async lotPartition(k: LotKey, opts: { cursor?: string } = {}): Promise<LotPartitionPage> {
    const { pk } = keys.lot(k);
    let cursor = opts.cursor;
    let meta: LotMeta | undefined;
    const heads: StockHead[] = [];
    const entries: LedgerEntry[] = [];
    const pending: UnchainedEntry[] = [];
    const claims: string[] = [];
    let unchained = 0;
    for (;;) {
      const r: QueryCommandOutput = await this.doc.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :first AND :last',
          ExpressionAttributeValues: { ':pk': pk, ':first': STOCK_SK_PREFIX, ':last': keys.entry(k, 999_999_999_999).sk },
          ConsistentRead: true,
          ...(cursor === undefined ? {} : { ExclusiveStartKey: { pk, sk: cursor } }),
        }),
      );
      for (const it of r.Items ?? []) {
        const sk = String(it.sk);
        if (sk === META_SK) meta = metaFromItem(it);
        else if (sk.startsWith(STOCK_SK_PREFIX)) heads.push(fromItem<StockHead>(it));
        else if (sk.startsWith(PENDING_SK_PREFIX)) {
          unchained++;
          pending.push(fromItem<PendingEntry>(it).entry);
        } else if (sk.startsWith(ENTRY_SK_PREFIX)) entries.push(fromItem<LedgerEntry>(it));
        else if (it.entity === CLAIM_ENTITY && typeof it.reportedAt === 'string') claims.push(it.reportedAt);
      }
      const next = r.LastEvaluatedKey?.sk;
      cursor = next === undefined ? undefined : String(next);
      // Stock heads without their meta yet: read on, so the lot comes whole on its first page.
      const headsOnly = opts.cursor === undefined && meta === undefined && heads.length > 0;
      if (!(headsOnly && cursor !== undefined)) break;
    }
    const head = meta ? aggregateLot(meta, heads, unchained) : undefined;
    return {
      ...(head ? { head } : {}),
      entries,
      ...(pending.length ? { pending } : {}),
      ...(claims.length ? { claims } : {}),
      ...(cursor === undefined ? {} : { cursor }),
    };
  }

  /** Fetch the entries a serial's refs name: by seq, or by eventId through the event record (chained ones only). */
  async entriesByRef(gtin: string, refs: SerialRef[]): Promise<LedgerEntry[]> {
    const byEvent = [...new Set(refs.filter((r) => r.seq === undefined && r.eventId !== undefined).map((r) => r.eventId as string))];
    const events = new Map(
      (await this.batchGet(byEvent.map((id) => keys.event(id)))).map((i) => [String(i.eventId), fromItem<EventRecord>(i)] as const),
    );
    const seqOf = (r: SerialRef) =>
      r.seq ?? events.get(r.eventId ?? '')?.entries.find((e) => e.gtin === gtin && e.lot === r.lot && e.seq !== undefined)?.seq;
    const located = refs.flatMap((r) => {
      const seq = seqOf(r);
      return seq === undefined ? [] : [{ lot: r.lot, seq }];
    });
    const items = await this.batchGet(located.map((r) => keys.entry({ gtin, lot: r.lot }, r.seq)));
    const byKey = new Map(items.map((i) => [JSON.stringify([i.lot, i.seq]), fromItem<LedgerEntry>(i)]));
    return located.map((r) => byKey.get(JSON.stringify([r.lot, r.seq]))).filter((e): e is LedgerEntry => e !== undefined);
  }

  /** The metas of all lots of a GTIN in expiry order (lots without expiry last): chain heads and status, no balances. */
  async lotsOfGtin(gtin: string): Promise<LotMeta[]> {
    return this.queryAll({ IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :pk', ExpressionAttributeValues: { ':pk': `GTIN#${gtin}` } }).then(
      (items) => items.filter((i) => i.entity === 'lot').map(metaFromItem),
    );
  }

  /** Every product's GTIN. */
  async allGtins(): Promise<string[]> {
    const items = await this.queryAll({
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': 'PRODUCTS' },
    });
    return items.map((i) => String(i.gtin));
  }

  private queryAll(q: Omit<QueryCommandInput, 'TableName'>): Promise<Item[]> {
    return queryAll(this.doc, this.table, q);
  }
}
