import { type DynamoDBDocumentClient, GetCommand, QueryCommand, type QueryCommandOutput, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { LotIndex } from '../domain/expiry-ports.js';
import type { LotState } from '../domain/ledger.js';
import { written } from './conditional.js';
import { fromItem, lotFromItem } from './items.js';

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

  /** GSI2 `EXPIRY` up to and including `through`: `~` sorts after `#`, so every key of that day is in. */
  expiringThrough(through: string): AsyncIterable<LotState[]> {
    return this.pages({
      IndexName: 'gsi2',
      KeyConditionExpression: 'gsi2pk = :pk AND gsi2sk <= :to',
      ExpressionAttributeValues: { ':pk': 'EXPIRY', ':to': `${through}~` },
    });
  }

  /** GSI1 `GTIN#{gtin}` from `fromExpiry` on; lots without expiry sort last as `9999-12-31`. */
  lotsByExpiry(gtin: string, fromExpiry: string): AsyncIterable<LotState[]> {
    return this.pages({
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk >= :from',
      ExpressionAttributeValues: { ':pk': `GTIN#${gtin}`, ':from': fromExpiry },
    });
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

  private async *pages<T = LotState>(q: Omit<ConstructorParameters<typeof QueryCommand>[0], 'TableName'>): AsyncIterable<T[]> {
    let start: Record<string, unknown> | undefined;
    do {
      const r: QueryCommandOutput = await this.doc.send(
        new QueryCommand({ ...q, TableName: this.table, Limit: this.pageSize, ...(start ? { ExclusiveStartKey: start } : {}) }),
      );
      const items = (r.Items ?? []) as Item[];
      if (items.length) yield items.map((i) => (i.entity === 'lot' ? lotFromItem<LotState>(i) : fromItem<T>(i)) as T);
      start = r.LastEvaluatedKey;
    } while (start);
  }
}
