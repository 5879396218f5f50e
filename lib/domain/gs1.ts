/**
 * GS1 element strings as barcode scanners send them: transmitted data with FNC1 as GS (ASCII 29) and an optional
 * AIM symbology identifier, the bracketed human-readable form, and GS1 Digital Link URIs.
 * Lengths, character sets, check digits, dates and pairing rules come from lotledger's AI table (`gs1-ai-table.ts`,
 * written from the GS1 General Specifications); dates follow GS1 General Specifications 7.12 (sliding century window).
 */
import type { AiSpec, CharSet, Linter } from './gs1-ai-table.js';
import { aiMatchesPattern, DL_SHORT_NAMES, lookupAi } from './gs1-ai-table.js';
import type { Gtin } from './ids.js';
import { gs1CheckDigit, SET82 } from './ids.js';

/** Why a GS1 string was rejected. `requisite` and `mutex` are the pairing rules (`requires` / `excludes`) of the AI table. */
export type Gs1ErrorKind =
  | 'syntax'
  | 'unknown-ai'
  | 'length'
  | 'charset'
  | 'check-digit'
  | 'illegal-month'
  | 'illegal-day'
  | 'illegal-time'
  | 'content'
  | 'duplicate-ai'
  | 'digital-link'
  | 'requisite'
  | 'mutex';

/** One problem, with a sentence that can be shown to an API user as is. */
export type Gs1Error = { kind: Gs1ErrorKind; message: string; ai?: string; expectedCheckDigit?: number };

/** One AI and its value, in the order the data carried them. */
export type Gs1Element = {
  ai: string;
  value: string;
  /** GS1 data title from the AI table, e.g. `BATCH/LOT`. */
  title: string;
  /** `YYYY-MM-DD` of a date AI (11, 13, 15, 16, 17, 7006, ...), its century resolved against the reference date. */
  date?: string;
  /** The date was written with day 00 (month only) and resolved to the last day of that month. */
  dayZero?: boolean;
  /** A measure or amount (31nn-36nn, 39nn) with its implied decimal point placed: (3103)000123 → `0.123`. */
  decimal?: string;
};

/** A valid GS1 message, with the fields lotledger reads lifted out of `elements`. */
export type Gs1Message = {
  elements: Gs1Element[];
  /** AIM symbology identifier the scanner sent, e.g. `]d2`. */
  symbology?: string;
  /** Bracketed human-readable form, e.g. `(01)09506000134352(10)ABC123`. */
  hri: string;
  /** Unbracketed element string, with GS (ASCII 29) after every AI that is not of pre-defined length, except the last. */
  elementString: string;
  /** (00) */
  sscc?: string;
  /** (01) */
  gtin?: Gtin;
  /** (02), the GTIN of the trade items inside a logistic unit. */
  contentGtin?: Gtin;
  /** (10) */
  lot?: string;
  /** (21) */
  serial?: string;
  /** (11) as `YYYY-MM-DD` */
  productionDate?: string;
  /** (13) pack date as `YYYY-MM-DD` (no movement field holds it: POST /scans reads it and records nothing of it) */
  packDate?: string;
  /** (15) as `YYYY-MM-DD` */
  bestBefore?: string;
  /** (17) as `YYYY-MM-DD` */
  expiry?: string;
  /** (30) variable count, or else (37) count of trade items (both present must agree). */
  quantity?: number;
  /** (310n) as a decimal string, e.g. `1.23456` */
  netWeightKg?: string;
};

export type Gs1ParseResult = ({ ok: true } & Gs1Message) | { ok: false; errors: Gs1Error[] };

