/**
 * A serialized unit's warranty (from the day it was sold) and what it works with (compatibility rules of its product,
 * by lot). Pure: the dates come in as YYYY-MM-DD, the rules from the product record.
 */
import type { LedgerEntry } from './ledger.js';

export type WarrantyStatus = 'not-started' | 'in-warranty' | 'expired';
export type Warranty = { months: number; startsOn?: string; endsOn?: string; status: WarrantyStatus };

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/**
 * `date` plus `months` calendar months; a day the target month does not have becomes its last day (Jan 31 + 1 month
 * = Feb 28, or Feb 29 in a leap year; Feb 29 + 12 months = Feb 28).
 * @example addMonths('2026-01-31', 1) // '2026-02-28'
 */
export function addMonths(date: string, months: number): string {
  const [y = 0, m = 1, d = 1] = date.split('-').map(Number);
  const total = y * 12 + (m - 1) + months;
  const year = Math.floor(total / 12);
  const month = (total % 12) + 1;
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return `${pad(year, 4)}-${pad(month)}-${pad(Math.min(d, last))}`;
}

/**
 * The warranty of a unit sold on `soldOn` (undefined: not sold yet), as of `today`. It covers `startsOn` through
 * `endsOn`, the same day of the month `months` later (the month's last day when it has no such day).
 * @example warrantyOf(24, '2026-03-15', '2026-04-01') // { months: 24, startsOn: '2026-03-15', endsOn: '2028-03-15', status: 'in-warranty' }
 */
export function warrantyOf(months: number, soldOn: string | undefined, today: string): Warranty {
  if (!soldOn) return { months, status: 'not-started' };
  const endsOn = addMonths(soldOn, months);
  return { months, startsOn: soldOn, endsOn, status: today > endsOn ? 'expired' : 'in-warranty' };
}

/** The day a unit was first sold: its first `sell` entry, in the date the movement was recorded with. */
export const soldOnOf = (history: readonly Pick<LedgerEntry, 'type' | 'occurredAt'>[]) =>
  history.find((e) => e.type === 'sell')?.occurredAt.slice(0, 10);

export type CompatibilityRule = { with: string; lots?: string[]; compatible: boolean; note?: string };
export type CompatibilityAnswer = { compatible: boolean | null; rule?: CompatibilityRule; reason: string };

/**
 * Whether a unit of `lot` works with product `other`: a rule naming the unit's lot wins over a rule for every lot
 * (a later version may lose or gain a compatibility); between rules equally specific, a known incompatibility wins.
 * No rule: `null`, nothing known.
 * @example compatibility([{ with: 'B', compatible: true }, { with: 'B', lots: ['L2'], compatible: false }], 'L2', 'B').compatible // false
 */
export function compatibility(rules: readonly CompatibilityRule[], lot: string, other: string): CompatibilityAnswer {
  const about = rules.filter((r) => r.with === other);
  const forLot = about.filter((r) => r.lots?.includes(lot));
  const general = about.filter((r) => r.lots === undefined || r.lots.length === 0);
  const pick = (rs: CompatibilityRule[]) => rs.find((r) => !r.compatible) ?? rs[0];
  const lotRule = pick(forLot);
  if (lotRule)
    return {
      compatible: lotRule.compatible,
      rule: lotRule,
      reason: `a rule for lot ${lot} says ${lotRule.compatible ? 'compatible' : 'incompatible'}`,
    };
  const rule = pick(general);
  if (rule) return { compatible: rule.compatible, rule, reason: `a rule for every lot says ${rule.compatible ? 'compatible' : 'incompatible'}` };
  return { compatible: null, reason: about.length > 0 ? `no rule for lot ${lot}` : `nothing is known about ${other}` };
}

export type CompatibilityList = {
  compatible: { gtin: string; description: string | null; note?: string }[];
  incompatible: { gtin: string; description: string | null; note?: string }[];
};

/**
 * Every product this very unit (of its lot) is known to work with, and known not to, by the rules of its product.
 * @example compatibilityList([{ with: 'B', compatible: true }], 'L1', new Map()) // { compatible: [{ gtin: 'B', description: null }], incompatible: [] }
 */
export function compatibilityList(rules: readonly CompatibilityRule[], lot: string, descriptions: ReadonlyMap<string, string>): CompatibilityList {
  const out: CompatibilityList = { compatible: [], incompatible: [] };
  for (const other of [...new Set(rules.map((r) => r.with))].sort()) {
    const a = compatibility(rules, lot, other);
    if (a.compatible === null) continue;
    const item = { gtin: other, description: descriptions.get(other) ?? null, ...(a.rule?.note ? { note: a.rule.note } : {}) };
    (a.compatible ? out.compatible : out.incompatible).push(item);
  }
  return out;
}
