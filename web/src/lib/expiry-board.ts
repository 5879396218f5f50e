import type { Expiry, ExpiryLine } from './types';

export type BoardRow = {
  key: string;
  siteId: string;
  gtin: string;
  lot: string;
  description: string | null;
  expiry: string;
  daysLeft: number;
  quantity: number;
};

const rows = (lines: ExpiryLine[]): BoardRow[] =>
  lines
    .flatMap((l) =>
      l.balances
        .filter((b) => b.quantity > 0)
        .map((b) => ({
          key: `${l.gtin}/${l.lot}/${b.siteId}`,
          siteId: b.siteId,
          gtin: l.gtin,
          lot: l.lot,
          description: l.description,
          expiry: l.expiry,
          daysLeft: l.daysLeft,
          quantity: b.quantity,
        })),
    )
    .sort((a, b) => a.siteId.localeCompare(b.siteId) || a.daysLeft - b.daysLeft || a.lot.localeCompare(b.lot));

/** The expiry check's lots, one row per (lot, site) with stock there: what each store has to act on. */
export function bySite(e: Pick<Expiry, 'expiringSoon' | 'expired'>): { expiring: BoardRow[]; expired: BoardRow[] } {
  return { expiring: rows(e.expiringSoon), expired: rows(e.expired) };
}
