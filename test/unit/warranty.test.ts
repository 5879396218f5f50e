import { describe, expect, it } from 'vitest';
import { addMonths, type CompatibilityRule, compatibility, compatibilityList, soldOnOf, warrantyOf } from '../../lib/domain/warranty.js';

describe('warranty dates', () => {
  it.each([
    ['2026-01-31', 1, '2026-02-28'], // month end into a shorter month
    ['2028-01-31', 1, '2028-02-29'], // ... in a leap year
    ['2028-02-29', 12, '2029-02-28'], // a leap day a year on
    ['2028-02-29', 48, '2032-02-29'], // four years on: a leap day again
    ['2026-03-31', 6, '2026-09-30'],
    ['2026-12-15', 1, '2027-01-15'], // across a year end
    ['2026-08-31', 18, '2028-02-29'],
    ['2026-05-10', 24, '2028-05-10'],
  ])('%s + %i months = %s', (from, months, to) => {
    expect(addMonths(from, months)).toBe(to);
  });

  it('starts on the day sold, covers the end day, and has not started for a unit not sold', () => {
    expect(warrantyOf(12, undefined, '2026-03-01')).toEqual({ months: 12, status: 'not-started' });
    expect(warrantyOf(12, '2025-03-01', '2026-03-01')).toEqual({ months: 12, startsOn: '2025-03-01', endsOn: '2026-03-01', status: 'in-warranty' });
    expect(warrantyOf(12, '2025-03-01', '2026-03-02').status).toBe('expired');
    expect(warrantyOf(1, '2026-01-31', '2026-02-28').status).toBe('in-warranty');
    expect(warrantyOf(1, '2026-01-31', '2026-03-01').status).toBe('expired');
  });

  it('takes the first sale as the day sold, in the date the sale was recorded with', () => {
    expect(
      soldOnOf([
        { type: 'receive', occurredAt: '2026-01-02T10:00:00Z' },
        { type: 'sell', occurredAt: '2026-02-03T23:30:00-05:00' },
        { type: 'sell', occurredAt: '2026-04-01T10:00:00Z' },
      ]),
    ).toBe('2026-02-03');
    expect(soldOnOf([{ type: 'receive', occurredAt: '2026-01-02T10:00:00Z' }])).toBeUndefined();
  });
});

describe('compatibility by lot', () => {
  const rules: CompatibilityRule[] = [
    { with: '00614141000029', compatible: true, note: 'all versions' },
    { with: '00614141000029', lots: ['V2-A', 'V2-B'], compatible: false, note: 'v2 lost the old connector' },
    { with: '00614141000036', lots: ['V2-A'], compatible: true, note: 'v2 gained it' },
  ];

  it('lets a rule for the unit’s lot win over a rule for every lot', () => {
    expect(compatibility(rules, 'V1', '00614141000029')).toMatchObject({ compatible: true, rule: { note: 'all versions' } });
    expect(compatibility(rules, 'V2-B', '00614141000029')).toMatchObject({ compatible: false, rule: { note: 'v2 lost the old connector' } });
  });

  it('knows nothing (null) where no rule applies', () => {
    expect(compatibility(rules, 'V1', '00614141000036')).toEqual({ compatible: null, reason: 'no rule for lot V1' });
    expect(compatibility(rules, 'V1', '00614141000043').compatible).toBeNull();
  });

  it('prefers a known incompatibility between rules equally specific', () => {
    const both: CompatibilityRule[] = [
      { with: 'X', compatible: true },
      { with: 'X', compatible: false },
    ];
    expect(compatibility(both, 'L', 'X').compatible).toBe(false);
  });

  it('lists what a unit of each lot works with and does not', () => {
    const names = new Map([['00614141000029', 'Tomato']]);
    expect(compatibilityList(rules, 'V2-A', names)).toEqual({
      compatible: [{ gtin: '00614141000036', description: null, note: 'v2 gained it' }],
      incompatible: [{ gtin: '00614141000029', description: 'Tomato', note: 'v2 lost the old connector' }],
    });
    expect(compatibilityList(rules, 'V1', names)).toEqual({
      compatible: [{ gtin: '00614141000029', description: 'Tomato', note: 'all versions' }],
      incompatible: [],
    });
  });
});
