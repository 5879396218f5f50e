import { describe, expect, it } from 'vitest';
import { AppError } from '../../lib/domain/errors.js';
import { guardCell } from '../../lib/domain/formula-guard.js';
import type { LotState } from '../../lib/domain/ledger.js';
import { lotFigures, lotReport } from '../../lib/domain/lot-report.js';
import { changeLotStatus, spreadStatus } from '../../lib/domain/lots.js';
import { pickList } from '../../lib/domain/pick.js';
import { planStatusChange } from '../../lib/domain/plan-movement.js';
import { recordMovements } from '../../lib/domain/record-movements.js';
import { lotReportCsv } from '../../lib/exports/lot-report-csv.js';
import { InMemoryLotIndex } from '../support/alerts.js';
import { GTIN, mv } from '../support/fixtures.js';
import { memoryLedger } from '../support/memory-ledger.js';

/** Lots of romaine received at store-1. */
async function stocked(lots: { lot: string; expiry?: string; quantity: number }[]) {
  const m = await memoryLedger();
  const lotIndex = new InMemoryLotIndex(m.ledger, async () => 7);
  for (const l of lots) {
    const r = await recordMovements(m, [
      mv({ type: 'receive', lot: l.lot, quantity: l.quantity, site: 'store-1', counterparty: 'farm-1', ...(l.expiry ? { expiry: l.expiry } : {}) }),
    ]);
    expect(r.accepted).toBe(1);
  }
  return { ...m, lotIndex, d: { ...m, lotIndex } };
}

describe('pickList (FEFO)', () => {
  it('picks the earliest expiry first and lots without expiry last', async () => {
    // Prepare
    const { d } = await stocked([
      { lot: 'NOEXP', quantity: 50 },
      { lot: 'LATE', expiry: '2026-04-01', quantity: 5 },
      { lot: 'SOON', expiry: '2026-03-05', quantity: 5 },
    ]);
    // Act
    const r = await pickList(d, 'store-1', GTIN.romaine, 12);
    // Assess
    expect(r).toEqual({
      siteId: 'store-1',
      gtin: GTIN.romaine,
      quantity: 12,
      unit: 'case',
      picks: [
        { lot: 'SOON', expiry: '2026-03-05', quantity: 5, available: 5 },
        { lot: 'LATE', expiry: '2026-04-01', quantity: 5, available: 5 },
        { lot: 'NOEXP', expiry: null, quantity: 2, available: 50 },
      ],
    });
  });

  it('skips recalled, on-hold and expired lots and lots with nothing at the site', async () => {
    // Prepare
    const { d, clock, master, ledger } = await stocked([
      { lot: 'EXPIRED', expiry: '2026-02-28', quantity: 5 },
      { lot: 'HELD', expiry: '2026-03-02', quantity: 5 },
      { lot: 'RECALLED', expiry: '2026-03-03', quantity: 5 },
      { lot: 'OK', expiry: '2026-03-10', quantity: 5 },
    ]);
    const recalled = (await ledger.getLot({ gtin: GTIN.romaine, lot: 'RECALLED' })) as LotState;
    const { next, pending } = planStatusChange(
      recalled,
      { type: 'recall', reason: 'test', eventId: 'recall:R-1', recallId: 'R-1' },
      clock.now().toISOString(),
    );
    await ledger.commitLotChange(recalled.statusVersion, next, pending);
    await spreadStatus(ledger, next);
    await recordMovements({ ledger, clock, newToken: () => 't' }, [mv({ type: 'receive', lot: 'DCONLY', quantity: 9, expiry: '2026-03-03' })]);
    await changeLotStatus({ ledger, master, clock }, { gtin: GTIN.romaine, lot: 'HELD' }, 'hold', 'QA', 'req-1');
    // Act
    const r = await pickList(d, 'store-1', GTIN.romaine, 5);
    // Assess
    expect(r.picks.map((p) => p.lot)).toEqual(['OK']);
  });

  it('stops reading lots once the quantity is covered', async () => {
    // Prepare
    const { d, lotIndex } = await stocked(Array.from({ length: 10 }, (_, i) => ({ lot: `L${i}`, expiry: `2026-04-${String(10 + i)}`, quantity: 5 })));
    // Act
    const r = await pickList(d, 'store-1', GTIN.romaine, 7);
    // Assess
    expect(r.picks.map((p) => [p.lot, p.quantity])).toEqual([
      ['L0', 5],
      ['L1', 2],
    ]);
    expect(lotIndex.reads).toBe(2);
  });

  it('refuses with insufficient_stock, saying how much the site can cover', async () => {
    // Prepare
    const { d } = await stocked([
      { lot: 'A', expiry: '2026-03-05', quantity: 5 },
      { lot: 'B', quantity: 3 },
    ]);
    // Act
    const err = await pickList(d, 'store-1', GTIN.romaine, 9).catch((e: unknown) => e);
    // Assess
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ code: 'insufficient_stock', details: [{ path: 'quantity', message: 'only 8 available' }] });
    expect((err as Error).message).toContain('has 8 case');
  });

  it('answers not found for an unknown site or product', async () => {
    const { d } = await stocked([]);
    await expect(pickList(d, 'nowhere', GTIN.romaine, 1)).rejects.toMatchObject({ code: 'site_not_found' });
    await expect(pickList(d, 'store-1', '00000000000000', 1)).rejects.toMatchObject({ code: 'product_not_found' });
  });
});

