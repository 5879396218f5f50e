/**
 * What a GS1 label says: its symbols (the AIs each carries, in the order GS1 recommends) and the human-readable
 * text under and around them. Rendering into SVG, PNG, PDF or ZPL is lib/exports/label-render.ts; this module
 * decides the content only, so every format carries the same data.
 */
import { z } from 'zod';
import { AppError } from './errors.js';
import { gs1CheckDigit } from './ids.js';

export const LABEL_FORMATS = ['svg', 'png', 'pdf', 'zpl'] as const;
export type LabelFormat = (typeof LABEL_FORMATS)[number];
export const SYMBOLOGIES = ['gs1-128', 'datamatrix', 'qr'] as const;
export type Symbology = (typeof SYMBOLOGIES)[number];

export const LabelFormatSchema = z.enum(LABEL_FORMATS, { error: `must be one of ${LABEL_FORMATS.join(', ')}` });
export const SymbologySchema = z.enum(SYMBOLOGIES, { error: `must be one of ${SYMBOLOGIES.join(', ')}` });

/** MIME type of each format, for the HTTP answer and the CLI. */
export const LABEL_MEDIA_TYPES = {
  svg: 'image/svg+xml',
  png: 'image/png',
  pdf: 'application/pdf',
  zpl: 'application/zpl',
} as const satisfies Record<LabelFormat, string>;

/** One AI and its value as it goes into a symbol, e.g. `{ ai: '10', value: 'ABC123' }`. */
export type LabelElement = { ai: string; value: string };

/** One barcode on a label. `qr` symbols carry a GS1 Digital Link URI; the others the element string. */
export type LabelSymbol = {
  symbology: Symbology;
  elements: LabelElement[];
  /** Digital Link URI, for `qr` */
  uri?: string;
  /** `(01) 09506000134352`, one line per element, printed under the symbol */
  hri: string[];
};

/** A label: a heading, lines of plain text above the symbols, and the symbols top to bottom (the last is lowest). */
export type LabelSpec = { kind: 'lot' | 'serial' | 'sscc'; title: string; text: string[]; symbols: LabelSymbol[] };

/** The GS1 Digital Link stem used in QR symbols; a resolver that serves `/01/...` at another address can be set. */
export const DEFAULT_DIGITAL_LINK_BASE = 'https://id.gs1.org';

/** Dates in AIs 11, 13, 15 and 17 are YYMMDD. */
const yymmdd = (date: string) => date.slice(2, 4) + date.slice(5, 7) + date.slice(8, 10);

/** `(01) 09506000134352`: the GS1 human-readable form of one element, the AI in brackets and a space before the data. */
export const hriLine = (e: LabelElement) => `(${e.ai}) ${e.value}`;

/** The element string in bracketed form, `(01)09506000134352(10)ABC123`, as bwip-js and our parser take it. */
export const bracketed = (elements: readonly LabelElement[]) => elements.map((e) => `(${e.ai})${e.value}`).join('');

/** Keys of a Digital Link path in order: primary key first, then its qualifiers (10 before 21, as GS1 DL 1.2 sets). */
const DL_PATH_AIS = ['00', '01', '10', '21'];
/** AIs that go into a Digital Link URI as query attributes (GS1 DL: everything that is not a key or qualifier). */
const dlEncode = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/**
 * A GS1 Digital Link URI for the elements: the key and its qualifiers in the path, the rest in the query.
 * @example digitalLink([{ ai: '01', value: '09506000134352' }, { ai: '17', value: '261231' }, { ai: '10', value: 'A1' }]) // 'https://id.gs1.org/01/09506000134352/10/A1?17=261231'
 */
export function digitalLink(elements: readonly LabelElement[], base = DEFAULT_DIGITAL_LINK_BASE): string {
  const inPath = DL_PATH_AIS.flatMap((ai) => elements.filter((e) => e.ai === ai));
  // (10) qualifies (01) only; on an SSCC label the lot is an attribute.
  const path = inPath.filter((e) => !(e.ai === '10' && !elements.some((x) => x.ai === '01')));
  const query = elements.filter((e) => !path.includes(e));
  const stem = base.replace(/\/+$/, '');
  const p = path.map((e) => `/${e.ai}/${dlEncode(e.value)}`).join('');
  return query.length === 0 ? `${stem}${p}` : `${stem}${p}?${query.map((e) => `${e.ai}=${dlEncode(e.value)}`).join('&')}`;
}

