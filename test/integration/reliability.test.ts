import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { makePostMovements } from '../../functions/post-movements.js';
import { lotView } from '../../lib/domain/lots.js';
import { ProductInput, SiteInput, upsertProduct, upsertSite } from '../../lib/domain/master-data.js';
import { recordMovements } from '../../lib/domain/record-movements.js';
import { verifyAll } from '../../lib/domain/verify-ledger.js';
import { documentClient } from '../../lib/store/document-client.js';
import { freshTable } from '../support/aws.js';
import { depsFor } from '../support/deps.js';
import { injectFaults } from '../support/faults.js';
import { GTIN, mv, PRODUCTS, SITES } from '../support/fixtures.js';
import { call } from '../support/http.js';

let t: Awaited<ReturnType<typeof freshTable>>;
let d: ReturnType<typeof depsFor>;

beforeAll(async () => {
  t = await freshTable('reliability');
  d = depsFor(t.doc, t.tableName);
  for (const { gtin, ...p } of PRODUCTS) await upsertProduct(d, gtin, ProductInput.parse(p));
  for (const { siteId, ...s } of SITES) await upsertSite(d, siteId, SiteInput.parse(s));
});

/** Deps over a client of their own, with faults injected into it. */
function faultyDeps(rates: Parameters<typeof injectFaults>[1], seed?: number) {
  const client = new DynamoDBClient(clientConfig());
  const counters = injectFaults(client, rates, seed);
  return { deps: depsFor(documentClient(client), t.tableName), counters };
}
const clientConfig = () => ({
  endpoint: t.client.config.endpoint,
  region: 'us-east-1',
  credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  maxAttempts: 6,
});

describe('concurrency on the real table', () => {
  it('accepts exactly one of two concurrent receipts of the same serial', async () => {
    const a = mv({ type: 'receive', gtin: GTIN.phone, lot: 'C1', quantity: 1, serials: ['DUP-1'], counterparty: 'farm-1' });
    const b = mv({ type: 'receive', gtin: GTIN.phone, lot: 'C2', quantity: 1, serials: ['DUP-1'], counterparty: 'farm-1' });
    const [ra, rb] = await Promise.all([recordMovements(d, [a]), recordMovements(d, [b])]);
    const statuses = [ra.results[0]?.status, rb.results[0]?.status].sort();
    expect(statuses).toEqual(['accepted', 'rejected']);
  });

  it('never oversells: 30 concurrent ships of 3 against 64 units', async () => {
    await recordMovements(d, [mv({ type: 'receive', lot: 'OVS', quantity: 64, counterparty: 'farm-1' })]);
    const ships = Array.from({ length: 30 }, () => mv({ type: 'ship', lot: 'OVS', quantity: 3, counterparty: 'dist-1' }));
    const reports = await Promise.all(ships.map((s) => recordMovements(d, [s])));
    const accepted = reports.filter((r) => r.accepted === 1).length;
    const lot = await lotView(d, { gtin: GTIN.romaine, lot: 'OVS' });
    expect(accepted).toBe(21);
    expect(lot.onHand).toBe(1);
    expect(reports.every((r) => r.results[0]?.status === 'accepted' || r.results[0]?.code === 'insufficient_stock')).toBe(true);
    expect((await verifyAll(d, GTIN.romaine)).ok).toBe(true);
  }, 300_000); // 30 writers on one lot retry with backoff; slow on a loaded 2-core machine

  it('leaves the effect of one when the same batch is sent twice, or a run is retried halfway', async () => {
    const batch = [
      mv({ type: 'receive', lot: 'RT', quantity: 10, counterparty: 'farm-1' }),
      ...Array.from({ length: 9 }, () => mv({ type: 'sell', lot: 'RT', quantity: 1 })),
    ];
    await recordMovements(d, batch.slice(0, 4)); // the first run died after 4 records
    const retry = await recordMovements(d, batch);
    const again = await recordMovements(d, batch);
    expect(retry).toMatchObject({ accepted: 6, duplicates: 4, rejected: 0 });
    expect(again).toMatchObject({ accepted: 0, duplicates: 10, rejected: 0 });
    expect((await lotView(d, { gtin: GTIN.romaine, lot: 'RT' })).onHand).toBe(1);
  });
});

