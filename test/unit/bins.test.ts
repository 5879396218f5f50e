import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { choosePutaway, unbinnedOf, withBinChange } from '../../lib/domain/bins.js';
import { entryHashOk, type LedgerEntry } from '../../lib/domain/ledger.js';
import { lotView } from '../../lib/domain/lots.js';
import { SiteInput, upsertSite } from '../../lib/domain/master-data.js';
import type { Movement } from '../../lib/domain/movement.js';
import { pickList } from '../../lib/domain/pick.js';
import { putaway } from '../../lib/domain/putaway.js';
import { recordMovements } from '../../lib/domain/record-movements.js';
import { InMemoryLotIndex } from '../support/alerts.js';
import { GTIN, mv } from '../support/fixtures.js';
import { memoryLedger } from '../support/memory-ledger.js';

const L1 = { gtin: GTIN.romaine, lot: 'L1' };

/** The fixture ledger with bins A1, A2, A3 at dc-1 and S1, S2 at store-1. */
async function binned() {
  const d = await memoryLedger();
  await upsertSite(d, 'dc-1', SiteInput.parse({ kind: 'warehouse', name: 'DC One', bins: ['A1', 'A2', 'A3'] }));
  await upsertSite(d, 'store-1', SiteInput.parse({ kind: 'store', name: 'Store One', bins: ['S1', 'S2'] }));
  const lotIndex = new InMemoryLotIndex(d.ledger, async () => 7);
  return { ...d, lotIndex };
}

const receive = (over: Partial<Movement> = {}) => mv({ type: 'receive', counterparty: 'farm-1', expiry: '2026-03-20', ...over });
const entries = (d: Awaited<ReturnType<typeof binned>>, lot = 'L1') => d.ledger.allEntries({ gtin: GTIN.romaine, lot });

describe('bins on sites', () => {
  it('refuses bins on an external site and a bin listed twice, naming the field', () => {
    const external = SiteInput.safeParse({ kind: 'supplier', name: 'Farm', bins: ['A1'] });
    const twice = SiteInput.safeParse({ kind: 'warehouse', name: 'DC', bins: ['A1', 'B1', 'A1'] });
    const badId = SiteInput.safeParse({ kind: 'warehouse', name: 'DC', bins: ['A 1'] });
    expect(external.success ? [] : external.error.issues.map((i) => i.path.join('.'))).toEqual(['bins']);
    expect(twice.success ? [] : twice.error.issues.map((i) => i.path.join('.'))).toEqual(['bins.2']);
    expect(badId.success ? [] : badId.error.issues.map((i) => i.path.join('.'))).toEqual(['bins.0']);
  });
});

describe('dropping a bin', () => {
  it('refuses to drop a bin that still holds stock (409, bins) and drops it once it is empty', async () => {
    const d = await binned();
    await recordMovements(d, [receive({ bin: 'A2', quantity: 2 })]);
    const fewer = SiteInput.parse({ kind: 'warehouse', name: 'DC One', bins: ['A1', 'A3'] });
    await expect(upsertSite(d, 'dc-1', fewer)).rejects.toMatchObject({ code: 'invalid_state', details: [{ path: 'bins' }] });
    expect((await d.master.getSite('dc-1'))?.bins).toEqual(['A1', 'A2', 'A3']);
    await recordMovements(d, [mv({ type: 'transfer', bin: 'A2', quantity: 2, counterparty: 'store-1', counterpartyBin: 'S1' })]);
    expect((await upsertSite(d, 'dc-1', fewer)).bins).toEqual(['A1', 'A3']);
  });
});