const symbolOf = (symbology: Symbology, elements: LabelElement[], base: string): LabelSymbol => ({
  symbology,
  elements,
  ...(symbology === 'qr' ? { uri: digitalLink(elements, base) } : {}),
  hri: elements.map(hriLine),
});

export type LotLabelInput = {
  gtin: string;
  lot: string;
  description: string;
  expiry?: string;
  productionDate?: string;
  /** the day the lot was packed, when the ledger knows it (the date of its initial packing) */
  packDate?: string;
  /** units in the case */
  quantity?: number;
  symbology: Symbology;
  digitalLinkBase?: string;
};

/** The largest count AI (37) holds: up to 8 digits. */
export const MAX_LABEL_COUNT = 99_999_999;

/**
 * A case label for a lot: (01) GTIN, (17) expiry, (11) production date and (13) pack date when the lot has them,
 * (37) count when a quantity is given, as CONTRACT.md asks, (10) lot last (it is variable-length, so no FNC1 follows
 * it). GS1 reserves (37) for (02) under an (00) SSCC and makes (01) and (37) mutually exclusive; lotledger waives that
 * one rule for a case's count (`countWithGtin` in gs1.ts): POST /scans reads it as the quantity, and the renderer
 * checks such a symbol with our own parser, since bwip-js's lint refuses it. In a Digital Link QR the count is the
 * query attribute `37=`.
 * @example lotLabel({ gtin: '09506000134352', lot: 'ABC123', description: 'Romaine', expiry: '2026-12-31', quantity: 12, symbology: 'gs1-128' }).symbols[0].hri // ['(01) 09506000134352', '(17) 261231', '(37) 12', '(10) ABC123']
 */
export function lotLabel(i: LotLabelInput): LabelSpec {
  const elements: LabelElement[] = [
    { ai: '01', value: i.gtin },
    ...(i.expiry ? [{ ai: '17', value: yymmdd(i.expiry) }] : []),
    ...(i.productionDate ? [{ ai: '11', value: yymmdd(i.productionDate) }] : []),
    ...(i.packDate ? [{ ai: '13', value: yymmdd(i.packDate) }] : []),
    ...(i.quantity !== undefined ? [{ ai: '37', value: String(i.quantity) }] : []),
    { ai: '10', value: i.lot },
  ];
  const text = [
    `GTIN ${i.gtin}`,
    `LOT ${i.lot}`,
    ...(i.expiry ? [`USE BY ${i.expiry}`] : []),
    ...(i.productionDate ? [`PRODUCED ${i.productionDate}`] : []),
    ...(i.packDate ? [`PACKED ${i.packDate}`] : []),
    ...(i.quantity !== undefined ? [`COUNT ${i.quantity}`] : []),
  ];
  return { kind: 'lot', title: i.description, text, symbols: [symbolOf(i.symbology, elements, i.digitalLinkBase ?? DEFAULT_DIGITAL_LINK_BASE)] };
}

/** A unit label: (01) and (21) only (a unit label carries no lot; POST /scans finds the serial's lot).
 * @example serialLabel({ gtin: '09506000134352', serial: 'SN-1', description: 'Drill', symbology: 'datamatrix' }).symbols[0].hri // ['(01) 09506000134352', '(21) SN-1']
 */
export function serialLabel(i: { gtin: string; serial: string; description: string; symbology: Symbology; digitalLinkBase?: string }): LabelSpec {
  const elements = [
    { ai: '01', value: i.gtin },
    { ai: '21', value: i.serial },
  ];
  return {
    kind: 'serial',
    title: i.description,
    text: [`GTIN ${i.gtin}`, `SERIAL ${i.serial}`],
    symbols: [symbolOf(i.symbology, elements, i.digitalLinkBase ?? DEFAULT_DIGITAL_LINK_BASE)],
  };
}

export type SsccContent = { gtin: string; lot: string; quantity: number; description?: string; expiry?: string };

/**
 * A GS1 logistic (pallet) label. With one GTIN the content symbol carries (02) content GTIN, (37) count and (17)
 * expiry and (10) lot when the pallet holds one lot; the SSCC (00) is always a GS1-128 symbol of its own, the lowest
 * on the label (GS1 Logistic Label Guideline). With `datamatrix` or `qr` the content symbol is 2D and holds the SSCC too.
 * @example ssccLabel({ sscc: '095060000000000015', ... }).symbols.at(-1).hri // ['(00) 095060000000000015']
 */