describe('lotFigures (lot report maths)', () => {
  /** A lot's chain: received 100 at 2.00, sold 60 at 5.00 and 40 at 4.00 (sold through on 03-10), 3 returns of which 2 defect. */
  async function chain() {
    const m = await memoryLedger();
    const at = (day: string) => `2026-03-${day}T10:00:00-05:00`;
    const r = await recordMovements(m, [
      mv({ type: 'receive', lot: 'R', quantity: 100, unitCost: 2, occurredAt: at('02'), counterparty: 'farm-1' }),
      mv({ type: 'sell', lot: 'R', quantity: 60, unitPrice: 5, occurredAt: at('04') }),
      mv({ type: 'return', lot: 'R', quantity: 2, reason: 'defect', occurredAt: at('05') }),
      mv({ type: 'return', lot: 'R', quantity: 1, reason: 'wrong size', occurredAt: at('06') }),
      mv({ type: 'sell', lot: 'R', quantity: 43, unitPrice: 4, occurredAt: at('10') }),
    ]);
    expect(r.accepted).toBe(5);
    return m.ledger.allEntries({ gtin: GTIN.romaine, lot: 'R' });
  }

  it('sums quantities, the defect-return rate, revenue, cost and margin at average unit cost', async () => {
    const f = lotFigures(await chain(), null, null);
    expect(f).toEqual({
      received: 100,
      sold: 103,
      returned: 3,
      defectReturns: 2,
      defectReturnRate: 0.0194,
      firstReceivedOn: '2026-03-02',
      soldThroughOn: '2026-03-10',
      daysToSellThrough: 8,
      revenue: 472,
      cost: 200,
      margin: 472 - 103 * 2,
    });
  });

  it('counts only movements dated in the range, but costs sales at the lot’s average unit cost', async () => {
    const f = lotFigures(await chain(), '2026-03-04', '2026-03-05');
    expect(f).toMatchObject({ received: 0, sold: 60, returned: 2, defectReturns: 2, revenue: 300, cost: null, margin: 300 - 60 * 2 });
  });

  it('dates a movement by its own local date, not by UTC', async () => {
    const m = await memoryLedger();
    await recordMovements(m, [mv({ type: 'receive', lot: 'N', quantity: 5, occurredAt: '2026-03-31T23:30:00-05:00' })]);
    const entries = await m.ledger.allEntries({ gtin: GTIN.romaine, lot: 'N' });
    expect(lotFigures(entries, '2026-03-31', '2026-03-31')?.received).toBe(5);
    expect(lotFigures(entries, '2026-04-01', '2026-04-01')).toBeUndefined();
  });

  it('leaves money and sell-through null when movements carry no prices and stock remains', async () => {
    const m = await memoryLedger();
    await recordMovements(m, [mv({ type: 'receive', lot: 'P', quantity: 5 }), mv({ type: 'sell', lot: 'P', quantity: 2 })]);
    const f = lotFigures(await m.ledger.allEntries({ gtin: GTIN.romaine, lot: 'P' }), null, null);
    expect(f).toMatchObject({ sold: 2, revenue: null, cost: null, margin: null, soldThroughOn: null, daysToSellThrough: null, defectReturnRate: 0 });
  });
});

describe('lot report CSV', () => {
  it('guards text cells that a spreadsheet would run as a formula, and leaves numbers alone', async () => {
    // Prepare: lots whose codes start like formulas (set 82 allows = + -), one with a negative margin
    const m = await memoryLedger();
    const lots = ['=1+2', '+A1', '-B2', 'Q=1'];
    for (const lot of lots)
      await recordMovements(m, [mv({ type: 'receive', lot, quantity: 5, unitCost: 4 }), mv({ type: 'sell', lot, quantity: 1, unitPrice: 1 })]);
    // Act
    const csv = lotReportCsv(await lotReport(m, GTIN.romaine, null, null));
    // Assess
    const lines = csv.trim().split('\n');
    expect(lines[0]).toBe(
      'lot,expiry,received,sold,returned,defectReturns,defectReturnRate,firstReceivedOn,soldThroughOn,daysToSellThrough,revenue,cost,margin',
    );
    expect(
      lines
        .slice(1)
        .map((l) => l.split(',')[0])
        .sort(),
    ).toEqual(["'+A1", "'-B2", "'=1+2", 'Q=1']);
    expect(lines.slice(1).every((l) => l.endsWith(',1,20,-3'))).toBe(true);
    expect(['\tx', '\r=1', ' =1'].map(guardCell)).toEqual(["'\tx", "'\r=1", ' =1']);
  });
});
