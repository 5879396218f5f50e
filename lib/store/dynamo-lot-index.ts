import { type DynamoDBDocumentClient, GetCommand, QueryCommand, type QueryCommandOutput, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mapLimit } from '../domain/concurrency.js';
import type { ExpiringLot, LotIndex } from '../domain/expiry-ports.js';
import { aggregateLot, type LotKey, type LotMeta, type LotState, lotId, type StockHead, setBalance } from '../domain/ledger.js';
import { compareText } from '../domain/paging.js';
import { written } from './conditional.js';
import { binsIndexKey, GSI2_SHARDS } from './dynamo-ledger-store.js';
import { fromItem } from './items.js';
import { keys } from './keys.js';
import { queryAll } from './query-all.js';

type Item = Record<string, unknown>;

/** The one item that keeps an upper bound of `expiryAlertDays` over all products. */
export const EXPIRY_BOUND_KEY = { pk: 'META#EXPIRY_ALERT_DAYS', sk: 'META' } as const;

/**
 * Raise the stored bound to at least `days` (never lowers it). Product writes call this *before* writing the product,
 * so a crash in between leaves the bound too high (a few extra reads), never too low (a missed alert).
 */
export async function raiseExpiryAlertBound(doc: DynamoDBDocumentClient, table: string, days: number): Promise<void> {
  // A higher bound is already stored: leave it.
  await written(
    doc.send(
      new UpdateCommand({
        TableName: table,
        Key: EXPIRY_BOUND_KEY,
        UpdateExpression: 'SET maxAlertDays = :d, entity = :e',
        ConditionExpression: 'attribute_not_exists(maxAlertDays) OR maxAlertDays < :d',
        ExpressionAttributeValues: { ':d': days, ':e': 'meta' },
      }),
    ),
  );
}

/** The lot indexes (GSI1 by GTIN in expiry order, sparse GSI2 of lots with stock by expiry) read a page at a time. */
export class DynamoLotIndex implements LotIndex {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly pageSize = 100,
  ) {}

  /**
   * GSI2 `EXPIRY#{0..15}` up to and including `through` (`~` sorts after `#`, so every key of that day is in): the
   * stock heads with stock of lots near expiry, from every shard, summed per lot and sorted by expiry. One page: what
   * it holds is proportional to the stock near expiry.
   */
  async *expiringThrough(through: string): AsyncIterable<ExpiringLot[]> {
    const lots = new Map<string, ExpiringLot>();
    for (let shard = 0; shard < GSI2_SHARDS; shard++)
      for await (const page of this.pages<StockHead>({
        IndexName: 'gsi2',
        KeyConditionExpression: 'gsi2pk = :pk AND gsi2sk <= :to',
        ExpressionAttributeValues: { ':pk': `EXPIRY#${shard}`, ':to': `${through}~` },
      }))
        for (const h of page) {
          const id = lotId(h);
          const lot = lots.get(id) ?? { gtin: h.gtin, lot: h.lot, ...(h.expiry ? { expiry: h.expiry } : {}), balances: {} };
          setBalance(lot, h.siteId, { q: h.q, r: h.r });
          lots.set(id, lot);
        }
    const sorted = [...lots.values()].sort((a, b) => compareText(`${a.expiry}#${a.gtin}#${a.lot}`, `${b.expiry}#${b.gtin}#${b.lot}`));
    if (sorted.length) yield sorted;
  }

  /** GSI1 `GTIN#{gtin}` from `fromExpiry` on (lots without expiry sort last as `9999-12-31`), each lot with its stock heads. */
  async *lotsByExpiry(gtin: string, fromExpiry: string): AsyncIterable<LotState[]> {
    for await (const metas of this.pages<LotMeta>({
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk >= :from',
      ExpressionAttributeValues: { ':pk': `GTIN#${gtin}`, ':from': fromExpiry },
    }))
      yield await mapLimit(metas, 8, async (meta) => aggregateLot({ ...meta, statusVersion: meta.statusVersion ?? 0 }, await this.headsOf(meta)));
  }

  /** GSI1 `BINS#{siteId}#{0..15}`: the site's stock heads with stock in bins, shard by shard. */
  async *binnedStockAt(siteId: string): AsyncIterable<StockHead[]> {
    for (let shard = 0; shard < GSI2_SHARDS; shard++)
      yield* this.pages<StockHead>({
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': binsIndexKey(siteId, shard) },
      });
  }

  private async headsOf(k: LotKey): Promise<StockHead[]> {
    const items = await queryAll(this.doc, this.table, {
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :bal)',
      ExpressionAttributeValues: { ':pk': keys.lot(k).pk, ':bal': 'BAL#' },
    });
    return items.map((i) => fromItem<StockHead>(i));
  }

  /**
   * The stored bound. Tables written before the bound existed have products it never saw, so the first call
   * computes it from every product once (then marks it complete); products written meanwhile raise it themselves.
   */
  async maxExpiryAlertDays(): Promise<number> {
    const r = await this.doc.send(new GetCommand({ TableName: this.table, Key: EXPIRY_BOUND_KEY, ConsistentRead: true }));
    if (r.Item?.complete === true) return Number(r.Item.maxAlertDays ?? 0);
    let max = 0;
    for await (const page of this.pages<{ expiryAlertDays?: number }>({
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': 'PRODUCTS' },
    }))
      for (const p of page) max = Math.max(max, p.expiryAlertDays ?? 0);
    await raiseExpiryAlertBound(this.doc, this.table, max);
    const done = await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: EXPIRY_BOUND_KEY,
        UpdateExpression: 'SET complete = :t',
        ExpressionAttributeValues: { ':t': true },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return Number(done.Attributes?.maxAlertDays ?? max);
  }

  private async *pages<T>(q: Omit<ConstructorParameters<typeof QueryCommand>[0], 'TableName'>): AsyncIterable<T[]> {
    let start: Record<string, unknown> | undefined;
    do {
      const r: QueryCommandOutput = await this.doc.send(
        new QueryCommand({ ...q, TableName: this.table, Limit: this.pageSize, ...(start ? { ExclusiveStartKey: start } : {}) }),
      );
      const items = (r.Items ?? []) as Item[];
      if (items.length) yield items.map((i) => fromItem<T>(i));
      start = r.LastEvaluatedKey;
    } while (start);
  }
}
