import { randomUUID } from 'node:crypto';
import { BatchWriteItemCommand, DeleteTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ensureTable } from '../infra/local/provision.js';

type Post = (path: string, body: unknown) => Promise<unknown>;
const GTINS = ['00614141000012', '00614141000029'];

/** Raw BatchWriteItem rate (items/s) into a scratch table: the ceiling any ingest on this DynamoDB Local can reach. */
export async function rawBatchWriteRate(ddb: DynamoDBClient, items: number, writers: number): Promise<{ itemsPerSec: number; ms: number }> {
  const table = `bench-scratch-${randomUUID().slice(0, 8)}`;
  await ensureTable(ddb, table);
  const payload = 'x'.repeat(400); // about the size of a ledger entry
  let next = 0;
  const started = performance.now();
  const writer = async () => {
    while (next < items) {
      const from = next;
      next += 25;
      const reqs = [];
      for (let i = from; i < Math.min(from + 25, items); i++)
        reqs.push({ PutRequest: { Item: { pk: { S: `P#${i}` }, sk: { S: 'S' }, payload: { S: payload }, n: { N: String(i) } } } });
      let pending: typeof reqs | undefined = reqs;
      while (pending?.length) {
        const r = await ddb.send(new BatchWriteItemCommand({ RequestItems: { [table]: pending } }));
        pending = r.UnprocessedItems?.[table] as typeof reqs | undefined;
      }
    }
  };
  await Promise.all(Array.from({ length: writers }, writer));
  const ms = performance.now() - started;
  await ddb.send(new DeleteTableCommand({ TableName: table }));
  return { itemsPerSec: (items / ms) * 1000, ms };
}

/** 200 lots × 100 movements (receive, then transfers, sales and returns), sent by `clients` concurrent clients in batches of 500. */
export async function ingestBenchmark(post: Post, opts: { lots: number; perLot: number; clients: number }) {
  const run = randomUUID().slice(0, 6);
  const lotsPerClient = Math.ceil(opts.lots / opts.clients);
  const perBatch = Math.max(1, Math.floor(500 / lotsPerClient));
  const movementsOf = (lotNo: number) => {
    const gtin = GTINS[lotNo % 2] as string;
    const lot = `B${run}-${lotNo}`;
    const out: Record<string, unknown>[] = [];
    const at = (i: number) => new Date(Date.UTC(2026, 2, 1, 8, 0, i)).toISOString();
    out.push({
      eventId: `${lot}-0`,
      type: 'receive',
      occurredAt: at(0),
      gtin,
      lot,
      quantity: 10_000,
      site: 'bench-dc',
      counterparty: 'bench-farm',
      expiry: '2027-12-31',
    });
    for (let i = 1; i < opts.perLot; i++) {
      const kind = i % 10;
      const base = { eventId: `${lot}-${i}`, occurredAt: at(i), gtin, lot };
      if (kind < 3) out.push({ ...base, type: 'transfer', quantity: 5, site: 'bench-dc', counterparty: `bench-store-${i % 4}` });
      else if (kind < 9) out.push({ ...base, type: 'sell', quantity: 1, site: 'bench-dc' });
      else out.push({ ...base, type: 'return', quantity: 1, site: 'bench-dc', reason: 'unwanted' });
    }
    return out;
  };
  let accepted = 0;
  let rejected = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: opts.clients }, async (_, c) => {
      const mine = Array.from({ length: lotsPerClient }, (_, i) => c * lotsPerClient + i).filter((n) => n < opts.lots);
      const streams = mine.map(movementsOf);
      // Interleave lots so a batch holds many independent chains the server can run side by side.
      for (let off = 0; off < opts.perLot; off += perBatch) {
        const batch = streams.flatMap((s) => s.slice(off, off + perBatch));
        for (let i = 0; i < batch.length; i += 500) {
          const r = (await post('/movements', { movements: batch.slice(i, i + 500) })) as { accepted: number; rejected: number };
          accepted += r.accepted;
          rejected += r.rejected;
        }
      }
    }),
  );
  const ms = performance.now() - started;
  return {
    movements: opts.lots * opts.perLot,
    accepted,
    rejected,
    ms,
    movementsPerSec: (accepted / ms) * 1000,
    itemsPerSec: ((accepted * 3) / ms) * 1000,
  };
}