export type Gs1ParseOptions = {
  /** Resolves two-digit years (GS1 sliding century window). Required because domain code never reads the clock. */
  referenceDate: Date | string;
  /** Apply the pairing rules (e.g. (10) needs (01) or (02)); default true. Turn off to read a partial message. */
  enforceAssociations?: boolean;
  /**
   * lotledger's one departure from GS1's pairing rules, which CONTRACT.md asks for in POST /scans and on case labels:
   * (37) may count the trade items of a case named by (01), on its own, without an (00) SSCC. GS1 reserves (37) for
   * (02) under (00) and makes (01) and (37) mutually exclusive; with this set, (01) meets (37)'s requirement and the
   * two may stand together. Every other pairing rule still applies. Default false (GS1's rules as written).
   */
  countWithGtin?: boolean;
};

const GS = '\u001d';

/** AIM symbology identifiers whose data is a GS1 element string. */
const GS1_SYMBOLOGIES: Readonly<Record<string, string>> = {
  ']C1': 'GS1-128',
  ']d2': 'GS1 DataMatrix',
  ']Q3': 'GS1 QR Code',
  ']e0': 'GS1 DataBar',
  ']J1': 'GS1 DotCode',
};

const CHARSETS: Readonly<Record<CharSet, { re: RegExp; name: string }>> = {
  N: { re: /^\d+$/, name: 'digits' },
  X: { re: SET82, name: 'GS1 character set 82' },
  Y: { re: /^[#\-/0-9A-Z]+$/, name: 'GS1 character set 39' },
  Z: { re: /^[-0-9A-Z_a-z=]+$/, name: 'GS1 character set 64' },
};

type Pair = { spec: AiSpec; value: string };

const fail = (...errors: Gs1Error[]): Gs1ParseResult => ({ ok: false, errors });

/** Read what a barcode scanner sent: a Digital Link URI, a bracketed `(01)...` string or transmitted element string.
 * @example parseGs1(']d201095060001343521726123110ABC123', { referenceDate: '2025-06-01' })
 * // { ok: true, gtin: '09506000134352', expiry: '2026-12-31', lot: 'ABC123', hri: '(01)09506000134352(17)261231(10)ABC123', ... }
 */
export function parseGs1(input: string, opts: Gs1ParseOptions): Gs1ParseResult {
  const text = input.trim();
  // A Digital Link is usually printed in a plain QR code, so it can arrive behind a ]Q1 identifier.
  if (/^https?:\/\//i.test(splitSymbology(text).data)) return parseDigitalLink(text, opts);
  if (text.startsWith('(')) return parseBracketed(text, opts);
  return parseElementString(text, opts);
}

/** Read transmitted element strings: optional symbology identifier, FNC1 as GS (ASCII 29) after variable-length AIs.
 * A leading, trailing or superfluous GS is tolerated.
 * @example parseElementString(']C1010950600013435215260300\u001d10ABC', { referenceDate: '2025-06-01' })
 * // { ok: true, gtin: '09506000134352', bestBefore: '2026-03-31', lot: 'ABC', ... }
 */
export function parseElementString(input: string, opts: Gs1ParseOptions): Gs1ParseResult {
  const { symbology, data } = splitSymbology(input.trim());
  if (symbology !== undefined && !Object.hasOwn(GS1_SYMBOLOGIES, symbology)) {
    return fail({ kind: 'syntax', message: `Symbology identifier ${symbology} does not carry GS1 data (expected ]C1, ]d2, ]Q3, ]e0 or ]J1)` });
  }
  const pairs: Pair[] = [];
  let i = 0;
  while (i < data.length) {
    // A GS at an element boundary (leading FNC1, redundant after a fixed-length AI, trailing) carries no data.
    if (data[i] === GS) {
      i++;
      continue;
    }
    const spec = aiAt(data, i);
    if (!spec)
      return fail({ kind: 'unknown-ai', message: `No GS1 Application Identifier starts at position ${i + 1} (${show(data.slice(i, i + 4))})` });
    const start = i + spec.ai.length;
    const gs = data.indexOf(GS, start);
    const end = gs < 0 ? data.length : gs;
    // A fixed-length value ends after its length even when an encoder left out the FNC1 that non-pre-defined
    // fixed-length AIs (e.g. 8005) ask for: no other reading is possible, so the scan need not be rejected.
    const stop = spec.minLength === spec.maxLength ? Math.min(end, start + spec.maxLength) : end;
    pairs.push({ spec, value: data.slice(start, stop) });
    i = stop;
  }
  if (pairs.length === 0) return fail({ kind: 'syntax', message: 'The element string is empty' });
  return finish(pairs, symbology, opts);
}

/** Read the bracketed human-readable form. A literal `(` inside a value is not supported.
 * @example parseBracketed('(01)09506000134352(17)261231(10)ABC123', { referenceDate: '2025-06-01' })
 * // { ok: true, elementString: '01095060001343521726123110ABC123', expiry: '2026-12-31', ... }
 */
export function parseBracketed(input: string, opts: Gs1ParseOptions): Gs1ParseResult {
  const text = input.trim();
  if (!text.startsWith('(')) return fail({ kind: 'syntax', message: 'A bracketed GS1 string starts with an AI in brackets, e.g. (01)' });
  const pairs: Pair[] = [];
  const element = /\(([^()]*)\)([^(]*)/y;
  while (element.lastIndex < text.length) {
    const at = element.lastIndex;
    const m = element.exec(text);
    if (!m) return fail({ kind: 'syntax', message: `Expected an AI in brackets at position ${at + 1}` });
    const [, ai = '', value = ''] = m;
    const spec = /^\d{2,4}$/.test(ai) ? lookupAi(ai) : undefined;
    if (!spec) return fail({ kind: 'unknown-ai', ai, message: `(${ai}) is not a GS1 Application Identifier` });
    pairs.push({ spec, value });
  }
  return finish(pairs, undefined, opts);
}

const URI = /^https?:\/\/([^/?#]+)([^?#]*)(?:\?([^#]*))?(?:#.*)?$/i;

/** Read a GS1 Digital Link URI on any host: primary key and key qualifiers in the path, other AIs as query parameters.
 * Path keys may use the deprecated short names (`/gtin/...`); non-numeric query parameters are left to the resolver.
 * @example parseDigitalLink('https://id.gs1.org/01/09506000134352/10/ABC123?17=261231', { referenceDate: '2025-06-01' })
 * // { ok: true, gtin: '09506000134352', lot: 'ABC123', expiry: '2026-12-31', ... }
 */
export function parseDigitalLink(input: string, opts: Gs1ParseOptions): Gs1ParseResult {
  const { symbology, data } = splitSymbology(input.trim());
  const m = URI.exec(data);
  if (!m) return fail(dlError(`${show(data.slice(0, 40))} is not an http(s) URI`));
  const [, , path = '', query = ''] = m;
  const segments = path.split('/').slice(1);
  if (segments.at(-1) === '') segments.pop();
  // The path info "/key/value/qualifier/value..." sits at the end of the path, after the resolver's own stem:
  // walk back in pairs until a primary key shows up (as the GS1 Barcode Syntax Engine does).
  const pairs: Pair[] = [];
  for (let j = segments.length - 2; j >= 0; j -= 2) {
    const spec = pathAi(segments[j] ?? '');
    if (!spec) break;
    pairs.unshift({ spec, value: shortGtinPadded(spec.ai, percentDecode(segments[j + 1] ?? '', false)) });
    if (spec.dlQualifiers) break;
  }
  const key = pairs[0]?.spec;
  if (!key?.dlQualifiers) return fail(dlError('The URI path has no GS1 primary key, e.g. /01/{GTIN}'));
  const qualifiers = pairs.slice(1).map((p) => p.spec.ai);
  if (!isKeyPath(key, qualifiers)) {
    return fail(dlError(`${qualifiers.map((q) => `(${q})`).join(' ')} cannot follow (${key.ai}) in the URI path, or not in that order`));
  }
  for (const param of query.split('&')) {
    const [name = '', ...rest] = param.split('=');
    // Parameters that are not AIs (linkType, context, utm_...) are for the resolver, not part of the GS1 data.
    if (rest.length === 0 || !/^\d+$/.test(name)) continue;
    const spec = lookupAi(name);
    if (!spec) return fail({ kind: 'unknown-ai', ai: name, message: `Query parameter ${name} is not a GS1 Application Identifier` });
    if (!spec.dlAttribute) return fail(dlError(`AI (${name}) cannot be a Digital Link query parameter`, name));
    const withName = Array.from({ length: qualifiers.length + 1 }, (_, k) => qualifiers.toSpliced(k, 0, name));
    if (withName.some((path) => isKeyPath(key, path))) {
      return fail(dlError(`AI (${name}) qualifies (${key.ai}) and belongs in the URI path, not in the query`, name));
    }
    pairs.push({ spec, value: percentDecode(rest.join('='), true) });
  }
  return finish(pairs, symbology, opts);
}

/**
 * A GTIN-8, -12 or -13 in a Digital Link path, as 14 digits (GS1 Digital Link 1.2 §4.1: the URI may carry the GTIN in
 * its shorter forms, read left-padded with zeros); an element string's (01) is always 14 digits.
 * @example shortGtinPadded('01', '614141000012') // '00614141000012'
 */
const shortGtinPadded = (ai: string, value: string) => (ai === '01' && /^(\d{8}|\d{12}|\d{13})$/.test(value) ? value.padStart(14, '0') : value);

/** Check a bare GTIN-8, -12, -13 or -14 (e.g. from an EAN/UPC barcode) and return it as 14 digits.
 * @example parseGtin('4006381333931') // { ok: true, gtin: '04006381333931' }
 */
export function parseGtin(raw: string): { ok: true; gtin: Gtin } | { ok: false; errors: Gs1Error[] } {
  if (!/^\d+$/.test(raw)) return { ok: false, errors: [{ kind: 'charset', message: 'A GTIN must be digits only' }] };
  if (![8, 12, 13, 14].includes(raw.length)) {
    return { ok: false, errors: [{ kind: 'length', message: `A GTIN must be 8, 12, 13 or 14 digits long, got ${raw.length}` }] };
  }
  const expected = gs1CheckDigit(raw.slice(0, -1));
  if (expected !== Number(raw.at(-1))) {
    return {
      ok: false,
      errors: [{ kind: 'check-digit', expectedCheckDigit: expected, message: `GTIN check digit is wrong (expected ${expected})` }],
    };
  }
  return { ok: true, gtin: raw.padStart(14, '0') };
}

/** Apply the AI table's pairing rules: every `requires` clause of each AI must be met and no `excludes` partner may be present.
 * `countWithGtin` lets (01) stand with (37) and meet its requirement (see `Gs1ParseOptions`).
 * @example validateAssociations([{ ai: '10' }]) // [{ kind: 'requisite', ai: '10', message: 'AI (10) needs (01), (02), (03), (8006) or (8026)' }]
 * @example validateAssociations([{ ai: '01' }, { ai: '37' }, { ai: '10' }], { countWithGtin: true }) // []
 */
export function validateAssociations(elements: readonly { ai: string }[], opts: { countWithGtin?: boolean } = {}): Gs1Error[] {
  const present = [...new Set(elements.map((e) => e.ai))];
  const has = (pattern: string) => present.some((ai) => aiMatchesPattern(pattern, ai));
  const waived = (a: string, b: string) => opts.countWithGtin === true && [a, b].sort().join('+') === '01+37';
  const errors: Gs1Error[] = [];
  const reported = new Set<string>();
  for (const ai of present) {
    const spec = lookupAi(ai);
    if (!spec) continue;
    for (const clause of spec.requires) {
      if (clause.some((alternative) => alternative.every(has))) continue;
      if (ai === '37' && opts.countWithGtin === true && has('01')) continue;
      const options = clause.map((alternative) => alternative.map((p) => `(${p})`).join(' with '));
      errors.push({ kind: 'requisite', ai, message: `AI (${ai}) needs ${orList(options)}` });
    }
    for (const pattern of spec.excludes) {
      // An AI never excludes itself, even when it matches its own pattern (3103 and 310n).
      const other = present.find((o) => o !== ai && aiMatchesPattern(pattern, o) && !waived(ai, o));
      if (other === undefined || reported.has(`${other}+${ai}`)) continue;
      reported.add(`${ai}+${other}`);
      errors.push({ kind: 'mutex', ai, message: `AI (${ai}) cannot be used together with (${other})` });
    }
  }
  return errors;
}

/** Four-digit year of a GS1 two-digit year: within 49 years back and 50 years ahead of the reference year
 * (GS1 General Specifications 7.12).
 * @example gs1Year(76, 2025) // 1976
 */
export function gs1Year(yy: number, referenceYear: number): number {
  const century = referenceYear - (referenceYear % 100);
  const difference = yy - (referenceYear % 100);
  if (difference >= 51) return century - 100 + yy;
  if (difference <= -50) return century + 100 + yy;
  return century + yy;
}

function splitSymbology(text: string): { symbology?: string; data: string } {
  const m = /^\][A-Za-z][0-9A-Za-z]/.exec(text);
  return m ? { symbology: m[0], data: text.slice(3) } : { data: text };
}

// Every AI is 2 to 4 digits and no AI is a prefix of another, so the first hit is the only one.
function aiAt(data: string, i: number): AiSpec | undefined {
  for (const length of [2, 3, 4]) {
    const spec = lookupAi(data.slice(i, i + length));
    if (spec) return spec;
  }
  return undefined;
}

function pathAi(segment: string): AiSpec | undefined {
  return lookupAi((Object.hasOwn(DL_SHORT_NAMES, segment) ? DL_SHORT_NAMES[segment] : undefined) ?? segment);
}

function isKeyPath(key: AiSpec, qualifiers: readonly string[]): boolean {
  return (key.dlQualifiers ?? []).some((order) => {
    let at = 0;
    return qualifiers.every((q) => {
      at = order.indexOf(q, at) + 1;
      return at > 0;
    });
  });
}

// Byte-wise like the GS1 engine: a `%` not followed by two hex digits stays literal; `+` is a space only in the query.
function percentDecode(text: string, inQuery: boolean): string {
  return text.replace(/%([0-9A-Fa-f]{2})|\+/g, (match, hex: string | undefined) => {
    if (hex !== undefined) return String.fromCharCode(Number.parseInt(hex, 16));
    return inQuery ? ' ' : match;
  });
}

const dlError = (message: string, ai?: string): Gs1Error => ({ kind: 'digital-link', message, ...(ai !== undefined && { ai }) });

function referenceYearOf(referenceDate: Date | string): number {
  const date = typeof referenceDate === 'string' ? new Date(referenceDate) : referenceDate;
  if (Number.isNaN(date.getTime())) throw new RangeError(`referenceDate is not a date: ${String(referenceDate)}`);
  return date.getUTCFullYear();
}

function finish(pairs: readonly Pair[], symbology: string | undefined, opts: Gs1ParseOptions): Gs1ParseResult {
  const referenceYear = referenceYearOf(opts.referenceDate);
  const errors: Gs1Error[] = [];
  const elements = pairs.map(({ spec, value }) => {
    const read = readElement(spec, value, referenceYear);
    errors.push(...read.errors);
    return read.element;
  });
  errors.push(...conflictingDuplicates(elements), ...conflictingCounts(elements));
  // Pairing errors on top of a bad check digit or length would only bury the real problem.
  if (errors.length === 0 && opts.enforceAssociations !== false) {
    errors.push(...validateAssociations(elements, { countWithGtin: opts.countWithGtin === true }));
  }
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, ...describe(elements, symbology) };
}

function readElement(spec: AiSpec, value: string, referenceYear: number): { element: Gs1Element; errors: Gs1Error[] } {
  const { ai } = spec;
  const element: Gs1Element = { ai, value, title: spec.title };
  if (value.length < spec.minLength || value.length > spec.maxLength) return { element, errors: [lengthError(spec, value)] };
  const parts = splitComponents(spec, value);
  if (!parts) {
    const format = spec.components.map((c) => `${c.optional ? '[' : ''}${c.cset}${c.min === c.max ? c.max : `..${c.max}`}${c.optional ? ']' : ''}`);
    return { element, errors: [{ kind: 'length', ai, message: `AI (${ai}): value ${show(value)} does not fit the format ${format.join(' ')}` }] };
  }
  const errors: Gs1Error[] = [];
  for (const { cset, linters, text, offset } of parts) {
    const bad = text.split('').findIndex((ch) => !CHARSETS[cset].re.test(ch));
    if (bad >= 0) {
      const found = `${show(text[bad] ?? '')} at position ${offset + bad + 1}`;
      errors.push({
        kind: 'charset',
        ai,
        message: cset === 'N' ? `AI (${ai}): value must be digits only, found ${found}` : `AI (${ai}): ${found} is not in ${CHARSETS[cset].name}`,
      });
      continue;
    }
    const problem = linters.map((linter) => LINTERS[linter](text, ai, referenceYear)).find((e) => e !== undefined);
    if (problem) errors.push(problem);
  }
  if (errors.length > 0) return { element, errors };
  const dated = parts.find((p) => p.linters.some((l) => l === 'yymmd0' || l === 'yymmdd' || l === 'yyyymmdd'));
  if (dated) {
    const read = dated.text.length === 8 ? readDate(dated.text, Number(dated.text.slice(0, 4)), false) : readYymmdd(dated.text, referenceYear, true);
    if (read.ok) {
      element.date = read.iso;
      if (read.dayZero) element.dayZero = true;
    }
  }
  const decimals = /^(3[1-6]\d|39[0-5])\d$/.test(ai) ? Number(ai.at(-1)) : undefined;
  const last = parts.at(-1);
  if (decimals !== undefined && last) element.decimal = placeDecimals(last.text, decimals);
  return { element, errors };
}

function lengthError(spec: AiSpec, value: string): Gs1Error {
  const { ai, minLength, maxLength } = spec;
  if (value === '') return { kind: 'length', ai, message: `AI (${ai}): value is empty` };
  const unit = spec.components.every((c) => c.cset === 'N') ? 'digits' : 'characters';
  const wanted = minLength === maxLength ? `${maxLength}` : `${minLength} to ${maxLength}`;
  const padHint =
    maxLength === 14 && (ai === '01' || ai === '02') && [8, 12, 13].includes(value.length)
      ? '; a GTIN-8, -12 or -13 is written with leading zeros as 14 digits'
      : '';
  return { kind: 'length', ai, message: `AI (${ai}): value must be ${wanted} ${unit} long, got ${value.length}${padHint}` };
}

type Part = { cset: CharSet; linters: readonly Linter[]; text: string; offset: number };

// Fixed-length components take their length; only the last one may vary. Optional ones end early when data runs out.
function splitComponents(spec: AiSpec, value: string): Part[] | undefined {
  const parts: Part[] = [];
  let at = 0;
  for (const { cset, min, max, optional, linters } of spec.components) {
    if (at === value.length && optional) break;
    const text = value.slice(at, at + max);
    if (text.length < min) return undefined;
    parts.push({ cset, linters, text, offset: at });
    at += text.length;
  }
  return at === value.length ? parts : undefined;
}

type Lint = (text: string, ai: string, referenceYear: number) => Gs1Error | undefined;

const content = (ai: string, message: string): Gs1Error => ({ kind: 'content', ai, message: `AI (${ai}): ${message}` });

const LINTERS: Readonly<Record<Linter, Lint>> = {
  csum: (text, ai) => {
    const expected = gs1CheckDigit(text.slice(0, -1));
    if (expected === Number(text.at(-1))) return undefined;
    return { kind: 'check-digit', ai, expectedCheckDigit: expected, message: `AI (${ai}): check digit is wrong (expected ${expected})` };
  },
  yymmd0: (text, ai, year) => dateError(ai, readYymmdd(text, year, true)),
  yymmdd: (text, ai, year) => dateError(ai, readYymmdd(text, year, false)),
  yyyymmdd: (text, ai) => dateError(ai, readDate(text, Number(text.slice(0, 4)), false)),
  hhmi: (text, ai) => timeError(text, ai, [23, 59]),
  hh: (text, ai) => timeError(text, ai, [23]),
  mi: (text, ai) => timeError(text, ai, [59]),
  ss: (text, ai) => timeError(text, ai, [59]),
  zero: (text, ai) => (text === '0' ? undefined : content(ai, `the leading digit must be 0, got ${text}`)),
  nonzero: (text, ai) => (Number(text) !== 0 ? undefined : content(ai, `${text} must not be zero`)),
  yesno: (text, ai) => (text === '0' || text === '1' ? undefined : content(ai, `must be 0 (no) or 1 (yes), got ${text}`)),
  hyphen: (text, ai) => (text === '-' ? undefined : content(ai, `the optional sign must be "-", got ${show(text)}`)),
  winding: (text, ai) => (/^[019]$/.test(text) ? undefined : content(ai, `winding direction must be 0, 1 or 9, got ${text}`)),
  iso5218: (text, ai) => (/^[0129]$/.test(text) ? undefined : content(ai, `sex code must be 0, 1, 2 or 9 (ISO/IEC 5218), got ${text}`)),
  pieceoftotal: (text, ai) => {
    const half = text.length / 2;
    const piece = Number(text.slice(0, half));
    const total = Number(text.slice(half));
    return piece >= 1 && piece <= total ? undefined : content(ai, `piece ${piece} of ${total} is not possible`);
  },
  nozeroprefix: (text, ai) => (text.length > 1 && text.startsWith('0') ? content(ai, 'must not start with 0') : undefined),
  hasnondigit: (text, ai) => (/\D/.test(text) ? undefined : content(ai, 'must contain at least one character that is not a digit')),
  pcenc: (text, ai) => (/%(?![0-9A-Fa-f]{2})/.test(text) ? content(ai, '"%" must be followed by two hexadecimal digits') : undefined),
};

type DateRead = { ok: true; iso: string; dayZero: boolean } | { ok: false; kind: 'illegal-month' | 'illegal-day'; message: string };

function readYymmdd(text: string, referenceYear: number, dayZeroAllowed: boolean): DateRead {
  return readDate(text.slice(2), gs1Year(Number(text.slice(0, 2)), referenceYear), dayZeroAllowed);
}

/** Reads the trailing `MMDD` of `text` in `year`. Day 00 means "month only": the last day of the month (lotledger's policy). */
function readDate(text: string, year: number, dayZeroAllowed: boolean): DateRead {
  const mm = text.slice(-4, -2);
  const dd = text.slice(-2);
  const month = Number(mm);
  const day = Number(dd);
  if (month < 1 || month > 12) return { ok: false, kind: 'illegal-month', message: `month ${mm} does not exist` };
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const lastDay = month === 2 ? (leap ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;
  const iso = (d: number) => `${String(year).padStart(4, '0')}-${mm}-${String(d).padStart(2, '0')}`;
  if (day === 0 && dayZeroAllowed) return { ok: true, iso: iso(lastDay), dayZero: true };
  if (day < 1 || day > lastDay) return { ok: false, kind: 'illegal-day', message: `day ${dd} does not exist in ${iso(1).slice(0, 7)}` };
  return { ok: true, iso: iso(day), dayZero: false };
}

const dateError = (ai: string, read: DateRead): Gs1Error | undefined =>
  read.ok ? undefined : { kind: read.kind, ai, message: `AI (${ai}): ${read.message}` };

function timeError(text: string, ai: string, maxima: readonly number[]): Gs1Error | undefined {
  const bad = maxima.some((max, k) => Number(text.slice(2 * k, 2 * k + 2)) > max);
  return bad ? { kind: 'illegal-time', ai, message: `AI (${ai}): ${text} is not a time of day` } : undefined;
}

function placeDecimals(digits: string, decimals: number): string {
  const padded = digits.padStart(decimals + 1, '0');
  const whole = padded.slice(0, padded.length - decimals).replace(/^0+(?=\d)/, '');
  return decimals === 0 ? whole : `${whole}.${padded.slice(-decimals)}`;
}

function conflictingDuplicates(elements: readonly Gs1Element[]): Gs1Error[] {
  const seen = new Map<string, string>();
  const errors: Gs1Error[] = [];
  for (const { ai, value } of elements) {
    const earlier = seen.get(ai);
    if (earlier === undefined) seen.set(ai, value);
    else if (earlier !== value) {
      errors.push({ kind: 'duplicate-ai', ai, message: `AI (${ai}) appears twice with different values: ${show(earlier)} and ${show(value)}` });
    }
  }
  return errors;
}

// (30) and (37) are both read as the quantity: when they disagree no count can be taken from the barcode.
function conflictingCounts(elements: readonly Gs1Element[]): Gs1Error[] {
  const thirty = elements.find((e) => e.ai === '30');
  const thirtySeven = elements.find((e) => e.ai === '37');
  if (!thirty || !thirtySeven || !/^\d+$/.test(thirty.value) || !/^\d+$/.test(thirtySeven.value)) return [];
  if (Number(thirty.value) === Number(thirtySeven.value)) return [];
  return [
    {
      kind: 'content',
      ai: '37',
      message: `AI (30) count ${Number(thirty.value)} and AI (37) count ${Number(thirtySeven.value)} disagree: the barcode must carry one count`,
    },
  ];
}

function describe(elements: Gs1Element[], symbology: string | undefined): Gs1Message {
  const find = (ai: string) => elements.find((e) => e.ai === ai);
  const count = find('30') ?? find('37');
  const weight = elements.find((e) => /^310\d$/.test(e.ai));
  return withoutUndefined({
    symbology,
    sscc: find('00')?.value,
    gtin: find('01')?.value,
    contentGtin: find('02')?.value,
    lot: find('10')?.value,
    serial: find('21')?.value,
    productionDate: find('11')?.date,
    packDate: find('13')?.date,
    bestBefore: find('15')?.date,
    expiry: find('17')?.date,
    quantity: count && Number(count.value),
    netWeightKg: weight?.decimal,
    elements,
    hri: elements.map((e) => `(${e.ai})${e.value}`).join(''),
    // FNC1 is needed only where the next element could not otherwise be told apart: after AIs of variable or non-pre-defined length.
    elementString: elements.map((e, k) => `${e.ai}${e.value}${k < elements.length - 1 && !lookupAi(e.ai)?.predefinedLength ? GS : ''}`).join(''),
  });
}

// Absent fields are left out rather than set to undefined, so logs and test diffs show only what the barcode said.
const withoutUndefined = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

const orList = (items: readonly string[]) => (items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`);

// Quote a value for a message; control characters such as GS would be invisible, so name them.
function show(text: string): string {
  return JSON.stringify(text).replace(/\\u00([0-9a-f]{2})/g, (_, hex: string) => `<U+00${hex.toUpperCase()}>`);
}
