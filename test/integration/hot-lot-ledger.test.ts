import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { chainLots, sweepUnchained } from '../../lib/domain/chain-ledger.js';
import { lotView } from '../../lib/domain/lots.js';
import { ProductInput, SiteInput, upsertProduct, upsertSite } from '../../lib/domain/master-data.js';
import { blastRadius } from '../../lib/domain/recall-blast-radius.js';
import type { RecordResult } from '../../lib/domain/record-movement.js';
import { recordMovements } from '../../lib/domain/record-movements.js';
import { verifyLot } from '../../lib/domain/verify-ledger.js';
import { documentClient } from '../../lib/store/document-client.js';
import { freshTable } from '../support/aws.js';
import { simulateConflicts } from '../support/conflict-sim.js';
import { depsFor } from '../support/deps.js';
import { GTIN, PRODUCTS, SITES } from '../support/fixtures.js';

/**
 * The hot lot (issue 12 item 1) on DynamoDB Local with DynamoDB's transaction-conflict rule simulated: stores sell
 * ONE lot at once, every sell sent twice at the same moment, while the sequencer chains along on the same client.
 * Sites never touch each other's items on the sell path, so the only overlaps are a sell with its own twin.
 */
const STORES = ['hl-store-a', '__proto__', 'constructor', 'toString', 'hl-store-b', 'hasOwnProperty'];
const SELLS = 6;
const LOT = 'HOT-1';
const k = { gtin: GTIN.romaine, lot: LOT };

let t: Awaited<ReturnType<typeof freshTable>>;

beforeAll(async () => {
  t = await freshTable('hot-lot');
  const d = depsFor(t.doc, t.tableName);
  for (const { gtin, ...p } of PRODUCTS) await upsertProduct(d, gtin, ProductInput.parse(p));
  for (const { siteId, ...s } of SITES) await upsertSite(d, siteId, SiteInput.parse(s));
  for (const s of STORES) await upsertSite(d, s, SiteInput.parse({ kind: 'store', name: `Store ${s}` }));
  const at = '2026-03-01T06:00:00.000Z';
  const stock = [
    { eventId: 'hl-in', type: 'receive', occurredAt: at, gtin: k.gtin, lot: LOT, quantity: 100, site: 'dc-1', counterparty: 'farm-1' },
    ...STORES.map((s, i) => ({
      eventId: `hl-tr-${i}`,
      type: 'transfer',
      occurredAt: at,
      gtin: k.gtin,
      lot: LOT,
      quantity: 10,
      site: 'dc-1',
      counterparty: s,
    })),
  ];
  const r = await recordMovements(d, stock);
  expect(r.accepted).toBe(stock.length);
});

describe('a hot lot under simulated transaction conflicts', () => {
  it('sells at every site at once, each sell sent twice, with the sequencer racing along: nothing lost, doubled or overdrawn', async () => {
    const client = new DynamoDBClient({
      endpoint: t.client.config.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    });
    // 15 ms a transaction, as the service takes: overlapping transactions on an item are refused, as DynamoDB does.
    const sim = simulateConflicts(client, { seed: 3, minLatencyMs: 15 });
    const d = depsFor(documentClient(client), t.tableName, undefined, { chain: 'deferred' });

    let selling = true;
    const sequencer = (async () => {
      while (selling) {
        await chainLots(d, [k]);
        await new Promise((res) => setTimeout(res, 20));
      }
    })();
    const answers = new Map<string, RecordResult[]>();
    await Promise.all(
      STORES.map(async (site, s) => {
        for (let n = 0; n < SELLS; n++) {
          const sell = {
            eventId: `hl-sell-${s}-${n}`,
            type: 'sell',
            occurredAt: '2026-03-01T09:00:00.000Z',
            gtin: k.gtin,
            lot: LOT,
            quantity: 1,
            site,
          };
          const twice = await Promise.all([recordMovements(d, [sell]), recordMovements(d, [sell])]);
          answers.set(
            sell.eventId,
            twice.map((r) => r.results[0] as RecordResult),
          );
        }
      }),
    );
    selling = false;
    await sequencer;

    // Every sell: accepted exactly once, and its twin answered duplicate.
    for (const [id, rs] of answers) expect(rs.map((r) => r.status).sort(), id).toEqual(['accepted', 'duplicate']);
    // Balances apply at acceptance: each store sold exactly its sells.
    const view = await lotView(d, k);
    for (const s of STORES) expect(view.balances.find((b) => b.siteId === s)?.quantity, s).toBe(10 - SELLS);
    expect(view.onHand).toBe(100 - STORES.length * SELLS);

    // The chain: whatever the sequencer left is chained by a sweep; then every movement exactly once, seq 1..n.
    await sweepUnchained(d);
    expect((await lotView(d, k)).unchained).toBe(0);
    const entries = await d.ledger.allEntries(k);
    expect(entries.map((e) => e.seq)).toEqual(entries.map((_, i) => i + 1));
    const ids = entries.map((e) => e.eventId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.filter((id) => id.startsWith('hl-sell-')).sort()).toEqual([...answers.keys()].sort());
    expect(ids).toHaveLength(1 + STORES.length + STORES.length * SELLS);
    // Each site's entries keep the order they were accepted in there: a replay in seq order never goes below zero.
    const replay = new Map<string, number>();
    for (const e of entries)
      for (const dl of e.deltas) {
        replay.set(dl.siteId, (replay.get(dl.siteId) ?? 0) + dl.quantity);
        expect(replay.get(dl.siteId), `${dl.siteId} at seq ${e.seq}`).toBeGreaterThanOrEqual(0);
      }
    const v = await verifyLot(d, k);
    expect(v, v.problem).toMatchObject({ ok: true, entries: entries.length, seq: entries.length });

    // The simulator fired (twins collide), yet no item was ever in more than two transactions at once: sites never
    // share an item on the sell path, and the sequencer touches none of the items a sell writes.
    expect(sim.counters.conflicts).toBeGreaterThan(0);
    expect(sim.counters.peakOverlap).toBe(2);
    sim.uninstall();
    client.destroy();
  }, 120_000);

  it('counts a sale not chained yet in the recall blast radius: its customer is notified', async () => {
    const d = depsFor(t.doc, t.tableName, undefined, { chain: 'deferred' });
    const sell = {
      eventId: 'hl-cust-1',
      type: 'sell',
      occurredAt: '2026-03-01T10:00:00.000Z',
      gtin: k.gtin,
      lot: LOT,
      quantity: 1,
      site: 'hl-store-a',
      counterparty: 'cust-1',
    };
    expect((await recordMovements(d, [sell])).accepted).toBe(1);
    expect((await lotView(d, k)).unchained).toBeGreaterThan(0);
    const radius = await blastRadius(d, [k], true);
    expect(radius.sites.find((s) => s.siteId === 'cust-1')).toMatchObject({ kind: 'customer', received: 1 });
    await sweepUnchained(d);
    expect((await lotView(d, k)).unchained).toBe(0);
    expect((await blastRadius(d, [k], false)).sites.find((s) => s.siteId === 'cust-1')).toMatchObject({ received: 1 });
  });
});
