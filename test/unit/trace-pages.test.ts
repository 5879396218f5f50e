import { describe, expect, it, vi } from 'vitest';
import type { Clock } from '../../lib/domain/clock.js';
import type { LedgerEntry, LotKey } from '../../lib/domain/ledger.js';
import type { Movement } from '../../lib/domain/movement.js';
import { recordMovements } from '../../lib/domain/record-movements.js';
import { type TraceResult, type TraceWalk, traceLot } from '../../lib/domain/trace.js';
import { traceEdges } from '../../lib/domain/trace-edges.js';
import { TraceWalks } from '../../lib/domain/trace-walks.js';
import { GTIN, mv } from '../support/fixtures.js';
import { memoryLedger } from '../support/memory-ledger.js';

type Ledger = Awaited<ReturnType<typeof memoryLedger>>;
const ROOT: LotKey = { gtin: GTIN.romaine, lot: 'ROOT' };
const made = (i: number): LotKey => ({ gtin: GTIN.saladKit, lot: `K${i}` });
const day = (d: number) => `2026-02-${String(d).padStart(2, '0')}T08:00:00Z`;

/** A root lot and `lots` lots made from it, each sold a few times on different days: a fan-out with many movements. */
async function fanOut(d: Ledger, lots: number) {
  const movements: Movement[] = [mv({ type: 'receive', ...ROOT, quantity: lots * 10, counterparty: 'farm-1', occurredAt: day(1) })];
  for (let i = 0; i < lots; i++) {
    movements.push(mv({ type: 'transform', ...made(i), quantity: 6, inputs: [{ ...ROOT, quantity: 2 }], occurredAt: day(2 + (i % 5)) }));
    for (let s = 0; s < 2; s++)
      movements.push(mv({ type: 'sell', ...made(i), quantity: 1, counterparty: 'cust-1', occurredAt: day(8 + ((i + s) % 10)) }));
  }
  const report = await recordMovements(d, movements);
  expect(report.rejected).toBe(0);
}

const clockAt = (start: string) => {
  let t = Date.parse(start);
  const clock: Clock = { now: () => new Date(t) };
  const advance = (ms: number) => {
    t += ms;
  };
  return { clock, advance };
};
let ids = 0;
const walksStore = (clock: Clock, opts?: { ttlMs: number; maxMovements: number }) => new TraceWalks<TraceWalk>(clock, () => `w${++ids}`, opts);
const idOf = (e: Pick<LedgerEntry, 'gtin' | 'lot' | 'seq'>) => `${e.gtin}|${e.lot}|${e.seq}`;
const heldBy = (d: Ledger, lots: TraceResult['lots']) => lots.flatMap((l) => d.ledger.entryLog.get(`${l.gtin}|${l.lot}`) ?? []);

/** Every page, following nextCursor; `between` runs before each next page. */
async function pages(d: Ledger & { traceWalks?: TraceWalks<TraceWalk> }, limit: number, between: (n: number) => Promise<void> = async () => {}) {
  const first = await traceLot(d, ROOT, 'forward', { movements: true, limit });
  const all = [first];
  let cursor = first.nextCursor;
  while (cursor !== undefined) {
    await between(all.length);
    const page = await traceLot(d, ROOT, 'forward', { limit, cursor });
    all.push(page);
    cursor = page.nextCursor;
  }
  return all;
}