describe('movements at bins', () => {
  it('receives into a bin: the balance shows the bin and the entry delta carries it', async () => {
    // Prepare
    const d = await binned();
    // Act
    const r = await recordMovements(d, [receive({ bin: 'A2' }), receive({ quantity: 3 })]);
    // Assess
    expect(r.accepted).toBe(2);
    const view = await lotView(d, L1);
    expect(view.balances).toEqual([{ siteId: 'dc-1', quantity: 13, received: 13, bins: [{ bin: 'A2', quantity: 10 }] }]);
    const [first, second] = await entries(d);
    expect(first?.deltas).toStrictEqual([{ siteId: 'dc-1', quantity: 10, bin: 'A2' }]);
    expect(second?.deltas).toStrictEqual([{ siteId: 'dc-1', quantity: 3 }]);
    expect([first, second].every((e) => entryHashOk(e as LedgerEntry))).toBe(true);
  });

  it('rejects an unknown bin, an unknown destination bin and a bin at a site without bins, writing nothing', async () => {
    const d = await binned();
    await recordMovements(d, [receive({ bin: 'A1' })]);
    const before = d.ledger.commits;
    const r = await recordMovements(d, [
      receive({ bin: 'Z9' }),
      mv({ type: 'transfer', quantity: 1, bin: 'A1', counterparty: 'store-1', counterpartyBin: 'A1' }),
      mv({ type: 'transfer', quantity: 1, bin: 'A1', counterparty: 'store-2', counterpartyBin: 'S1' }),
      mv({ type: 'transform', lot: 'KIT', gtin: GTIN.saladKit, inputs: [{ ...L1, quantity: 1, bin: 'B7' }] }),
    ]);
    expect(r.results.map((x) => [x.code, x.errors?.[0]?.path])).toEqual([
      ['bin_not_found', 'bin'],
      ['bin_not_found', 'counterpartyBin'],
      ['bin_not_found', 'counterpartyBin'],
      ['bin_not_found', 'inputs.0.bin'],
    ]);
    expect(r.results[2]?.message).toContain('Site store-2 has no bins');
    expect(d.ledger.commits).toBe(before);
  });

  it('refuses counterpartyBin outside a transfer and bin on a cool, as schema errors', async () => {
    const d = await binned();
    const r = await recordMovements(d, [
      receive({ counterpartyBin: 'A1' }),
      mv({ type: 'cool', bin: 'A1' }),
      mv({ type: 'initial-pack', lot: 'P1', inputs: [{ gtin: GTIN.tomato, lot: 'H1', quantity: 1, bin: 'A1' }] }),
    ]);
    expect(r.results.map((x) => [x.code, x.errors?.[0]?.path])).toEqual([
      ['validation_failed', 'movements.0.counterpartyBin'],
      ['validation_failed', 'movements.1.bin'],
      ['validation_failed', 'movements.2.inputs.0.bin'],
    ]);
  });

  it('never takes a bin below zero, though the site holds enough elsewhere', async () => {
    const d = await binned();
    await recordMovements(d, [receive({ bin: 'A1', quantity: 4 }), receive({ bin: 'A2', quantity: 6 })]);
    const r = await recordMovements(d, [mv({ type: 'ship', bin: 'A1', quantity: 5, counterparty: 'dist-1' })]);
    expect(r.results[0]).toMatchObject({ code: 'insufficient_stock', errors: [{ path: 'quantity', message: 'only 4 on hand at dc-1 in bin A1' }] });
    const ok = await recordMovements(d, [mv({ type: 'ship', bin: 'A1', quantity: 4, counterparty: 'dist-1' })]);
    expect(ok.accepted).toBe(1);
    expect((await lotView(d, L1)).balances).toEqual([{ siteId: 'dc-1', quantity: 6, received: 10, bins: [{ bin: 'A2', quantity: 6 }] }]);
  });

  it('takes a movement without a bin from the unbinned remainder first, then from the bins in order', async () => {
    const d = await binned();
    await recordMovements(d, [receive({ bin: 'A2', quantity: 4 }), receive({ bin: 'A1', quantity: 1 }), receive({ quantity: 2 })]);
    const r = await recordMovements(d, [mv({ type: 'dispose', quantity: 4, reason: 'damaged' })]);
    expect(r.accepted).toBe(1);
    const [, , , disposed] = await entries(d);
    expect(disposed?.deltas).toStrictEqual([
      { siteId: 'dc-1', quantity: -2 },
      { siteId: 'dc-1', quantity: -1, bin: 'A1' },
      { siteId: 'dc-1', quantity: -1, bin: 'A2' },
    ]);
    expect((await lotView(d, L1)).balances).toEqual([{ siteId: 'dc-1', quantity: 3, received: 7, bins: [{ bin: 'A2', quantity: 3 }] }]);
    // more than the site holds in all is still refused, and writes nothing
    const over = await recordMovements(d, [mv({ type: 'sell', quantity: 4, counterparty: 'cust-1' })]);
    expect(over.results[0]).toMatchObject({ code: 'insufficient_stock', errors: [{ path: 'quantity', message: 'only 3 on hand at dc-1' }] });
    expect((await lotView(d, L1)).balances[0]?.quantity).toBe(3);
  });

  it('lets stock put away in bins leave by contract-only movements that name no bin: ship, sell, transfer, transform', async () => {
    const d = await binned();
    await recordMovements(d, [receive({ bin: 'A1', quantity: 100 })]);
    const r = await recordMovements(d, [
      mv({ type: 'transfer', quantity: 30, counterparty: 'store-1', counterpartyBin: 'S1' }),
      mv({ type: 'sell', quantity: 1, site: 'store-1', counterparty: 'cust-1' }),
      mv({ type: 'ship', quantity: 5, counterparty: 'dist-1' }),
      mv({ type: 'transform', gtin: GTIN.saladKit, lot: 'K1', quantity: 2, inputs: [{ gtin: GTIN.romaine, lot: 'L1', quantity: 10 }] }),
    ]);
    expect(r.results.map((x) => x.status)).toEqual(['accepted', 'accepted', 'accepted', 'accepted']);
    expect((await lotView(d, L1)).balances).toEqual([
      { siteId: 'dc-1', quantity: 55, received: 100, bins: [{ bin: 'A1', quantity: 55 }] },
      { siteId: 'store-1', quantity: 29, received: 30, bins: [{ bin: 'S1', quantity: 29 }] },
    ]);
  });

  it('transfers from a bin to a destination bin, sells from that bin and returns into another', async () => {
    const d = await binned();
    await recordMovements(d, [receive({ bin: 'A3' })]);
    const r = await recordMovements(d, [
      mv({ type: 'transfer', bin: 'A3', quantity: 6, counterparty: 'store-1', counterpartyBin: 'S2' }),
      mv({ type: 'sell', site: 'store-1', bin: 'S2', quantity: 2, counterparty: 'cust-1' }),
      mv({ type: 'return', site: 'store-1', bin: 'S1', quantity: 1, counterparty: 'cust-1', reason: 'changed mind' }),
    ]);
    expect(r.accepted).toBe(3);
    const view = await lotView(d, L1);
    expect(view.balances).toEqual([
      { siteId: 'dc-1', quantity: 4, received: 10, bins: [{ bin: 'A3', quantity: 4 }] },
      {
        siteId: 'store-1',
        quantity: 5,
        received: 7,
        bins: [
          { bin: 'S1', quantity: 1 },
          { bin: 'S2', quantity: 4 },
        ],
      },
    ]);
    const transfer = (await entries(d))[1];
    expect(transfer?.deltas).toStrictEqual([
      { siteId: 'dc-1', quantity: -6, bin: 'A3' },
      { siteId: 'store-1', quantity: 6, bin: 'S2' },
    ]);
  });

  it('consumes a transform input from its bin and puts the output in the movement bin', async () => {
    const d = await binned();
    await recordMovements(d, [receive({ bin: 'A1', quantity: 5 })]);
    const r = await recordMovements(d, [
      mv({ type: 'transform', gtin: GTIN.saladKit, lot: 'KIT1', quantity: 2, bin: 'A2', inputs: [{ ...L1, quantity: 3, bin: 'A1' }] }),
    ]);
    expect(r.accepted).toBe(1);
    expect((await lotView(d, L1)).balances[0]?.bins).toEqual([{ bin: 'A1', quantity: 2 }]);
    expect((await lotView(d, { gtin: GTIN.saladKit, lot: 'KIT1' })).balances[0]?.bins).toEqual([{ bin: 'A2', quantity: 2 }]);
    const [input] = (await entries(d)).filter((e) => e.role === 'input');
    expect(input?.deltas).toStrictEqual([{ siteId: 'dc-1', quantity: -3, bin: 'A1' }]);
  });

  it('keeps every bin and the remainder non-negative and summing to the site balance over random sequences', async () => {
    const BINS = ['A1', 'A2', 'A3'];
    const step = fc.record({
      type: fc.constantFrom('receive', 'sell', 'adjust', 'transfer', 'dispose', 'return'),
      bin: fc.option(fc.constantFrom(...BINS), { nil: undefined }),
      toBin: fc.option(fc.constantFrom(...BINS), { nil: undefined }),
      back: fc.boolean(),
      quantity: fc.integer({ min: 1, max: 6 }),
      negative: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 25 }), async (steps) => {
        const d = await memoryLedger();
        await upsertSite(d, 'dc-1', SiteInput.parse({ kind: 'warehouse', name: 'DC', bins: BINS }));
        await upsertSite(d, 'store-1', SiteInput.parse({ kind: 'store', name: 'S', bins: BINS }));
        const ms = steps.map((s) => {
          const [site, other] = s.back ? ['store-1', 'dc-1'] : ['dc-1', 'store-1'];
          const bin = s.bin !== undefined ? { bin: s.bin } : {};
          const base = { site, quantity: s.quantity, ...bin };
          switch (s.type) {
            case 'receive':
              return mv({ type: 'receive', ...base, counterparty: 'farm-1' });
            case 'sell':
              return mv({ type: 'sell', ...base });
            case 'adjust':
              return mv({ type: 'adjust', ...base, quantity: s.negative ? -s.quantity : s.quantity });
            case 'dispose':
              return mv({ type: 'dispose', ...base });
            case 'return':
              return mv({ type: 'return', ...base, counterparty: 'cust-1' });
            default:
              return mv({ type: 'transfer', ...base, counterparty: other, ...(s.toBin !== undefined ? { counterpartyBin: s.toBin } : {}) });
          }
        });
        await recordMovements(d, ms);
        // the chain's deltas, replayed per (site, bin), give the stock heads exactly
        const replay = new Map<string, number>();
        for (const e of await d.ledger.allEntries(L1))
          for (const x of e.deltas) {
            const k = `${x.siteId}|${x.bin ?? ''}`;
            const v = Math.round(((replay.get(k) ?? 0) + x.quantity) * 1000) / 1000;
            expect(v).toBeGreaterThanOrEqual(0);
            replay.set(k, v);
          }
        const lot = await d.ledger.getLot(L1);
        for (const siteId of ['dc-1', 'store-1']) {
          const b = lot?.balances[siteId] ?? { q: 0, r: 0 };
          for (const x of b.bins ?? []) {
            expect(x.q).toBeGreaterThan(0);
            expect(x.q).toBe(replay.get(`${siteId}|${x.bin}`));
          }
          for (const bin of BINS) if (!b.bins?.some((x) => x.bin === bin)) expect(replay.get(`${siteId}|${bin}`) ?? 0).toBe(0);
          expect(unbinnedOf(b)).toBeGreaterThanOrEqual(0);
          expect(unbinnedOf(b)).toBe(replay.get(`${siteId}|`) ?? 0);
          const sum = (b.bins ?? []).reduce((s, x) => s + x.q, 0) + unbinnedOf(b);
          expect(sum).toBeCloseTo(b.q, 9);
        }
      }),
      { numRuns: 60 },
    );
  });
});

