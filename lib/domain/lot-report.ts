import { z } from 'zod';
import { mapLimit } from './concurrency.js';
import { daysBetween } from './dates.js';
import { ruleOfEntry } from './entry-rules.js';
import type { Gtin } from './ids.js';
import { isDefectReturn, type LedgerEntry, q3 } from './ledger.js';
import { readLotPartition } from './lot-partition.js';
import type { LotDeps } from './lots.js';
import { requireProduct } from './master-data.js';
import { localDate } from './movement.js';
import { compareText, decodeCursor, encodeCursor, PAGE_LIMIT } from './paging.js';

export type LotReportLine = {
  lot: string;
  expiry: string | null;
  received: number;
  sold: number;
  returned: number;
  defectReturns: number;
  /** defect returns ÷ sold, null when nothing was sold */
  defectReturnRate: number | null;
  firstReceivedOn: string | null;
  soldThroughOn: string | null;
  /** days from the first receipt to the sale that took on-hand to 0; null if not sold through */
  daysToSellThrough: number | null;
  /** Σ sell quantity × unitPrice over sales that carry a price; null when none does */
  revenue: number | null;
  /** Σ received quantity × unitCost over receipts that carry a cost; null when none does */
  cost: number | null;
  /** revenue − (priced units sold × the lot's average unit cost); null when either is unknown */
  margin: number | null;
};

export type LotReport = { gtin: string; from: string | null; to: string | null; lots: LotReportLine[]; nextCursor?: string };

/** How many lots' chains are read at once. */
const READ_CONCURRENCY = 8;
const money = (n: number) => Math.round(n * 100) / 100;

/**
 * One lot's figures from its ledger entries (oldest first). Quantities, revenue and cost count the entries whose own
 * local date is in [from, to]; sell-through and the average unit cost are properties of the lot, so they use its
 * whole chain (a sale in the window of units received before it is costed at what they cost). Null when the lot has
 * no entry in the window.
 */
export function lotFigures(
  entries: LedgerEntry[],
  from: string | null,
  to: string | null,
  /** the `reportedAt` of the lot's warranty claims: each in the window is one defect return (CONTRACT.md, Serials) */
  claims: readonly string[] = [],
): Omit<LotReportLine, 'lot' | 'expiry'> | undefined {
  const inDays = (instant: string) => {
    const day = localDate(instant);
    return (from === null || day >= from) && (to === null || day <= to);
  };
  const inRange = (e: LedgerEntry) => inDays(e.occurredAt);
  const window = entries.filter(inRange);
  const claimed = claims.filter(inDays).length;
  if (window.length === 0 && claimed === 0) return undefined;

  // Whole-chain: first receipt, sell-through, average unit cost.
  let firstReceivedOn: string | null = null;
  let soldThroughOn: string | null = null;
  let onHand = 0;
  let costQty = 0;
  let costSum = 0;
  for (const e of entries) {
    if (firstReceivedOn === null && ruleOfEntry(e.type)?.firstIn === true && e.role !== 'input') firstReceivedOn = localDate(e.occurredAt);
    onHand = q3(onHand + e.deltas.reduce((s, x) => s + x.quantity, 0));
    if (soldThroughOn === null && firstReceivedOn !== null && e.type === 'sell' && onHand <= 0) soldThroughOn = localDate(e.occurredAt);
    if (e.type === 'receive' && e.unitCost !== undefined) {
      costQty += e.quantity;
      costSum += e.quantity * e.unitCost;
    }
  }
  const avgUnitCost = costQty > 0 ? costSum / costQty : undefined;

  let received = 0;
  let sold = 0;
  let returned = 0;
  let defectReturns = claimed;
  let revenue: number | null = null;
  let pricedUnits = 0;
  let cost: number | null = null;
  for (const e of window) {
    if (e.type === 'receive') {
      received = q3(received + e.quantity);
      if (e.unitCost !== undefined) cost = (cost ?? 0) + e.quantity * e.unitCost;
    } else if (e.type === 'sell') {
      sold = q3(sold + e.quantity);
      if (e.unitPrice !== undefined) {
        revenue = (revenue ?? 0) + e.quantity * e.unitPrice;
        pricedUnits += e.quantity;
      }
    } else if (e.type === 'return') {
      returned = q3(returned + e.quantity);
      if (isDefectReturn(e)) defectReturns = q3(defectReturns + e.quantity);
    }
  }
  return {
    received,
    sold,
    returned,
    defectReturns,
    defectReturnRate: sold > 0 ? Math.round((defectReturns / sold) * 10_000) / 10_000 : null,
    firstReceivedOn,
    soldThroughOn,
    daysToSellThrough: firstReceivedOn && soldThroughOn ? daysBetween(firstReceivedOn, soldThroughOn) : null,
    revenue: revenue === null ? null : money(revenue),
    cost: cost === null ? null : money(cost),
    margin: revenue === null || avgUnitCost === undefined ? null : money(revenue - pricedUnits * avgUnitCost),
  };
}

/** Where a page of the lot report ends: the last lot it looked at. */
const ReportCursor = z.strictObject({ l: z.string() });

export type LotReportPageOptions = { limit?: number; cursor?: string };

/**
 * GET /reports/lots: per lot of a GTIN with any movement in [from, to] (either end open when null), in lot order.
 * A page looks at up to `limit` lots (default 1000) after `cursor`, so it may hold fewer lines; `nextCursor` names the
 * next page while lots remain.
 */
export async function lotReport(
  d: Pick<LotDeps, 'ledger' | 'master'>,
  gtin: Gtin,
  from: string | null,
  to: string | null,
  opts: LotReportPageOptions = {},
): Promise<LotReport> {
  const after = opts.cursor === undefined ? undefined : decodeCursor(ReportCursor, opts.cursor).l;
  const limit = opts.limit ?? PAGE_LIMIT;
  await requireProduct(d, gtin);
  const lots = (await d.ledger.lotsOfGtin(gtin))
    .map((h) => h.lot)
    .filter((lot) => after === undefined || compareText(lot, after) > 0)
    .sort(compareText);
  const page = lots.slice(0, limit);
  const figures = await mapLimit(page, READ_CONCURRENCY, async (lot) => {
    const { head, entries, claims } = await readLotPartition(d.ledger, { gtin, lot });
    const f = head ? lotFigures(entries, from, to, claims) : undefined;
    return f ? [{ lot, expiry: head?.expiry ?? null, ...f }] : [];
  });
  const last = page.at(-1);
  return { gtin, from, to, lots: figures.flat(), ...(lots.length > limit && last ? { nextCursor: encodeCursor({ l: last }) } : {}) };
}

/** The CSV columns of the report, in order. */
export const LOT_REPORT_COLUMNS: (keyof LotReportLine)[] = [
  'lot',
  'expiry',
  'received',
  'sold',
  'returned',
  'defectReturns',
  'defectReturnRate',
  'firstReceivedOn',
  'soldThroughOn',
  'daysToSellThrough',
  'revenue',
  'cost',
  'margin',
];