describe('trace movement pages from one walk', () => {
  it('walk the graph once: later pages read no lot, and every movement comes exactly once in time order', async () => {
    // Prepare
    const d = await memoryLedger();
    await fanOut(d, 300);
    const traceWalks = walksStore(d.clock);
    const reads = vi.spyOn(d.ledger, 'lotPartition');
    // Act
    const all = await pages({ ...d, traceWalks }, 97, async () => {
      reads.mockClear();
    });
    // Assess
    expect(reads).not.toHaveBeenCalled(); // the last page read nothing either
    const first = all[0] as TraceResult;
    expect(first.lots).toHaveLength(301);
    const listed = all.flatMap((p) => p.movements);
    const held = heldBy(d, first.lots);
    expect(held.length).toBe(1 + 300 * 4); // the root's receipt and 300 inputs; each made lot's output and two sales
    expect(listed.map(idOf).sort()).toEqual(held.map(idOf).sort());
    expect(new Set(listed.map(idOf)).size).toBe(listed.length);
    const times = listed.map((e) => Date.parse(e.occurredAt));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    for (const p of all) {
      expect(p.lots).toBe(first.lots);
      expect(p.movementsTotal).toBe(held.length);
      expect(p.movements.length).toBeLessThanOrEqual(97);
    }
  });

  it('give each movement once under concurrent ingest, whether the walk is kept or walked again', async () => {
    for (const kept of [true, false]) {
      // Prepare
      const d = await memoryLedger();
      await fanOut(d, 120);
      const { clock } = clockAt('2026-03-01T12:00:00Z');
      const before = new Set(heldBy(d, (await traceLot(d, ROOT, 'forward')).lots).map(idOf));
      let n = 0;
      // New movements of traced lots, dated before, inside and after the pages' span, and a new made lot.
      const ingest = async () => {
        n++;
        await recordMovements(d, [
          mv({ type: 'sell', ...made(n), quantity: 1, counterparty: 'cust-1', occurredAt: day(1 + (n % 27)) }),
          mv({ type: 'transform', ...made(1000 + n), quantity: 2, inputs: [{ ...ROOT, quantity: 1 }], occurredAt: day(20) }),
        ]);
      };
      // Act: ingest between the pages and while each page is read.
      const all = await pages({ ...d, ...(kept ? { traceWalks: walksStore(clock) } : {}) }, 41, async () => {
        await ingest();
        void ingest();
      });
      // Assess
      const listed = all.flatMap((p) => p.movements).map(idOf);
      expect(new Set(listed).size).toBe(listed.length);
      for (const id of before) expect(listed).toContain(id);
      if (kept) expect(listed.length).toBe(before.size); // every page is the first page's walk
    }
  });

  it('walk again where the walk is not kept: expired, evicted, or named by a cursor of another trace', async () => {
    // Prepare
    const d = await memoryLedger();
    await fanOut(d, 40);
    await recordMovements(d, [mv({ type: 'receive', gtin: GTIN.tomato, lot: 'OTHER', quantity: 5, counterparty: 'farm-1' })]);
    const { clock, advance } = clockAt('2026-03-01T12:00:00Z');
    const traceWalks = walksStore(clock, { ttlMs: 60_000, maxMovements: 400 });
    const reads = vi.spyOn(d.ledger, 'lotPartition');
    const first = await traceLot({ ...d, traceWalks }, ROOT, 'forward', { movements: true, limit: 10 });
    expect(traceWalks.size).toBe(1);
    // Act and assess: kept, the next page reads nothing
    reads.mockClear();
    const second = await traceLot({ ...d, traceWalks }, ROOT, 'forward', { limit: 10, cursor: first.nextCursor });
    expect(reads).not.toHaveBeenCalled();
    // another trace's URL with this cursor walks its own graph
    const other = await traceLot({ ...d, traceWalks }, { gtin: GTIN.tomato, lot: 'OTHER' }, 'forward', { limit: 10, cursor: second.nextCursor });
    expect(other.lots.map((l) => l.lot)).toEqual(['OTHER']);
    expect(reads).toHaveBeenCalled();
    // expired: walked again, and the page still starts after the cursor
    advance(61_000);
    reads.mockClear();
    const third = await traceLot({ ...d, traceWalks }, ROOT, 'forward', { limit: 10, cursor: second.nextCursor });
    expect(reads).toHaveBeenCalled();
    const seen = [...first.movements, ...second.movements, ...third.movements].map(idOf);
    expect(new Set(seen).size).toBe(30);
    // a walk larger than the whole store is not kept, and its pages still follow
    const small = walksStore(clock, { ttlMs: 60_000, maxMovements: 100 });
    const big = await traceLot({ ...d, traceWalks: small }, ROOT, 'forward', { movements: true, limit: 10 });
    expect(small.size).toBe(0);
    expect(big.nextCursor).toBeDefined();
  });

  it('keeps the most recently used walks within its movement budget', () => {
    const { clock } = clockAt('2026-03-01T12:00:00Z');
    const store = new TraceWalks<{ movements: number; name: string }>(clock, () => `w${++ids}`, { ttlMs: 60_000, maxMovements: 10 });
    const a = store.put({ movements: 4, name: 'a' }) as string;
    const b = store.put({ movements: 4, name: 'b' }) as string;
    expect(store.get(a)?.name).toBe('a'); // a is now the most recently used
    const c = store.put({ movements: 4, name: 'c' }) as string;
    expect(store.get(b)).toBeUndefined();
    expect(store.get(a)?.name).toBe('a');
    expect(store.get(c)?.name).toBe('c');
    expect(store.put({ movements: 11, name: 'too big' })).toBeUndefined();
  });
});

describe('the trace graph answer', () => {
  it('carries the edges, quantities summed, without any movement', async () => {
    // Prepare
    const d = await memoryLedger();
    await fanOut(d, 30);
    // Act
    const t = await traceLot(d, ROOT, 'forward', { movements: false });
    // Assess
    expect(t.movements).toEqual([]);
    const edge = (from: object, to: object) =>
      t.edges.filter((e) => JSON.stringify(e.from) === JSON.stringify(from) && JSON.stringify(e.to) === JSON.stringify(to));
    expect(edge(ROOT, { siteId: 'dc-1' })).toEqual([{ from: ROOT, to: { siteId: 'dc-1' }, quantity: 300, unit: 'case' }]);
    expect(edge({ siteId: 'farm-1' }, ROOT)).toEqual([]); // a supplier is a site of the backward trace
    for (let i = 0; i < 30; i++) {
      expect(edge(ROOT, made(i))[0]?.quantity).toBe(2);
      expect(edge(made(i), { siteId: 'dc-1' })[0]?.quantity).toBe(6);
      expect(edge(made(i), { siteId: 'cust-1' })[0]?.quantity).toBe(2);
    }
    expect(t.edges).toHaveLength(1 + 30 * 3);
    const back = await traceLot(d, made(7), 'backward');
    expect(back.edges.find((e) => 'siteId' in e.from && e.from.siteId === 'farm-1')).toEqual({
      from: { siteId: 'farm-1' },
      to: ROOT,
      quantity: 300,
      unit: 'case',
    });
    // the same edges as drawn from every movement page
    const all = (await pages(d, 25)).flatMap((p) => p.movements);
    const key = (e: (typeof t.edges)[number]) => JSON.stringify(e);
    expect(
      traceEdges(t.lots, new Set(t.sites.map((s) => s.siteId)), all)
        .map(key)
        .sort(),
    ).toEqual(t.edges.map(key).sort());
  });
});