describe('choosePutaway', () => {
  const bins = ['A1', 'A2', 'A3'];
  const at = (lot: string, ...held: [string, number][]) => ({ gtin: GTIN.romaine, lot, bins: held.map(([bin, q]) => ({ bin, q })) });

  it('names the bin already holding most of the lot', () => {
    const r = choosePutaway(bins, L1, [at('L1', ['A3', 2], ['A2', 5]), at('L9', ['A1', 1])]);
    expect(r).toMatchObject({ bin: 'A2', reason: 'holds-lot' });
  });

  it('else the first empty bin in the site order', () => {
    const r = choosePutaway(bins, L1, [at('L8', ['A1', 1]), at('L9', ['A3', 1])]);
    expect(r).toMatchObject({ bin: 'A2', reason: 'empty-bin' });
  });

  it('else the bin with the fewest other lots, the first on a tie', () => {
    const full = [at('L7', ['A1', 1], ['A2', 1]), at('L8', ['A1', 1], ['A3', 1]), at('L9', ['A2', 1], ['A3', 1]), at('L6', ['A1', 1])];
    expect(choosePutaway(bins, L1, full)).toMatchObject({ bin: 'A2', reason: 'fewest-other-lots' });
    expect(choosePutaway(['A3', 'A2'], L1, full)).toMatchObject({ bin: 'A3', reason: 'fewest-other-lots' });
  });

  it('ignores bins the site no longer lists and the same lot code of another GTIN', () => {
    const r = choosePutaway(['A2'], L1, [at('L1', ['OLD', 5]), { gtin: GTIN.tomato, lot: 'L1', bins: [{ bin: 'A2', q: 1 }] }]);
    expect(r).toMatchObject({ bin: 'A2', reason: 'fewest-other-lots' });
  });

  it('answers nothing for a site without bins', () => {
    expect(choosePutaway([], L1, [])).toBeUndefined();
  });
});

