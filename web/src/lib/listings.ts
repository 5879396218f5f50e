/** GET /recalls and GET /exports (extensions): how the console asks for a page and says what an item covers. */
import type { ExportSummary, LotKey } from './types';

/** The path of one page of a list: `status` and `cursor` only when set. */
export function listPath(base: '/recalls' | '/exports', q: { status?: string; cursor?: string; limit?: number }): string {
  const p = new URLSearchParams();
  if (q.status) p.set('status', q.status);
  if (q.limit) p.set('limit', String(q.limit));
  if (q.cursor) p.set('cursor', q.cursor);
  const s = p.toString();
  return s ? `${base}?${s}` : base;
}

/** Lots in a cell: the first few as `GTIN / lot`, then how many more. */
export function lotsText(lots: readonly LotKey[], shown = 2): string {
  if (lots.length === 0) return '–';
  const head = lots.slice(0, shown).map((l) => `${l.gtin} / ${l.lot}`);
  return lots.length > shown ? `${head.join(', ')} and ${lots.length - shown} more` : head.join(', ');
}

/** What an export covers, in words: its days, then the foods and lots it names (none: every food). */
export function exportScope(r: ExportSummary['request']): string {
  const named: string[] = [];
  if (r.gtin !== undefined) named.push(r.lot !== undefined ? `${r.gtin} / ${r.lot}` : r.gtin);
  for (const g of r.gtins ?? []) named.push(g);
  const lots = r.lots ?? [];
  const days = r.from === r.to ? r.from : `${r.from} to ${r.to}`;
  const parts = [days];
  if (named.length > 0) parts.push(named.length > 3 ? `${named.slice(0, 3).join(', ')} and ${named.length - 3} more` : named.join(', '));
  if (lots.length > 0) parts.push(lots.length === 1 ? lotsText(lots) : `${lots.length} lots`);
  if (named.length === 0 && lots.length === 0) parts.push('all foods');
  if (r.includeNonFtl) parts.push('non-FTL included');
  return parts.join(', ');
}
