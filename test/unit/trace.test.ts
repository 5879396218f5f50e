import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LotKey } from '../../lib/domain/ledger.js';
import type { Movement } from '../../lib/domain/movement.js';
import { recordMovements } from '../../lib/domain/record-movements.js';
import { traceLot } from '../../lib/domain/trace.js';
import { GTIN, mv } from '../support/fixtures.js';
import { memoryLedger } from '../support/memory-ledger.js';

type Op =
  | { kind: 'transform'; inputs: number[]; output: number; qty: number }
  | { kind: 'transfer'; lot: number; qty: number }
  | { kind: 'sell'; lot: number; qty: number; site: 'dc-1' | 'store-1' }
  | { kind: 'ship'; lot: number; qty: number };

const lotName = (i: number) => `G${i}`;
const gtinOf = (i: number) => (i % 2 === 0 ? GTIN.romaine : GTIN.tomato);

/** The reference: recomputed from the accepted movements alone, without the ledger's balances or entries. */
function reference(accepted: Movement[], root: { gtin: string; lot: string }) {
  const key = (g: string, l: string) => `${g}|${l}`;
  const edges = new Map<string, Set<string>>();
  for (const m of accepted)
    if (m.type === 'transform')
      for (const i of m.inputs ?? []) {
        const s = edges.get(key(i.gtin, i.lot)) ?? new Set<string>();
        s.add(key(m.gtin, m.lot));
        edges.set(key(i.gtin, i.lot), s);
      }
  const depth = new Map<string, number>([[key(root.gtin, root.lot), 0]]);
  let frontier = [key(root.gtin, root.lot)];
  while (frontier.length) {
    const next: string[] = [];
    for (const k of frontier)
      for (const n of edges.get(k) ?? [])
        if (!depth.has(n)) {
          depth.set(n, (depth.get(k) as number) + 1);
          next.push(n);
        }
    frontier = next;
  }
  const sites = new Map<string, { received: number; onHand: number }>();
  const add = (s: string, r: number, q: number) => {
    const x = sites.get(s) ?? { received: 0, onHand: 0 };
    sites.set(s, { received: x.received + r, onHand: x.onHand + q });
  };
  for (const m of accepted) {
    if (depth.has(key(m.gtin, m.lot))) {
      if (m.type === 'receive' || m.type === 'transform') add(m.site, m.quantity, m.quantity);
      if (m.type === 'transfer') {
        add(m.site, 0, -m.quantity);
        add(m.counterparty as string, m.quantity, m.quantity);
      }
      if (m.type === 'sell' || m.type === 'ship') {
        add(m.site, 0, -m.quantity);
        if (m.counterparty) add(m.counterparty, m.quantity, m.quantity);
      }
    }
    if (m.type === 'transform') for (const i of m.inputs ?? []) if (depth.has(key(i.gtin, i.lot))) add(m.site, 0, -i.quantity);
  }
  return { depth, sites };
}

const opArb = (lots: number) =>
  fc.oneof(
    fc.record({
      kind: fc.constant('transform' as const),
      inputs: fc.uniqueArray(fc.nat(lots - 1), { minLength: 1, maxLength: 3 }),
      output: fc.nat(lots + 3),
      qty: fc.integer({ min: 1, max: 5 }),
    }),
    fc.record({ kind: fc.constant('transfer' as const), lot: fc.nat(lots + 3), qty: fc.integer({ min: 1, max: 10 }) }),
    fc.record({
      kind: fc.constant('sell' as const),
      lot: fc.nat(lots + 3),
      qty: fc.integer({ min: 1, max: 5 }),
      site: fc.constantFrom('dc-1' as const, 'store-1' as const),
    }),
    fc.record({ kind: fc.constant('ship' as const), lot: fc.nat(lots + 3), qty: fc.integer({ min: 1, max: 5 }) }),
  );

/** Every page of a trace's movements, following nextCursor; each page has the same lots and at most `limit` movements. */
async function allMovementPages(d: Awaited<ReturnType<typeof memoryLedger>>, root: LotKey, limit: number) {
  const first = await traceLot(d, root, 'forward', { movements: true, limit });
  const out = [...first.movements];
  let cursor = first.nextCursor;
  while (cursor !== undefined) {
    const page = await traceLot(d, root, 'forward', { limit, cursor });
    expect(page.lots).toEqual(first.lots);
    expect(page.movements.length).toBeGreaterThan(0);
    expect(page.movements.length).toBeLessThanOrEqual(limit);
    out.push(...page.movements);
    cursor = page.nextCursor;
  }
  return out;
}

