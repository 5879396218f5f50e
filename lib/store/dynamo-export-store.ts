import { BatchGetCommand, type DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, type QueryCommandOutput } from '@aws-sdk/lib-dynamodb';
import { AppError } from '../domain/errors.js';
import type { ExportJob, ExportJobStore, ExportStatus } from '../domain/exports.js';
import type { LedgerEntry, LotKey, LotMeta } from '../domain/ledger.js';
import type { ExportLister, ListQuery, StorePage } from '../domain/listings.js';
import { jittered, realSleep, retry, type Sleep } from '../domain/retry.js';
import { isTransientError } from '../domain/transient-errors.js';
import { written } from './conditional.js';
import { fromItem } from './items.js';
import { keys } from './keys.js';
import { listingPage } from './listing-page.js';

type Item = Record<string, unknown>;
const exportKeyOf = (exportId: string) => ({ pk: `EXPORT#${exportId}`, sk: 'EXPORT' });
/** The list of exports (GET /exports) in GSI1, newest first: `{createdAt}#{exportId}`. */
const EXPORTS = 'EXPORTS';
const itemOf = (job: ExportJob) => ({
  ...exportKeyOf(job.exportId),
  entity: 'export',
  ...job,
  gsi1pk: EXPORTS,
  gsi1sk: `${job.createdAt}#${job.exportId}`,
});

/** Export jobs in the single table (`EXPORT#{id}` / `EXPORT`). */
export class DynamoExportStore implements ExportJobStore, ExportLister {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  create(job: ExportJob): Promise<boolean> {
    return this.putIf(job, 'attribute_not_exists(pk)');
  }

  async get(exportId: string): Promise<ExportJob | undefined> {
    const r = await this.doc.send(new GetCommand({ TableName: this.table, Key: exportKeyOf(exportId), ConsistentRead: true }));
    return r.Item ? fromItem<ExportJob>(r.Item) : undefined;
  }

  async save(job: ExportJob): Promise<void> {
    await this.doc.send(new PutCommand({ TableName: this.table, Item: itemOf(job) }));
  }

  claim(running: ExportJob, readAttempts: number, now: string): Promise<boolean> {
    return this.putIf(
      running,
      'attempts = :read AND #status <> :complete AND (#status <> :running OR attribute_not_exists(leaseUntil) OR leaseUntil < :now)',
      { ':read': readAttempts, ':complete': 'complete', ':running': 'running', ':now': now },
      { '#status': 'status' },
    );
  }

  list(q: ListQuery<ExportStatus>): Promise<StorePage<ExportJob>> {
    return listingPage(this.doc, this.table, EXPORTS, q, exportKeyOf);
  }

  finish(job: ExportJob): Promise<boolean> {
    return this.putIf(job, 'attempts = :mine', { ':mine': job.attempts });
  }

  private putIf(job: ExportJob, condition: string, values?: Record<string, unknown>, names?: Record<string, string>): Promise<boolean> {
    return written(
      this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: itemOf(job),
          ConditionExpression: condition,
          ...(values ? { ExpressionAttributeValues: values } : {}),
          ...(names ? { ExpressionAttributeNames: names } : {}),
        }),
      ),
    );
  }
}

/** Tries of one BatchGetItem before its unprocessed keys become `busy`. */
const HEAD_READ_ATTEMPTS = 11;

/** What an export asks of the entries it reads; the reader may return more (the caller filters exactly). */
export type EntryFilter = { gtin?: string; lot?: string };

/**
 * Ledger entries by UTC day from GSI3 (`DAY#{yyyy-mm-dd}`, sorted by instant), page by page: one page in hand and the
 * next one in flight, so reading overlaps the caller's work. A gtin/lot filter runs in DynamoDB; transformation outputs
 * always pass it, since a lot may be one of their inputs.
 */
