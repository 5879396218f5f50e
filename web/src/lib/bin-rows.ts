import type { Lot } from './types';

/** One row of a lot's balances table: a site, or a bin of it (`–`: stock in no bin there). */
export type BinRow = { key: string; siteId: string; bin: string; quantity: number; received?: number };

/**
 * The balances table of the lot page: one row per site, or at a site where the lot is in bins one row per bin and
 * one for the stock in no bin (quantity minus what the bins hold), so the rows of a site add up to its balance.
 */
export function binRows(balances: Lot['balances']): BinRow[] {
  return balances.flatMap((b): BinRow[] => {
    if (!b.bins?.length) return [{ key: b.siteId, siteId: b.siteId, bin: '–', quantity: b.quantity, received: b.received }];
    const rows: BinRow[] = b.bins.map((x) => ({ key: `${b.siteId}/${x.bin}`, siteId: b.siteId, bin: x.bin, quantity: x.quantity }));
    const rest = Math.round((b.quantity - b.bins.reduce((s, x) => s + x.quantity, 0)) * 1000) / 1000;
    if (rest > 0) rows.push({ key: `${b.siteId}/`, siteId: b.siteId, bin: '–', quantity: rest });
    return rows;
  });
}
