import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { QueryCommand, type QueryCommandOutput } from '@aws-sdk/lib-dynamodb';
import { mapLimit } from '../lib/domain/concurrency.js';
import type { LotKey } from '../lib/domain/ledger.js';
import { traceLot } from '../lib/domain/trace.js';
import { documentClient } from '../lib/store/document-client.js';
import { DynamoLedgerStore } from '../lib/store/dynamo-ledger-store.js';
import { DynamoMasterDataStore } from '../lib/store/dynamo-master-data-store.js';
import { keys } from '../lib/store/keys.js';
import { countCalls } from './ddb-calls.js';
import { seedTraceGraph } from './trace-recall.js';

/** Queries the raw baseline keeps in flight, as many as the trace reads lots at once. */
const RAW_WIDTH = 8;

/**
 * The trace bench's graph, traced forward from its root, against a raw baseline in the same run: plain paged Queries
 * (ConsistentRead, as the store reads) of exactly the entries the trace returned, every lot of the trace, 8 lots at
 * a time. Each side has its own counted client; `rounds` alternate them and the best time of each is kept.
 */
export async function traceRatioBenchmark(tableName: string, opts: { lots: number; movements: number; rounds?: number }) {
  const root = await seedTraceGraph(tableName, opts);
  const traceClient = new DynamoDBClient({});
  const traceCount = countCalls(traceClient);
  const traceDoc = documentClient(traceClient);
  const deps = { ledger: new DynamoLedgerStore(traceDoc, tableName), master: new DynamoMasterDataStore(traceDoc, tableName) };
  const rawClient = new DynamoDBClient({});
  const rawCount = countCalls(rawClient);
  const rawDoc = documentClient(rawClient);

  const trace = async () => {
    traceCount.take();
    const started = performance.now();
    const t = await traceLot(deps, root, 'forward', { movements: false });
    return { ms: performance.now() - started, requests: traceCount.take().requests, lots: t.lots, movements: t.movementsTotal };
  };
  /** Every entry of a lot, page by page, by the same key range the ledger's entries live in. */
  const entriesOf = async (k: LotKey) => {
    let items = 0;
    let start: Record<string, unknown> | undefined;
    do {
      const r: QueryCommandOutput = await rawDoc.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
          ExpressionAttributeValues: { ':pk': keys.lot(k).pk, ':from': keys.entry(k, 1).sk, ':to': keys.entry(k, 999_999_999_999).sk },
          ConsistentRead: true,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      items += r.Items?.length ?? 0;
      start = r.LastEvaluatedKey;
    } while (start);
    return items;
  };
  const raw = async (lots: LotKey[]) => {
    rawCount.take();
    const started = performance.now();
    const counts = await mapLimit(lots, RAW_WIDTH, entriesOf);
    return { ms: performance.now() - started, requests: rawCount.take().requests, items: counts.reduce((a, b) => a + b, 0) };
  };

  // Alternate which goes first, so neither always gets the warmer DynamoDB Local.
  const traces: Awaited<ReturnType<typeof trace>>[] = [];
  const raws: Awaited<ReturnType<typeof raw>>[] = [];
  for (let r = 0; r < (opts.rounds ?? 2); r++) {
    if (r % 2 === 0) {
      traces.push(await trace());
      raws.push(await raw((traces[0] as { lots: LotKey[] }).lots));
    } else {
      raws.push(await raw((traces[0] as { lots: LotKey[] }).lots));
      traces.push(await trace());
    }
  }
  traceClient.destroy();
  rawClient.destroy();
  const best = <T extends { ms: number }>(xs: T[]) => xs.reduce((a, b) => (b.ms < a.ms ? b : a));
  const t = best(traces);
  const r = best(raws);
  return {
    lots: t.lots.length,
    movements: t.movements,
    trace: { ms: t.ms, requests: t.requests },
    raw: { ms: r.ms, requests: r.requests, items: r.items },
    ratio: r.ms / t.ms,
  };
}