describe('withBinChange', () => {
  it('keeps bins sorted and drops a bin taken to zero', () => {
    expect(withBinChange([{ bin: 'B', q: 2 }], 'A', 3)).toEqual([
      { bin: 'A', q: 3 },
      { bin: 'B', q: 2 },
    ]);
    expect(withBinChange([{ bin: 'B', q: 2 }], 'B', -2)).toEqual([]);
  });
});

describe('putaway and pick lists at a binned site', () => {
  it('answers holds-lot, empty-bin and fewest-other-lots as the bins fill', async () => {
    const d = await binned();
    expect(await putaway(d, 'dc-1', GTIN.romaine, 'L1')).toMatchObject({ bin: 'A1', reason: 'empty-bin' });
    await recordMovements(d, [receive({ bin: 'A1' }), receive({ lot: 'L2', bin: 'A2' }), receive({ lot: 'L3', bin: 'A3' })]);
    expect(await putaway(d, 'dc-1', GTIN.romaine, 'L2')).toMatchObject({ siteId: 'dc-1', bin: 'A2', reason: 'holds-lot' });
    await recordMovements(d, [receive({ lot: 'L3', bin: 'A1' })]);
    expect(await putaway(d, 'dc-1', GTIN.romaine, 'L4')).toMatchObject({ bin: 'A2', reason: 'fewest-other-lots' });
  });

  it('refuses a site without bins (409) and an unknown site (404)', async () => {
    const d = await binned();
    await expect(putaway(d, 'store-2', GTIN.romaine, 'L1')).rejects.toMatchObject({ code: 'invalid_state', status: 409 });
    await expect(putaway(d, 'nowhere', GTIN.romaine, 'L1')).rejects.toMatchObject({ code: 'site_not_found', status: 404 });
  });

  it('names the bin of each pick line, the unbinned stock last', async () => {
    const d = await binned();
    await recordMovements(d, [
      receive({ lot: 'SOON', expiry: '2026-03-05', bin: 'A2', quantity: 3 }),
      receive({ lot: 'SOON', expiry: '2026-03-05', quantity: 1 }),
      receive({ lot: 'SOON', expiry: '2026-03-05', bin: 'A1', quantity: 2 }),
      receive({ lot: 'LATE', expiry: '2026-04-01', bin: 'A3', quantity: 9 }),
    ]);
    const r = await pickList(d, 'dc-1', GTIN.romaine, 8);
    expect(r.picks).toEqual([
      { lot: 'SOON', expiry: '2026-03-05', quantity: 2, available: 2, bin: 'A1' },
      { lot: 'SOON', expiry: '2026-03-05', quantity: 3, available: 3, bin: 'A2' },
      { lot: 'SOON', expiry: '2026-03-05', quantity: 1, available: 1 },
      { lot: 'LATE', expiry: '2026-04-01', quantity: 2, available: 9, bin: 'A3' },
    ]);
  });
});
