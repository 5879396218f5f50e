import { randomUUID } from 'node:crypto';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { systemClock } from '../lib/domain/clock.js';
import type { Movement } from '../lib/domain/movement.js';
import { recordMovements } from '../lib/domain/record-movements.js';
import { documentClient } from '../lib/store/document-client.js';
import { DynamoLedgerStore } from '../lib/store/dynamo-ledger-store.js';
import { keys } from '../lib/store/keys.js';

const GTIN_A = '00614141000012';
const GTIN_B = '00614141000036';

type Item = Record<string, unknown>;

/** Items written with BatchWriteItem, 25 a request, 8 requests in flight, unprocessed ones sent again. */
async function batchWrite(tableName: string, items: Item[]) {
  const doc = documentClient();
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < items.length) {
        const from = next;
        next += 25;
        let pending: { PutRequest: { Item: Item } }[] | undefined = items.slice(from, from + 25).map((Item) => ({ PutRequest: { Item } }));
        while (pending?.length) {
          const r = await doc.send(new BatchWriteCommand({ RequestItems: { [tableName]: pending } }));
          pending = r.UnprocessedItems?.[tableName] as typeof pending;
        }
      }
    }),
  );
}

/**
 * A lot made into 100 products, sold to `customers` customers (sites of kind customer, each with an email contact);
 * then POST /recalls, and the time until every customer's email is in the SES emulator. Customers are seeded as the
 * site writer stores them (SITE# and CONTACT# items) with BatchWriteItem; the sales go through recordMovements.
 */
export async function recallBenchmark(
  tableName: string,
  opts: {
    customers: number;
    post: (path: string, body: unknown) => Promise<unknown>;
    put: (path: string, body: unknown) => Promise<void>;
    emailed: (recallId: string) => Promise<number>;
  },
) {
  const run = randomUUID().slice(0, 5);
  const now = new Date().toISOString();
  const ids = Array.from({ length: opts.customers }, (_, i) => `rc${run}-c${i}`);
  const seedStarted = performance.now();
  await batchWrite(tableName, [
    { ...keys.site('rb-store'), entity: 'site', siteId: 'rb-store', kind: 'store', name: 'Store', createdAt: now, updatedAt: now },
    ...ids.flatMap((siteId, i) => [
      { ...keys.site(siteId), entity: 'site', siteId, kind: 'customer', name: `Customer ${i}`, createdAt: now, updatedAt: now },
      { ...keys.contact(siteId), entity: 'contact', siteId, email: `${siteId}@example.com`, updatedAt: now },
    ]),
  ]);
  await opts.put(`/products/${GTIN_B}`, { description: 'bench recall kit', ftl: true });
  const ledger = new DynamoLedgerStore(documentClient(), tableName);
  const d = { ledger, clock: systemClock, newToken: randomUUID };
  // Every seeded movement must be recorded: busy ones are sent again, a refusal stops the bench (it would measure nothing).
  const record = async (movements: Movement[]) => {
    for (let left = movements, round = 0; left.length; round++) {
      const report = await recordMovements(d, left);
      const refused = report.results.find((x) => x.status === 'rejected' && x.code !== 'busy');
      if (refused) throw new Error(`recall bench: a seeded movement was refused: ${JSON.stringify(refused)}`);
      const busy = new Set(report.results.filter((x) => x.code === 'busy').map((x) => x.eventId));
      if (busy.size && round > 20) throw new Error(`recall bench: ${busy.size} movements still busy after 20 rounds`);
      left = left.filter((m) => busy.has(m.eventId));
    }
  };
  const root = `RB${run}`;
  let n = 0;
  const at = () => new Date(Date.UTC(2026, 2, 1) + n * 1000).toISOString();
  const ev = () => `rb${run}-${n++}`;
  await record([{ eventId: ev(), type: 'receive', occurredAt: at(), gtin: GTIN_A, lot: root, quantity: 10_000, site: 'rb-store' } as Movement]);
  const kids = 100;
  const per = Math.ceil(opts.customers / kids);
  await record(
    Array.from({ length: kids }, (_, k) => ({
      eventId: ev(),
      type: 'transform',
      occurredAt: at(),
      gtin: GTIN_B,
      lot: `${root}-${k}`,
      quantity: per,
      site: 'rb-store',
      inputs: [{ gtin: GTIN_A, lot: root, quantity: 1 }],
    })) as Movement[],
  );
  const sales = ids.map((c, i) => ({
    eventId: ev(),
    type: 'sell',
    occurredAt: at(),
    gtin: GTIN_B,
    lot: `${root}-${Math.floor(i / per)}`,
    quantity: 1,
    site: 'rb-store',
    counterparty: c,
  })) as Movement[];
  const batches: Movement[][] = [];
  for (let i = 0; i < sales.length; i += 500) batches.push(sales.slice(i, i + 500));
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      for (let b = batches.shift(); b; b = batches.shift()) await record(b);
    }),
  );
  // A recall comes long after the sales: wait until the sequencer has chained every seeded movement, so the POST below
  // is measured on its own and not against the chaining of the seed.
  for (const waitUntil = Date.now() + 600_000; Date.now() < waitUntil; ) {
    if ((await ledger.unchainedLots()).length === 0) break;
    await new Promise((res) => setTimeout(res, 500));
  }
  const seedMs = performance.now() - seedStarted;
  console.error(`[recall bench] seeded ${opts.customers} customers in ${(seedMs / 1000).toFixed(1)} s`);

  const started = performance.now();
  const r = (await opts.post('/recalls', {
    lots: [{ gtin: GTIN_A, lot: root }],
    classification: 'I',
    reason: 'benchmark',
    hazard: 'benchmark hazard',
    instructions: 'benchmark instructions',
  })) as { recallId: string; notices: number; traceMillis: number };
  const answeredMs = performance.now() - started;
  console.error(`[recall bench] POST /recalls answered in ${answeredMs.toFixed(0)} ms`);
  let shown = 0;
  const deadline = Date.now() + 3_600_000;
  let emailed = 0;
  let firstAt: number | undefined;
  for (;;) {
    emailed = await opts.emailed(r.recallId);
    if (emailed > 0 && firstAt === undefined) firstAt = performance.now();
    if (emailed >= opts.customers || Date.now() > deadline) break;
    if (performance.now() - started > shown + 15_000) {
      shown = performance.now() - started;
      console.error(`[recall bench] ${emailed} emails after ${(shown / 1000).toFixed(0)} s`);
    }
    await new Promise((res) => setTimeout(res, 250));
  }
  const seconds = (performance.now() - started) / 1000;
  return {
    customers: opts.customers,
    notices: r.notices,
    emailed,
    traceMillis: r.traceMillis,
    answeredMs,
    seconds,
    firstEmailMs: (firstAt ?? performance.now()) - started,
    seedMs,
    perSec: emailed / seconds,
  };
}
