import type { LedgerEntry, LotKey } from './ledger.js';
import { encodeCursor, type LotDeps, lotMovements } from './lots.js';
import { fitting, PAGE_BYTES } from './paging.js';

/**
 * GET /lots/{gtin}/{lot}/movements: a page of the lot's ledger (lotMovements), cut short where its JSON would pass
 * PAGE_BYTES (entries moving many serials are large), with the cursor moved back to the last entry kept.
 */
export async function lotMovementsPage(
  d: LotDeps,
  k: LotKey,
  limit: number,
  cursor?: string,
): Promise<{ items: LedgerEntry[]; nextCursor?: string }> {
  const page = await lotMovements(d, k, limit, cursor);
  const kept = fitting(page.items, PAGE_BYTES);
  const last = page.items[kept - 1];
  if (kept === page.items.length || !last) return page;
  return { items: page.items.slice(0, kept), nextCursor: encodeCursor(last.seq) };
}