describe('faults DynamoDB Local never produces, injected', () => {
  it('records a movement once when its transaction commits but the response is lost', async () => {
    const { deps, counters } = faultyDeps({ lostResponse: 1 });
    const m = mv({ type: 'receive', lot: 'LOST', quantity: 4, counterparty: 'farm-1' });
    const r = await recordMovements(deps, [m]);
    expect(counters.lostResponses).toBeGreaterThan(0);
    expect(r.results[0]?.status).toBe('accepted');
    const lot = await lotView(d, { gtin: GTIN.romaine, lot: 'LOST' });
    expect(lot).toMatchObject({ onHand: 4, seq: 1 });
  });

  it('loses and doubles nothing under throttling, unprocessed keys and transaction conflicts, and answers no 5xx', async () => {
    const { deps, counters } = faultyDeps({ throttle: 0.15, unprocessed: 0.5, conflict: 0.3, lostResponse: 0.1 }, 7);
    const lots = ['F1', 'F2', 'F3', 'F4'];
    const movements = lots.flatMap((lot) => [
      mv({ type: 'receive', lot, quantity: 50, counterparty: 'farm-1' }),
      ...Array.from({ length: 10 }, () => mv({ type: 'sell', lot, quantity: 2 })),
      mv({ type: 'transfer', lot, quantity: 5, counterparty: 'store-1' }),
    ]);
    // The storm can outlast the API function's 30 s on a loaded machine: what is left then is answered `busy`, which
    // says sending it again is safe, and a client does so. Nothing may be a 5xx, or anything but accepted or busy.
    type Report = { accepted: number; duplicates: number; results: { index: number; status: string; code?: string }[] };
    let pending = movements;
    let recorded = 0;
    for (let round = 0; round < 5 && pending.length > 0; round++) {
      const res = await call<Report>(makePostMovements(deps), 'POST', '/movements', { movements: pending });
      expect(res.status).toBe(200);
      // a record answered busy while in flight may have landed: its resend is then a duplicate
      const allowed = (r: Report['results'][number]) => r.status === 'accepted' || r.code === 'busy' || (round > 0 && r.status === 'duplicate');
      expect(res.body.results.filter((r) => !allowed(r))).toEqual([]);
      recorded += res.body.accepted + (round > 0 ? res.body.duplicates : 0);
      pending = res.body.results.filter((r) => r.code === 'busy').map((r) => pending[r.index] as (typeof movements)[number]);
    }
    expect(pending).toEqual([]);
    expect(recorded).toBe(movements.length);
    expect(counters.throttled + counters.unprocessed + counters.conflicts + counters.lostResponses).toBeGreaterThan(10);
    for (const lot of lots) {
      const v = await lotView(d, { gtin: GTIN.romaine, lot });
      expect(v).toMatchObject({ onHand: 30, seq: 12 });
    }
    // A second send after the storm is all duplicates.
    expect((await recordMovements(d, movements)).duplicates).toBe(movements.length);
    expect((await verifyAll(d, GTIN.romaine)).ok).toBe(true);
  }, 180_000);
});

describe('invariants over random movement sequences (fast-check, real table)', () => {
  it('keeps every balance equal to the sum of its ledger deltas and never negative', async () => {
    const sites = ['dc-1', 'store-1', 'store-2'];
    const op = fc.record({
      type: fc.constantFrom('receive', 'ship', 'transfer', 'sell', 'return', 'adjust', 'dispose'),
      site: fc.constantFrom(...sites),
      to: fc.constantFrom(...sites),
      quantity: fc.integer({ min: 1, max: 20 }),
      negative: fc.boolean(),
    });
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 25 }), async (ops) => {
        const lot = `PR${run++}`;
        const movements = ops.map((o) =>
          mv({
            type: o.type as never,
            lot,
            site: o.site,
            quantity: o.type === 'adjust' && o.negative ? -o.quantity : o.quantity,
            ...(o.type === 'transfer' ? { counterparty: o.to === o.site ? sites[(sites.indexOf(o.site) + 1) % 3] : o.to } : {}),
            ...(o.type === 'ship' ? { counterparty: 'dist-1' } : {}),
          }),
        );
        await recordMovements(d, movements);
        const state = await d.ledger.getLot({ gtin: GTIN.romaine, lot });
        if (!state) return; // every record was refused: nothing to check
        const sums = new Map<string, number>();
        for (const e of await d.ledger.allEntries({ gtin: GTIN.romaine, lot }))
          for (const x of e.deltas) sums.set(x.siteId, Math.round(((sums.get(x.siteId) ?? 0) + x.quantity) * 1000) / 1000);
        for (const s of sites) {
          const q = state.balances[s]?.q ?? 0;
          expect(q).toBeGreaterThanOrEqual(0);
          expect(q).toBe(sums.get(s) ?? 0);
        }
      }),
      { numRuns: 25, seed: 20261129 },
    );
  });
});
