import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  type QueryCommandInput,
  type QueryCommandOutput,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { hashOf } from '../domain/canonical.js';
import {
  type EventRecord,
  keysOf,
  type LedgerEntry,
  type LotKey,
  type LotState,
  lotId,
  onHand,
  type Plan,
  type SerialState,
  type Snapshot,
} from '../domain/ledger.js';
import type { BulkLedgerStore, CommitOutcome, MasterCache, Overlay } from '../domain/ledger-ports.js';
import type { LotPartitionPage } from '../domain/lot-partition.js';
import type { Product, Site } from '../domain/master-data.js';
import type { Movement } from '../domain/movement.js';
import { batchGetAll } from './batch-get.js';
import { balancesToItem, fromItem, lotFromItem } from './items.js';
import { keys } from './keys.js';
import { queryAll } from './query-all.js';

type Item = Record<string, unknown>;

const NO_EXPIRY = '9999-12-31';
/** The sk prefix of a lot's chained entries (keys.entry). */
const ENTRY_SK_PREFIX = 'SEQ#';

/** A lot head as an item: listed by GTIN in expiry order (FEFO), and in the sparse expiry index while it has stock. */
export function lotItem(l: LotState): Item {
  const stock = onHand(l) > 0;
  return {
    ...keys.lot(l),
    entity: 'lot',
    ...l,
    balances: balancesToItem(l.balances),
    gsi1pk: `GTIN#${l.gtin}`,
    gsi1sk: `${l.expiry ?? NO_EXPIRY}#${l.lot}`,
    ...(l.expiry && stock ? { gsi2pk: 'EXPIRY', gsi2sk: `${l.expiry}#${l.gtin}#${l.lot}` } : {}),
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

const serialItem = (s: SerialState): Item => ({ ...keys.serial(s.gtin, s.serial), entity: 'serial', ...s });
const eventItem = (e: EventRecord): Item => ({ ...keys.event(e.eventId), entity: 'event', ...e });

/** Conditions, named: each guards the state a plan was computed from. */
const COND = {
  absent: 'attribute_not_exists(pk)',
  lotAtSeq: '#seq = :expected',
  serialAtVersion: '#version = :expected',
} as const;

/**
 * The ledger in the single table. Every movement is one TransactWriteItems: the event record (must not exist),
 * each touched lot's head (must still be at the seq it was read at), a ledger entry per lot (must not exist) and
 * each serial (must still be at the version read). Never a read-check-write race, never a DeleteItem.
 */
export class DynamoLedgerStore implements BulkLedgerStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async snapshot(m: Movement, cache: MasterCache): Promise<Snapshot> {
    const k = keysOf(m);
    const wanted: Record<string, unknown>[] = [
      keys.event(m.eventId),
      ...k.lots.map((l) => keys.lot(l)),
      ...k.serials.map((s) => keys.serial(m.gtin, s)),
    ];
    const needProducts = k.gtins.filter((g) => !cache.products.has(g));
    const needSites = k.sites.filter((s) => !cache.sites.has(s));
    wanted.push(...needProducts.map((g) => keys.product(g)), ...needSites.map((s) => keys.site(s)));
    const items = await this.batchGet(wanted);
    for (const g of needProducts) cache.products.set(g, null);
    for (const s of needSites) cache.sites.set(s, null);
    const snap: Snapshot = { lots: new Map(), serials: new Map(), products: new Map(), sites: new Map() };
    for (const it of items) {
      switch (it.entity) {
        case 'event':
          snap.event = fromItem<EventRecord>(it);
          break;
        case 'lot': {
          const l = lotFromItem<LotState>(it);
          snap.lots.set(lotId(l), l);
          break;
        }
        case 'serial': {
          const s = fromItem<SerialState>(it);
          snap.serials.set(s.serial, s);
          break;
        }
        case 'product': {
          const p = fromItem<Product>(it);
          cache.products.set(p.gtin, p);
          break;
        }
        case 'site': {
          const s = fromItem<Site>(it);
          cache.sites.set(s.siteId, s);
          break;
        }
      }
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

  async readMany(ms: Movement[], cache: MasterCache): Promise<Overlay> {
    const wanted: Record<string, unknown>[] = [];
    const gtins = new Set<string>();
    const sites = new Set<string>();
    for (const m of ms) {
      const k = keysOf(m);
      wanted.push(keys.event(m.eventId), ...k.lots.map((l) => keys.lot(l)), ...k.serials.map((s) => keys.serial(m.gtin, s)));
      for (const g of k.gtins) if (!cache.products.has(g)) gtins.add(g);
      for (const s of k.sites) if (!cache.sites.has(s)) sites.add(s);
    }
    wanted.push(...[...gtins].map((g) => keys.product(g)), ...[...sites].map((s) => keys.site(s)));
    const items = await this.batchGet(wanted);
    for (const g of gtins) cache.products.set(g, null);
    for (const s of sites) cache.sites.set(s, null);
    const overlay: Overlay = { events: new Map(), lots: new Map(), serials: new Map() };
    for (const it of items) {
      if (it.entity === 'event') overlay.events.set(String(it.eventId), fromItem<EventRecord>(it));
      else if (it.entity === 'lot') overlay.lots.set(lotId(it as LotKey), lotFromItem<LotState>(it));
      else if (it.entity === 'serial') overlay.serials.set(`${it.gtin}|${it.serial}`, fromItem<SerialState>(it));
      else if (it.entity === 'product') cache.products.set(String(it.gtin), fromItem<Product>(it));
      else if (it.entity === 'site') cache.sites.set(String(it.siteId), fromItem<Site>(it));
    }
    return overlay;
  }

  /** The writes of several plans as one transaction: each lot head and serial once (its last state, guarded by its first expected version). */
  private merged(plans: Plan[]) {
    const lots = new Map<string, { expectedSeq: number; next: LotState }>();
    const serials = new Map<string, { expectedVersion: number; next: SerialState }>();
    for (const p of plans) {
      for (const l of p.lots) {
        const id = lotId(l.next);
        lots.set(id, { expectedSeq: lots.get(id)?.expectedSeq ?? l.expectedSeq, next: l.next });
      }
      for (const s of p.serials) {
        const id = `${s.next.gtin}|${s.next.serial}`;
        serials.set(id, { expectedVersion: serials.get(id)?.expectedVersion ?? s.expectedVersion, next: s.next });
      }
    }
    return { lots: [...lots.values()], serials: [...serials.values()] };
  }

  mergedActions(plans: Plan[]): number {
    const m = this.merged(plans);
    return plans.reduce((n, p) => n + 1 + p.entries.length, 0) + m.lots.length + m.serials.length;
  }

  async commitMany(plans: Plan[]): Promise<boolean> {
    if (plans.length === 1) return (await this.commit(plans[0] as Plan)) === 'committed';
    const m = this.merged(plans);
    const items = [
      ...plans.map((p) => ({ Put: { TableName: this.table, Item: eventItem(p.event), ConditionExpression: COND.absent } })),
      ...m.lots.map((l) => this.lotPut(l.expectedSeq, l.next)),
      ...plans.flatMap((p) => p.entries.map((e) => ({ Put: { TableName: this.table, Item: entryItem(e), ConditionExpression: COND.absent } }))),
      ...m.serials.map((s) => this.serialPut(s.expectedVersion, s.next)),
    ];
    try {
      await this.doc.send(
        new TransactWriteCommand({ TransactItems: items, ClientRequestToken: hashOf(plans.map((p) => p.event.txToken)).slice(0, 36) }),
      );
      return true;
    } catch (e) {
      if (
        e instanceof TransactionCanceledException ||
        (e as Error).name === 'TransactionConflictException' ||
        (e as Error).name === 'IdempotentParameterMismatchException'
      )
        return false;
      throw e;
    }
  }

  private serialPut(expectedVersion: number, next: SerialState) {
    return this.putAt(serialItem(next), 'version', expectedVersion);
  }

  /** Put `item` if it is new (`expected` 0) or its `counter` attribute still has the value the plan read. */
  private putAt(item: Item, counter: 'seq' | 'version', expected: number) {
    return {
      Put: {
        TableName: this.table,
        Item: item,
        ...(expected === 0
          ? { ConditionExpression: COND.absent }
          : {
              ConditionExpression: counter === 'seq' ? COND.lotAtSeq : COND.serialAtVersion,
              ExpressionAttributeNames: { [`#${counter}`]: counter },
              ExpressionAttributeValues: { ':expected': expected },
            }),
      },
    };
  }

  async commit(plan: Plan): Promise<CommitOutcome> {
    const items = [
      { Put: { TableName: this.table, Item: eventItem(plan.event), ConditionExpression: COND.absent } },
      ...plan.lots.map((l) => this.lotPut(l.expectedSeq, l.next)),
      ...plan.entries.map((e) => ({ Put: { TableName: this.table, Item: entryItem(e), ConditionExpression: COND.absent } })),
      ...plan.serials.map((s) => this.serialPut(s.expectedVersion, s.next)),
    ];
    try {
      await this.doc.send(new TransactWriteCommand({ TransactItems: items, ClientRequestToken: hashOf(plan).slice(0, 36) }));
      return 'committed';
    } catch (e) {
      if (e instanceof TransactionCanceledException) {
        const reasons = e.CancellationReasons ?? [];
        if (reasons[0]?.Code === 'ConditionalCheckFailed') return 'event-exists';
        // Another writer moved a lot or serial first, or the transaction conflicted or was throttled: re-plan.
        return 'conflict';
      }
      if ((e as Error).name === 'TransactionConflictException' || (e as Error).name === 'IdempotentParameterMismatchException') return 'conflict';
      throw e;
    }
  }

  private lotPut(expectedSeq: number, next: LotState) {
    return this.putAt(lotItem(next), 'seq', expectedSeq);
  }

  /** Move a lot's head with one entry (hold, release, recall); false when the lot moved meanwhile. */
  async commitLotChange(expectedSeq: number, next: LotState, entry: LedgerEntry): Promise<boolean> {
    try {
      await this.doc.send(
        new TransactWriteCommand({
          TransactItems: [
            this.lotPut(expectedSeq, next),
            { Put: { TableName: this.table, Item: entryItem(entry), ConditionExpression: COND.absent } },
          ],
        }),
      );
      return true;
    } catch (e) {
      if (e instanceof TransactionCanceledException || (e as Error).name === 'TransactionConflictException') return false;
      throw e;
    }
  }

  async getEvent(eventId: string): Promise<EventRecord | undefined> {
    const r = await this.doc.send(new GetCommand({ TableName: this.table, Key: keys.event(eventId), ConsistentRead: true }));
    return r.Item ? fromItem<EventRecord>(r.Item) : undefined;
  }

  async getLot(k: LotKey): Promise<LotState | undefined> {
    const r = await this.doc.send(new GetCommand({ TableName: this.table, Key: keys.lot(k), ConsistentRead: true }));
    return r.Item ? lotFromItem<LotState>(r.Item) : undefined;
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
   * One page (up to 1 MB) of a lot's partition `LOT#{gtin}#{lot}`: the head (`sk` LOT) and the chained entries
   * (`sk` SEQ#...), in one consistent Query over the sk range LOT..SEQ#999999999999. Other items the partition may
   * hold (per-site stock heads, entries not yet chained) are skipped by their sk prefix.
   */
  async lotPartition(k: LotKey, opts: { cursor?: string } = {}): Promise<LotPartitionPage> {
    const { pk, sk: headSk } = keys.lot(k);
    const r: QueryCommandOutput = await this.doc.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :head AND :last',
        ExpressionAttributeValues: { ':pk': pk, ':head': headSk, ':last': keys.entry(k, 999_999_999_999).sk },
        ConsistentRead: true,
        ...(opts.cursor === undefined ? {} : { ExclusiveStartKey: { pk, sk: opts.cursor } }),
      }),
    );
    let head: LotState | undefined;
    const entries: LedgerEntry[] = [];
    for (const it of r.Items ?? []) {
      if (it.sk === headSk) head = lotFromItem<LotState>(it);
      else if (String(it.sk).startsWith(ENTRY_SK_PREFIX)) entries.push(fromItem<LedgerEntry>(it));
    }
    const next = r.LastEvaluatedKey?.sk;
    return { ...(head ? { head } : {}), entries, ...(next === undefined ? {} : { cursor: String(next) }) };
  }

  /** Fetch specific entries (serial history). */
  async entriesByRef(gtin: string, refs: { lot: string; seq: number }[]): Promise<LedgerEntry[]> {
    const items = await this.batchGet(refs.map((r) => keys.entry({ gtin, lot: r.lot }, r.seq)));
    const byKey = new Map(items.map((i) => [`${i.lot}|${i.seq}`, fromItem<LedgerEntry>(i)]));
    return refs.map((r) => byKey.get(`${r.lot}|${r.seq}`)).filter((e): e is LedgerEntry => e !== undefined);
  }

  /** All lots of a GTIN in expiry order (lots without expiry last). */
  async lotsOfGtin(gtin: string): Promise<LotState[]> {
    return this.queryAll({ IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :pk', ExpressionAttributeValues: { ':pk': `GTIN#${gtin}` } }).then(
      (items) => items.map((i) => lotFromItem<LotState>(i)),
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