describe('forward trace', () => {
  it('matches an independent reference on generated supply chains, cycles and diamonds included', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 2, max: 5 }),
        fc.array(opArb(5), { maxLength: 30 }),
        fc.nat(4),
        fc.integer({ min: 1, max: 8 }),
        async (baseLots, ops: Op[], rootPick, limit) => {
          const d = await memoryLedger();
          const movements: Movement[] = [];
          for (let i = 0; i < baseLots; i++)
            movements.push(mv({ type: 'receive', gtin: gtinOf(i), lot: lotName(i), quantity: 100, counterparty: 'farm-1' }));
          for (const o of ops) {
            if (o.kind === 'transform') {
              const inputs = o.inputs.filter((i) => i !== o.output).map((i) => ({ gtin: gtinOf(i), lot: lotName(i), quantity: o.qty }));
              if (inputs.length)
                movements.push(mv({ type: 'transform', gtin: gtinOf(o.output), lot: lotName(o.output), quantity: o.qty * 2, inputs }));
            } else if (o.kind === 'transfer')
              movements.push(mv({ type: 'transfer', gtin: gtinOf(o.lot), lot: lotName(o.lot), quantity: o.qty, counterparty: 'store-1' }));
            else if (o.kind === 'sell')
              movements.push(mv({ type: 'sell', gtin: gtinOf(o.lot), lot: lotName(o.lot), quantity: o.qty, site: o.site, counterparty: 'cust-1' }));
            else movements.push(mv({ type: 'ship', gtin: gtinOf(o.lot), lot: lotName(o.lot), quantity: o.qty, counterparty: 'dist-1' }));
          }
          const report = await recordMovements(d, movements);
          const accepted = movements.filter((_, i) => report.results[i]?.status === 'accepted');
          const root = { gtin: gtinOf(rootPick % baseLots), lot: lotName(rootPick % baseLots) };
          const t = await traceLot(d, root, 'forward', { movements: false });
          const ref = reference(accepted, root);
          expect(new Map(t.lots.map((l) => [`${l.gtin}|${l.lot}`, l.depth]))).toEqual(ref.depth);
          const expectedSites = [...ref.sites.entries()]
            .filter(([, s]) => s.received > 0 || s.onHand > 0)
            .map(([siteId, s]) => ({ siteId, received: s.received, onHand: s.onHand }))
            .sort((a, b) => a.siteId.localeCompare(b.siteId));
          expect(t.sites.map(({ siteId, received, onHand }) => ({ siteId, received, onHand }))).toEqual(expectedSites);
          const held = t.lots.flatMap((l) => d.ledger.entryLog.get(`${l.gtin}|${l.lot}`) ?? []);
          expect(t.movements).toEqual([]);
          expect(t.movementsTotal).toBe(held.length);
          // Paged with `limit`, the movements come each once, in time order, until no nextCursor.
          const paged = await allMovementPages(d, root, limit);
          expect(paged.map((e) => `${e.gtin}|${e.lot}|${e.seq}`).sort()).toEqual(held.map((e) => `${e.gtin}|${e.lot}|${e.seq}`).sort());
          expect(paged.map((e) => Date.parse(e.occurredAt))).toEqual(paged.map((e) => Date.parse(e.occurredAt)).sort((a, b) => a - b));
        },
      ),
      { numRuns: 150, seed: 424242 },
    );
  });

  it('walks backward to every input lot and the sites they came from', async () => {
    const d = await memoryLedger();
    await recordMovements(d, [
      mv({ type: 'receive', gtin: GTIN.romaine, lot: 'R1', quantity: 10, counterparty: 'farm-1' }),
      mv({ type: 'receive', gtin: GTIN.tomato, lot: 'T1', quantity: 10, counterparty: 'farm-1' }),
      mv({
        type: 'transform',
        gtin: GTIN.saladKit,
        lot: 'K1',
        quantity: 4,
        inputs: [
          { gtin: GTIN.romaine, lot: 'R1', quantity: 2 },
          { gtin: GTIN.tomato, lot: 'T1', quantity: 2 },
        ],
      }),
      mv({ type: 'transform', gtin: GTIN.saladKit, lot: 'K2', quantity: 2, inputs: [{ gtin: GTIN.saladKit, lot: 'K1', quantity: 2 }] }),
    ]);
    const t = await traceLot(d, { gtin: GTIN.saladKit, lot: 'K2' }, 'backward');
    expect(t.lots.map((l) => [l.lot, l.depth])).toEqual([
      ['K2', 0],
      ['K1', 1],
      ['R1', 2],
      ['T1', 2],
    ]);
    expect(t.sites.find((s) => s.siteId === 'farm-1')).toMatchObject({ kind: 'supplier', received: 20 });
  });
  it('walks backward only to where the goods came from: not to the stores and customers the lots went on to', async () => {
    const d = await memoryLedger();
    await recordMovements(d, [
      mv({ type: 'receive', gtin: GTIN.romaine, lot: 'R1', quantity: 10, counterparty: 'farm-1' }),
      mv({ type: 'transfer', gtin: GTIN.romaine, lot: 'R1', quantity: 4, counterparty: 'store-1' }),
      mv({ type: 'transfer', gtin: GTIN.romaine, lot: 'R1', quantity: 4, counterparty: 'store-2' }),
      mv({ type: 'sell', gtin: GTIN.romaine, lot: 'R1', quantity: 1, site: 'store-2', counterparty: 'cust-1' }),
      mv({ type: 'ship', gtin: GTIN.romaine, lot: 'R1', quantity: 1, counterparty: 'dist-1' }),
      // store-1 makes kits of what it was sent: its kits came from store-1, dc-1 and farm-1, never from store-2
      mv({
        type: 'transform',
        gtin: GTIN.saladKit,
        lot: 'K1',
        quantity: 2,
        site: 'store-1',
        inputs: [{ gtin: GTIN.romaine, lot: 'R1', quantity: 2 }],
      }),
      mv({ type: 'sell', gtin: GTIN.saladKit, lot: 'K1', quantity: 1, site: 'store-1', counterparty: 'cust-1' }),
      // other units of R1 reach store-2 straight from the farm: nothing of them went into K1
      mv({ type: 'receive', gtin: GTIN.romaine, lot: 'R1', quantity: 3, site: 'store-2', counterparty: 'farm-1' }),
    ]);
    const lot = await traceLot(d, { gtin: GTIN.romaine, lot: 'R1' }, 'backward', { movements: false });
    expect(lot.sites.map((s) => s.siteId)).toEqual(['dc-1', 'farm-1', 'store-2']);
    expect(lot.sites.find((s) => s.siteId === 'dc-1')).toMatchObject({ received: 10, onHand: 1 });
    const kit = await traceLot(d, { gtin: GTIN.saladKit, lot: 'K1' }, 'backward', { movements: false });
    expect(kit.sites.map((s) => [s.siteId, s.kind])).toEqual([
      ['dc-1', 'warehouse'],
      ['farm-1', 'supplier'],
      ['store-1', 'store'],
    ]);
    // the forward trace of the same lot still reaches everyone it went to
    const forward = await traceLot(d, { gtin: GTIN.romaine, lot: 'R1' }, 'forward', { movements: false });
    expect(forward.sites.map((s) => s.siteId)).toEqual(['cust-1', 'dc-1', 'dist-1', 'store-1', 'store-2']);
    expect(kit.sites.find((s) => s.siteId === 'farm-1')).toMatchObject({ received: 10 });
  });

  it('follows an initial packing both ways: from the harvested lots to the packed lot, and back', async () => {
    const d = await memoryLedger();
    const report = await recordMovements(d, [
      mv({ type: 'harvest', gtin: GTIN.romaine, lot: 'H1', quantity: 50 }),
      mv({ type: 'harvest', gtin: GTIN.romaine, lot: 'H2', quantity: 50 }),
      mv({
        type: 'initial-pack',
        gtin: GTIN.saladKit,
        lot: 'P1',
        quantity: 20,
        inputs: [
          { gtin: GTIN.romaine, lot: 'H1', quantity: 30 },
          { gtin: GTIN.romaine, lot: 'H2', quantity: 10 },
        ],
      }),
      mv({ type: 'transfer', gtin: GTIN.saladKit, lot: 'P1', quantity: 5, counterparty: 'store-1' }),
      mv({ type: 'sell', gtin: GTIN.saladKit, lot: 'P1', quantity: 1, site: 'store-1', counterparty: 'cust-1' }),
    ]);
    expect(report).toMatchObject({ accepted: 5, rejected: 0 });
    const forward = await traceLot(d, { gtin: GTIN.romaine, lot: 'H1' }, 'forward');
    expect(forward.lots.map((l) => [l.lot, l.depth])).toEqual([
      ['H1', 0],
      ['P1', 1],
    ]);
    expect(forward.sites.map((s) => s.siteId)).toEqual(['cust-1', 'dc-1', 'store-1']);
    expect(forward.edges).toContainEqual({
      from: { gtin: GTIN.romaine, lot: 'H1' },
      to: { gtin: GTIN.saladKit, lot: 'P1' },
      quantity: 30,
      unit: 'case',
    });
    // packing names the harvested lots without taking their stock: the link is in H1's chain, with no stock change
    const link = forward.movements.find((e) => e.lot === 'H1' && e.type === 'initial-pack');
    expect(link).toMatchObject({ role: 'input', output: { gtin: GTIN.saladKit, lot: 'P1' }, quantity: 30, deltas: [] });
    expect((await d.ledger.getLot({ gtin: GTIN.romaine, lot: 'H1' }))?.balances['dc-1']).toMatchObject({ q: 50 });
    const backward = await traceLot(d, { gtin: GTIN.saladKit, lot: 'P1' }, 'backward', { movements: false });
    expect(backward.lots.map((l) => l.lot)).toEqual(['P1', 'H1', 'H2']);
    expect(backward.sites.map((s) => s.siteId)).toEqual(['dc-1']);
  });
});
