import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { systemClock } from '../lib/domain/clock.js';
import type { LotKey } from '../lib/domain/ledger.js';
import { ProductInput, SiteInput } from '../lib/domain/master-data.js';
import type { Movement } from '../lib/domain/movement.js';
import { recordMovements } from '../lib/domain/record-movements.js';
import { traceLot } from '../lib/domain/trace.js';
import { documentClient } from '../lib/store/document-client.js';
import { DynamoLedgerStore } from '../lib/store/dynamo-ledger-store.js';
import { DynamoMasterDataStore } from '../lib/store/dynamo-master-data-store.js';

const GTIN_A = '00614141000012';
const GTIN_B = '00614141000036';

/** A DynamoDB client that counts the requests it sends. */
export function countingClient() {
  const client = new DynamoDBClient({});
  const counter = { requests: 0 };
  client.middlewareStack.add(
    (next) => async (args) => {
      counter.requests++;
      return next(args);
    },
    { step: 'finalizeRequest', name: 'countRequests' },
  );
  return { client, counter };
}

async function seedMaster(master: DynamoMasterDataStore, sites: { siteId: string; kind: string; name: string }[]) {
  const now = new Date().toISOString();
  for (const g of [GTIN_A, GTIN_B])
    await master.putProduct({ ...ProductInput.parse({ description: `bench ${g}`, ftl: true }), gtin: g, createdAt: now, updatedAt: now });
  const queue = [...sites];
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      for (let s = queue.shift(); s; s = queue.shift())
        await master.putSite({ ...SiteInput.parse({ kind: s.kind, name: s.name }), siteId: s.siteId, createdAt: now, updatedAt: now });
    }),
  );
}

/**
 * A graph of `lots` lots (a root, the rest made by transforms from 1-3 earlier lots, so every lot descends from the
 * root) with `movements` movements in all, recorded through recordMovements; returns the root.
 */
export async function seedTraceGraph(tableName: string, opts: { lots: number; movements: number }): Promise<LotKey> {
  const doc = documentClient();
  const ledger = new DynamoLedgerStore(doc, tableName);
  const master = new DynamoMasterDataStore(doc, tableName);
  const run = randomUUID().slice(0, 5);
  await seedMaster(master, [
    { siteId: 'tb-dc', kind: 'warehouse', name: 'DC' },
    { siteId: 'tb-store', kind: 'store', name: 'Store' },
    { siteId: 'tb-dist', kind: 'distributor', name: 'Distributor' },
  ]);
  const d = { ledger, clock: systemClock, newToken: randomUUID };
  const lot = (i: number) => `TB${run}-${i}`;
  const gtin = (i: number) => (i === 0 ? GTIN_A : GTIN_B);
  const at = (n: number) => new Date(Date.UTC(2026, 2, 1) + n * 1000).toISOString();
  let n = 0;
  const ev = () => `${run}-${n++}`;
  // Creation, level by level so inputs exist before they are consumed.
  await recordMovements(d, [{ eventId: ev(), type: 'receive', occurredAt: at(n), gtin: GTIN_A, lot: lot(0), quantity: 1_000_000, site: 'tb-dc' }]);
  const rand = mulberry(7);
  const made: number[] = [0];
  for (let start = 1; start < opts.lots; start += 200) {
    const batch: Movement[] = [];
    for (let i = start; i < Math.min(opts.lots, start + 200); i++) {
      const picks = new Set([made[Math.floor(rand() * made.length)] as number, made[Math.floor(rand() * made.length)] as number]);
      batch.push({
        eventId: ev(),
        type: 'transform',
        occurredAt: at(n),
        gtin: gtin(i),
        lot: lot(i),
        quantity: 100_000,
        site: 'tb-dc',
        inputs: [...picks].map((p) => ({ gtin: gtin(p), lot: lot(p), quantity: 1 })),
      } as Movement);
    }
    await recordMovements(d, batch);
    for (let i = start; i < Math.min(opts.lots, start + 200); i++) made.push(i);
  }
  // The rest: transfers, shipments and sales spread over all lots.
  const rest: Movement[] = [];
  for (let k = n; k < opts.movements; k++) {
    const i = k % opts.lots;
    const kind = k % 3;
    const base = { eventId: ev(), occurredAt: at(k), gtin: gtin(i), lot: lot(i), quantity: 1, site: 'tb-dc' };
    rest.push(
      (kind === 0
        ? { ...base, type: 'transfer', counterparty: 'tb-store' }
        : kind === 1
          ? { ...base, type: 'ship', counterparty: 'tb-dist' }
          : { ...base, type: 'sell' }) as Movement,
    );
  }
  for (let i = 0; i < rest.length; i += 500) await recordMovements(d, rest.slice(i, i + 500));
  return { gtin: GTIN_A, lot: lot(0) };
}

/** The graph of seedTraceGraph, then a forward trace of its root: milliseconds and DynamoDB requests. */
export async function traceBenchmark(tableName: string, opts: { lots: number; movements: number }) {
  const root = await seedTraceGraph(tableName, opts);
  const { client, counter } = countingClient();
  const cdoc = documentClient(client);
  const cstore = new DynamoLedgerStore(cdoc, tableName);
  const started = performance.now();
  const t = await traceLot({ ledger: cstore, master: new DynamoMasterDataStore(cdoc, tableName) }, root, 'forward', { movements: false });
  const ms = performance.now() - started;
  client.destroy();
  return { lots: t.lots.length, movements: t.movementsTotal, sites: t.sites.length, ms, requests: counter.requests };
}

function mulberry(seed: number) {
  let a = seed;
  return () => {
    a |= 0;
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
