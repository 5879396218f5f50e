import { z } from 'zod';

/** A 14-digit GTIN with a valid check digit. */
export type Gtin = string & { readonly __brand?: 'Gtin' };

/** GS1 mod-10 check digit of the digits before it (weights 3,1,3,... from the right).
 * @example gs1CheckDigit('950600013435') // 2
 */
export function gs1CheckDigit(body: string): number {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    const d = body.charCodeAt(body.length - 1 - i) - 48;
    sum += i % 2 === 0 ? d * 3 : d;
  }
  return (10 - (sum % 10)) % 10;
}

/** True when the last digit of a numeric GS1 key is its mod-10 check digit.
 * @example hasValidCheckDigit('09506000134352') // true
 */
export function hasValidCheckDigit(digits: string): boolean {
  if (!/^\d{2,}$/.test(digits)) return false;
  return gs1CheckDigit(digits.slice(0, -1)) === Number(digits.at(-1));
}

/** Left-pad GTIN-8/12/13 to 14 digits after checking the mod-10 digit; undefined when invalid.
 * @example toGtin14('4006381333931') // '04006381333931'
 */
export function toGtin14(raw: string): Gtin | undefined {
  if (!/^(\d{8}|\d{12}|\d{13}|\d{14})$/.test(raw)) return undefined;
  if (!hasValidCheckDigit(raw)) return undefined;
  return raw.padStart(14, '0');
}

/** GS1 AI encodable character set 82 (used by AI 10 lot and AI 21 serial). */
export const SET82 = /^[!"%&'()*+,\-./0-9:;<=>?A-Z_a-z]+$/;

/** The message of a string that is not well-formed Unicode. */
export const NOT_WELL_FORMED = 'must be well-formed Unicode (no lone surrogates)';

/** Any string the API takes: well-formed Unicode only, so two different inputs never store or hash as one.
 * @example UnicodeString().safeParse('a\uD800').success // false
 */
export const UnicodeString = (error = 'must be a string') => z.string({ error }).refine((s) => s.isWellFormed(), NOT_WELL_FORMED);

/** Free text of at most `max` characters, well-formed, trimmed first when `trim`; `min` 1 unless told (0: may be empty). */
export const TextSchema = (max: number, o: { min?: 0 | 1; trim?: boolean; error?: string } = {}) => {
  const base = o.trim ? UnicodeString(o.error).trim() : UnicodeString(o.error);
  const bounded = base.max(max, `must be at most ${max} characters`);
  return (o.min ?? 1) === 1 ? bounded.min(1, 'must not be empty') : bounded;
};

/** The largest quantity one record may carry, and the largest unit price or cost. */
export const MAX_QUANTITY = 1_000_000_000;
export const MAX_UNIT_AMOUNT = 1_000_000_000;
/** The smallest positive unit price or cost; DynamoDB refuses numbers below 1e-130 and above 9.99e125 outright. */
export const MIN_UNIT_AMOUNT = 0.000001;

/** A finite JSON number; out of range (e.g. 1e400, which JSON.parse makes Infinity) or NaN is refused. */
export const FiniteNumber = (error = 'must be a number') => z.number({ error }).finite('must be a finite number');

/** A quantity: finite, at most MAX_QUANTITY in magnitude, at most 3 decimal places. Signs are up to the caller. */
export const QuantitySchema = FiniteNumber()
  .refine((n) => Math.abs(n) <= MAX_QUANTITY, `must be at most ${MAX_QUANTITY}`)
  .refine((n) => Number.isInteger(n * 1000), 'must have at most 3 decimal places');

/** A unit price or cost: 0, or MIN_UNIT_AMOUNT to MAX_UNIT_AMOUNT. */
export const UnitAmountSchema = FiniteNumber()
  .min(0, 'must be 0 or more')
  .max(MAX_UNIT_AMOUNT, `must be at most ${MAX_UNIT_AMOUNT}`)
  .refine((n) => n === 0 || n >= MIN_UNIT_AMOUNT, `must be 0 or at least ${MIN_UNIT_AMOUNT}`);

/** A count someone reports (e.g. a recall acknowledgement's quantities): a quantity of 0 or more. */
export const ReportedQuantitySchema = QuantitySchema.refine((n) => n >= 0, 'must be 0 or more');

export const GtinSchema = z.string({ error: 'must be a string of digits' }).transform((raw, ctx) => {
  if (!/^\d+$/.test(raw) || ![8, 12, 13, 14].includes(raw.length)) {
    ctx.addIssue({ code: 'custom', message: 'GTIN must be 8, 12, 13 or 14 digits' });
    return z.NEVER;
  }
  const g = toGtin14(raw);
  if (!g) {
    ctx.addIssue({ code: 'custom', message: 'GTIN check digit is wrong' });
    return z.NEVER;
  }
  return g;
});

export const GlnSchema = z
  .string({ error: 'must be a string of 13 digits' })
  .regex(/^\d{13}$/, 'GLN must be 13 digits')
  .refine(hasValidCheckDigit, 'GLN check digit is wrong');

export const SiteIdSchema = z
  .string({ error: 'must be a string' })
  .regex(/^[A-Za-z0-9._-]{1,64}$/, 'siteId must be 1-64 characters of A-Z a-z 0-9 . _ -');

/** A storage bin within an internal site (CONTRACT.md `bins`): 1-64 characters `[A-Za-z0-9._-]`, as a siteId. */
export const BinIdSchema = z
  .string({ error: 'must be a string' })
  .regex(/^[A-Za-z0-9._-]{1,64}$/, 'bin must be 1-64 characters of A-Z a-z 0-9 . _ -');

export const LotSchema = z
  .string({ error: 'must be a string' })
  .min(1, 'lot must be 1-20 characters')
  .max(20, 'lot must be 1-20 characters')
  .regex(SET82, 'lot must use GS1 AI encodable set 82 characters');

export const SerialSchema = z
  .string({ error: 'must be a string' })
  .min(1, 'serial must be 1-20 characters')
  .max(20, 'serial must be 1-20 characters')
  .regex(SET82, 'serial must use GS1 AI encodable set 82 characters');

/** True when the string is a real calendar date `YYYY-MM-DD`. */
export function isCalendarDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === s;
}

export const DateSchema = z.string({ error: 'must be a date YYYY-MM-DD' }).refine(isCalendarDate, 'must be a date YYYY-MM-DD');

/** ISO-8601 instant with an explicit offset (`Z` or `±hh:mm`). */
export const InstantSchema = z
  .string({ error: 'must be an ISO-8601 instant with offset' })
  .regex(
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/,
    'must be an ISO-8601 instant with offset, e.g. 2026-03-01T14:05:00-05:00',
  )
  .refine((s) => isCalendarDate(s.slice(0, 10)) && !Number.isNaN(Date.parse(s)), 'is not a real instant');

/** A day of a range (`from`/`to` of exports, FDA requests, KDE gaps): a date, or an instant read as its own date
 * (CONTRACT.md, Exports: "an instant is read as its date"), the calendar day written in it, at its own offset.
 * @example DaySchema.parse('2026-03-01T23:30:00-05:00') // '2026-03-01'
 */
export const DaySchema = z
  .string({ error: 'must be a date YYYY-MM-DD or an ISO-8601 instant' })
  .refine(
    (s) => isCalendarDate(s) || InstantSchema.safeParse(s).success,
    'must be a date YYYY-MM-DD or an ISO-8601 instant with offset (read as its date)',
  )
  .transform((s) => s.slice(0, 10));
