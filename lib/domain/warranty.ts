/**
 * A serialized unit's warranty (from the day it was sold) and what it works with (compatibility rules of its product,
 * by lot). Pure: the dates come in as YYYY-MM-DD, the rules from the product record.
 */
import type { ReplacementLink } from './claim-records.js';
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
  return { months, startsOn: soldOn, endsOn, status: statusOn(soldOn, endsOn, today) };
}

/** Where `day` falls in the cover `startsOn`..`endsOn` (both days included). */
const statusOn = (startsOn: string, endsOn: string, day: string): WarrantyStatus =>
  day < startsOn ? 'not-started' : day > endsOn ? 'expired' : 'in-warranty';

/** What a replacement unit inherits: the claim it was given out for, the day it was given out and the original's end of cover. */
export type InheritedCover = { claimId: string; replaces: string; startsOn: string; endsOn: string };

/**
 * A unit's warranty as of `day`. A replacement unit handed out on a warranty claim keeps the rest of the original's
 * cover (from the day it was given out to the day the original's cover ends), whatever its own sale dates; any
 * other unit is covered from the day it was first sold (warrantyOf).
 * @example unitWarranty(12, [], { claimId: 'c1', replaces: 'A1', startsOn: '2026-06-01', endsOn: '2027-01-31' }, '2026-07-01').endsOn // '2027-01-31'
 */
export function unitWarranty(
  months: number,
  history: readonly Pick<LedgerEntry, 'type' | 'occurredAt'>[],
  inherited: InheritedCover | undefined,
  day: string,
): Warranty & { replaces?: { serial: string; claimId: string } } {
  if (!inherited) return warrantyOf(months, soldOnOf(history), day);
  const { startsOn, endsOn } = inherited;
  return { months, startsOn, endsOn, status: statusOn(startsOn, endsOn, day), replaces: { serial: inherited.replaces, claimId: inherited.claimId } };
}

/** The day a unit was first sold: its first `sell` entry, in the date the movement was recorded with. */
export const soldOnOf = (history: readonly Pick<LedgerEntry, 'type' | 'occurredAt'>[]) =>
  history.find((e) => e.type === 'sell')?.occurredAt.slice(0, 10);

/**
 * The cover a unit inherits as a replacement: from the latest link naming it, unless the unit was sold again after
 * it was handed out (returned and resold, it is an ordinary unit again).
 * @example inheritedCover([], []) // undefined
 */
export function inheritedCover(
  links: readonly ReplacementLink[],
  history: readonly Pick<LedgerEntry, 'type' | 'eventId' | 'recordedAt'>[],
): InheritedCover | undefined {
  const link = [...links].sort((a, b) => a.recordedAt.localeCompare(b.recordedAt)).at(-1);
  if (!link) return undefined;
  const handedOut = history.find((e) => e.eventId === link.eventId);
  const soldAgain = handedOut && history.some((e) => e.type === 'sell' && e.eventId !== link.eventId && e.recordedAt > handedOut.recordedAt);
  if (soldAgain) return undefined;
  return { claimId: link.claimId, replaces: link.replaces, startsOn: link.startsOn, endsOn: link.endsOn } satisfies InheritedCover;
}

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
