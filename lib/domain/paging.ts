import type { z } from 'zod';
import { AppError } from './errors.js';

/** A page cursor as clients see it: base64url JSON, opaque to them. */
export const encodeCursor = (position: unknown): string => Buffer.from(JSON.stringify(position)).toString('base64url');

/** Read a cursor this API returned; anything else is 400 `validation_failed` naming `cursor`. */
export function decodeCursor<S extends z.ZodType>(schema: S, cursor: string): z.output<S> {
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    raw = undefined;
  }
  const r = schema.safeParse(raw);
  if (r.success) return r.data;
  throw new AppError('validation_failed', 'Invalid request: cursor: is not one this API returned', [{ path: 'cursor', message: 'invalid cursor' }]);
}

/** A total order on text: locale order, then code units, so that paging by it never skips or repeats an item. */
export const compareText = (a: string, b: string): number => a.localeCompare(b) || (a < b ? -1 : a > b ? 1 : 0);

/** Default and largest `limit` of the paged answers (trace movements, verify and report lots). */
export const PAGE_LIMIT = 1000;

/** A page aims below this many bytes of JSON: Lambda answers at most 6 MB, and the rest of the answer needs room. */
export const PAGE_BYTES = 5 * 1024 * 1024;

/** How many of `items`, from the first, fit in `budget` bytes of JSON; at least one, so that paging always moves on. */
export function fitting(items: readonly unknown[], budget: number): number {
  let bytes = 0;
  for (const [i, item] of items.entries()) {
    bytes += Buffer.byteLength(JSON.stringify(item)) + 1;
    if (i > 0 && bytes > budget) return i;
  }
  return items.length;
}
