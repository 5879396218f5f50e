import { parseGs1, parseGtin } from '../../../lib/domain/gs1.js';

/** What a search box's text leads to. */
export type SearchTarget =
  | { kind: 'empty' }
  | { kind: 'lot'; gtin: string; lot: string; expiry?: string; hri?: string }
  | { kind: 'serial'; gtin: string; serial: string; hri?: string }
  | { kind: 'gtin'; gtin: string }
  | { kind: 'needs-gtin'; code: string }
  | { kind: 'error'; message: string };

const GS = '\u001d';

/** Text that is barcode data rather than something typed: an AIM identifier, FNC1, brackets, a Digital Link, or `01` + 14 digits + more AIs. */
export function looksLikeGs1(text: string): boolean {
  return (
    /^\][A-Za-z]\d/.test(text) ||
    text.includes(GS) ||
    text.startsWith('(') ||
    /^https?:\/\/[^/]+\/(.*\/)?01\/\d{8,14}/i.test(text) ||
    /^01\d{14}\d{2}/.test(text)
  );
}

/**
 * Read the search box: a keyboard-wedge scanner types the barcode's element string (with FNC1 as GS) and Enter; people
 * type a GTIN, or paste the bracketed form from under a barcode. Parsing is the API's own GS1 parser (lib/domain/gs1.ts).
 * @example interpretSearch('(01)09506000134352(10)ABC123', new Date()) // { kind: 'lot', gtin: '09506000134352', lot: 'ABC123', ... }
 */
export function interpretSearch(input: string, today: Date): SearchTarget {
  const text = input.replace(/[\r\n]+$/, '').trim();
  if (!text) return { kind: 'empty' };
  if (looksLikeGs1(text)) {
    const r = parseGs1(text, { referenceDate: today, enforceAssociations: false });
    if (!r.ok) return { kind: 'error', message: `That barcode could not be read: ${r.errors.map((e) => e.message).join('; ')}` };
    const gtin = r.gtin ?? r.contentGtin;
    if (!gtin) return { kind: 'error', message: 'That barcode carries no GTIN (AI 01 or 02), so it names no product' };
    if (r.lot) return { kind: 'lot', gtin, lot: r.lot, ...(r.expiry ? { expiry: r.expiry } : {}), hri: r.hri };
    if (r.serial) return { kind: 'serial', gtin, serial: r.serial, hri: r.hri };
    return { kind: 'gtin', gtin };
  }
  if (/^\d{8}$|^\d{12,14}$/.test(text)) {
    const g = parseGtin(text);
    if (g.ok) return { kind: 'gtin', gtin: g.gtin };
    return { kind: 'error', message: `${text} is not a GTIN: ${g.errors.map((e) => e.message).join('; ')}` };
  }
  return { kind: 'needs-gtin', code: text };
}

/** A GTIN field: 8, 12, 13 or 14 digits with a valid check digit, left-padded to 14. */
export function gtinOf(text: string): { ok: true; gtin: string } | { ok: false; message: string } {
  const t = text.trim();
  if (!/^\d{8}$|^\d{12,14}$/.test(t)) return { ok: false, message: 'A GTIN has 8, 12, 13 or 14 digits' };
  const g = parseGtin(t);
  return g.ok ? { ok: true, gtin: g.gtin } : { ok: false, message: g.errors.map((e) => e.message).join('; ') };
}