export class DynamoEntryReader {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly sleep: Sleep = realSleep,
  ) {}

  async *entriesOfDay(day: string, filter: EntryFilter = {}): AsyncGenerator<LedgerEntry[]> {
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = { ':day': `DAY#${day}` };
    let expr: string | undefined;
    if (filter.gtin !== undefined) {
      names['#role'] = 'role';
      values[':g'] = filter.gtin;
      values[':output'] = 'output';
      const lot = filter.lot !== undefined ? ' AND lot = :l' : '';
      if (filter.lot !== undefined) values[':l'] = filter.lot;
      expr = `(gtin = :g${lot}) OR #role = :output`;
    }
    const query = (start?: Record<string, unknown>) =>
      this.doc.send(
        new QueryCommand({
          TableName: this.table,
          IndexName: 'gsi3',
          KeyConditionExpression: 'gsi3pk = :day',
          ExpressionAttributeValues: values,
          ...(expr ? { FilterExpression: expr, ExpressionAttributeNames: names } : {}),
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
    let next: Promise<QueryCommandOutput> | undefined = query();
    while (next) {
      const page: QueryCommandOutput = await next;
      next = page.LastEvaluatedKey ? query(page.LastEvaluatedKey) : undefined;
      // A consumer that stops early leaves the prefetch unawaited: keep its failure from going unhandled.
      next?.catch(() => undefined);
      const items = (page.Items ?? []).map((i) => fromItem<LedgerEntry>(i));
      if (items.length) yield items;
    }
  }

  /** Whether GSI3 holds any entry of the day: a Query of one key, so empty days of a long range cost almost nothing. */
  async anyOnDay(day: string): Promise<boolean> {
    const r = await this.doc.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: 'gsi3',
        KeyConditionExpression: 'gsi3pk = :day',
        ExpressionAttributeValues: { ':day': `DAY#${day}` },
        ProjectionExpression: 'gsi3pk',
        Limit: 1,
      }),
    );
    return (r.Count ?? 0) > 0;
  }

  /** The first entries of a lot's chain (one Query of at most 10 items): a harvested lot's harvest and cool. */
  async firstEntries(lot: LotKey): Promise<LedgerEntry[]> {
    const r = await this.doc.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :seq)',
        ExpressionAttributeValues: { ':pk': keys.lot(lot).pk, ':seq': 'SEQ#' },
        Limit: 10,
      }),
    );
    return (r.Items ?? []).map((i) => fromItem<LedgerEntry>(i));
  }

  /** The last entry of a lot's chain recorded up to `at`, below seq `below`: its chain read backwards, a page at a time. */
  async lastEntryAt(lot: LotKey, at: string, below: number): Promise<LedgerEntry | undefined> {
    let start: Record<string, unknown> | undefined;
    do {
      const r: QueryCommandOutput = await this.doc.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :first AND :last',
          ExpressionAttributeValues: {
            ':pk': keys.lot(lot).pk,
            ':first': keys.entry(lot, 1).sk,
            ':last': keys.entry(lot, Math.max(1, below - 1)).sk,
          },
          ScanIndexForward: false,
          ConsistentRead: true,
          Limit: 25,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const item of r.Items ?? []) {
        const e = fromItem<LedgerEntry>(item);
        if (e.recordedAt <= at) return e;
      }
      start = r.LastEvaluatedKey;
    } while (start);
    return undefined;
  }

  /** Lot heads by key (eventually consistent BatchGetItem, 100 keys a request, unprocessed keys retried). */
  async heads(lots: LotKey[]): Promise<LotMeta[]> {
    const out: LotMeta[] = [];
    for (let i = 0; i < lots.length; i += 100) out.push(...(await this.headsOf(lots.slice(i, i + 100).map((l) => keys.lot(l)))));
    return out;
  }

  /** One BatchGetItem of at most 100 keys, asked again for what DynamoDB left unprocessed (it does under load). */
  private async headsOf(wanted: Item[]): Promise<LotMeta[]> {
    const out: LotMeta[] = [];
    let pending = wanted;
    await retry(
      async () => {
        const r = await this.doc.send(new BatchGetCommand({ RequestItems: { [this.table]: { Keys: pending } } }));
        for (const it of r.Responses?.[this.table] ?? []) out.push(fromItem<LotMeta>(it));
        pending = (r.UnprocessedKeys?.[this.table]?.Keys as Item[] | undefined) ?? [];
        if (pending.length) throw new AppError('busy', 'The table kept returning unprocessed keys');
      },
      { attempts: HEAD_READ_ATTEMPTS, delayMs: jittered(40, 2000), sleep: this.sleep, retryable: isTransientError },
    );
    return out;
  }
}