export function ssccLabel(i: {
  sscc: string;
  from: { siteId: string; name: string };
  shipTo?: { siteId: string; name: string };
  contents: SsccContent[];
  symbology: Symbology;
  digitalLinkBase?: string;
}): LabelSpec {
  const gtins = [...new Set(i.contents.map((c) => c.gtin))];
  const lots = [...new Set(i.contents.map((c) => `${c.gtin}|${c.lot}`))];
  const first = i.contents[0];
  const total = i.contents.reduce((s, c) => s + c.quantity, 0);
  const content: LabelElement[] =
    gtins.length === 1 && first && Number.isInteger(total) && total <= MAX_LABEL_COUNT
      ? [
          { ai: '02', value: first.gtin },
          ...(lots.length === 1 && first.expiry ? [{ ai: '17', value: yymmdd(first.expiry) }] : []),
          { ai: '37', value: String(total) },
          ...(lots.length === 1 ? [{ ai: '10', value: first.lot }] : []),
        ]
      : [];
  const ssccEl: LabelElement = { ai: '00', value: i.sscc };
  const base = i.digitalLinkBase ?? DEFAULT_DIGITAL_LINK_BASE;
  const symbols: LabelSymbol[] = [];
  if (i.symbology === 'gs1-128') {
    // (02) needs (00) in the same message by GS1's pairing rules, so the content symbol repeats the SSCC.
    if (content.length > 0) symbols.push(symbolOf('gs1-128', [ssccEl, ...content], base));
  } else symbols.push(symbolOf(i.symbology, [ssccEl, ...content], base));
  symbols.push(symbolOf('gs1-128', [ssccEl], base));
  const text = [
    `FROM ${i.from.name} (${i.from.siteId})`,
    ...(i.shipTo ? [`SHIP TO ${i.shipTo.name} (${i.shipTo.siteId})`] : []),
    ...i.contents.map((c) => `${c.quantity} x ${c.description ?? c.gtin} GTIN ${c.gtin} LOT ${c.lot}${c.expiry ? ` USE BY ${c.expiry}` : ''}`),
    `SSCC ${i.sscc}`,
  ];
  return { kind: 'sscc', title: 'LOGISTIC UNIT', text, symbols };
}

/**
 * The n-th SSCC of a company: extension digit, GS1 company prefix, serial reference padded to fill 17 digits, check digit.
 * @example sscc('0', '9506000', 1) // '095060000000000015'
 */
export function sscc(extension: string, companyPrefix: string, n: number): string {
  if (!/^\d$/.test(extension)) throw new AppError('validation_failed', 'SSCC extension digit must be one digit 0-9');
  if (!/^\d{4,12}$/.test(companyPrefix)) throw new AppError('validation_failed', 'GS1 company prefix must be 4-12 digits');
  const room = 16 - companyPrefix.length;
  if (!Number.isSafeInteger(n) || n < 0 || String(n).length > room) {
    throw new AppError('conflict', `SSCC serial references of company prefix ${companyPrefix} are used up (${room} digits)`);
  }
  const body = extension + companyPrefix + String(n).padStart(room, '0');
  return body + String(gs1CheckDigit(body));
}

/** Port: the one atomic counter SSCCs are numbered from, and the labels issued under them. */
export interface SsccStore {
  /** the next serial reference, never the same twice however many callers ask at once */
  next(): Promise<number>;
  /** record an issued SSCC label; false when that SSCC is already recorded (never overwritten) */
  put(record: SsccRecord): Promise<boolean>;
  get(sscc: string): Promise<SsccRecord | undefined>;
  /** the SSCC a request with this idempotency key got, or claims the key for `sscc` (first writer wins) */
  claimKey(key: string, requestHash: string, sscc: string): Promise<{ sscc: string; requestHash: string }>;
}

/** An issued SSCC and what its label says, so `GET /labels/sscc/{sscc}` renders the very same label again. */
export type SsccRecord = {
  sscc: string;
  site: string;
  shipTo?: string;
  contents: { gtin: string; lot: string; quantity: number }[];
  issuedAt: string;
};
