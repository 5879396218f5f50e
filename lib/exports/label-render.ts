/**
 * Renders a LabelSpec (lib/domain/labels.ts) as SVG, PNG, PDF or ZPL. bwip-js draws every symbol (its GS1 encoders
 * check the AIs, their lengths and check digits once more; a case label's (01)+(37), which its lint refuses, is
 * checked by our own GS1 parser instead); the layout is computed once, in printer dots at 203 dpi
 * (8 dots/mm, a Zebra's own resolution), and each format draws the same boxes:
 *   title, text lines, then each symbol with its human-readable lines under it; the last symbol is the lowest.
 * PNG text is drawn with bwip-js's own OCR-B font (FontLib), PDF text with Helvetica, SVG text as <text>, and ZPL
 * uses the printer's own barcode commands (^BC GS1-128, ^BX DataMatrix, ^BQ QR) so the printer draws crisp bars.
 */
import bwipjs from 'bwip-js';
import { PDFDocument, rgb, StandardFonts } from 'pdf-lib';
import { PNG } from 'pngjs';
import { AppError } from '../domain/errors.js';
import { parseBracketed, parseDigitalLink } from '../domain/gs1.js';
import { bracketed, type LabelFormat, type LabelSpec, type LabelSymbol, type Symbology } from '../domain/labels.js';

const BCID = { 'gs1-128': 'gs1-128', datamatrix: 'gs1datamatrix', qr: 'gs1dlqrcode' } as const satisfies Record<Symbology, string>;
/** dots per module: 3 dots at 203 dpi = 0.375 mm bars, 6 dots per 2D module (bwip-js draws 2D modules at twice the scale) */
const SCALE = 3;
const LINEAR_HEIGHT_MM = 15;
/** at least the 10-module quiet zone GS1-128 needs on each side */
const MARGIN = 40;
const SIZES = { title: 30, text: 22, hri: 24 } as const;
const GAP = 10;
const DPI = 203;
const MIN_WIDTH = 600;

type TextItem = { x: number; y: number; size: number; text: string };
type SymbolItem = { x: number; y: number; w: number; h: number; symbol: LabelSymbol; png: Buffer; svg: string };
type Layout = { width: number; height: number; texts: TextItem[]; symbols: SymbolItem[] };

/** The data bwip-js encodes: the Digital Link URI for QR, the bracketed element string otherwise. */
const dataOf = (s: LabelSymbol) => (s.symbology === 'qr' ? (s.uri ?? '') : bracketed(s.elements));

/**
 * A case label's count: (37) beside (01), as CONTRACT.md asks. GS1 makes the two mutually exclusive and bwip-js's GS1
 * lint refuses the message (`GS1exclusiveAIs`); its one way round is `dontlint`, which turns off every GS1 check it
 * makes. So such a symbol is checked by our own parser instead, with only that one pairing rule waived
 * (`countWithGtin`), and every other symbol keeps bwip-js's checks.
 */
const countsWithGtin = (s: LabelSymbol) => s.elements.some((e) => e.ai === '01') && s.elements.some((e) => e.ai === '37');

/** `{ dontlint: true }` for a (01)+(37) symbol whose data our parser accepts; validation_failed when it does not. */
function lintOptions(s: LabelSymbol): { dontlint?: true } {
  if (!countsWithGtin(s)) return {};
  // The reference date only picks the century of YYMMDD dates (the labels' dates come from ISO dates).
  const opts = { referenceDate: new Date(), countWithGtin: true };
  const r = s.symbology === 'qr' ? parseDigitalLink(dataOf(s), opts) : parseBracketed(dataOf(s), opts);
  if (!r.ok) {
    const problems = r.errors.map((e) => e.message).join('; ');
    throw new AppError(
      'validation_failed',
      `The label's data cannot be encoded as ${s.symbology}: ${problems}`,
      r.errors.map((e) => ({ path: 'label', message: e.message })),
    );
  }
  return { dontlint: true };
}

/** bwip-js's options; `dontlint` is a BWIPP option its typings leave out. */
type BwipOptions = Parameters<typeof bwipjs.toSVG>[0] & { dontlint?: true };
const bwipOptions = (s: LabelSymbol): BwipOptions => ({
  bcid: BCID[s.symbology],
  text: dataOf(s),
  scale: SCALE,
  // opaque white behind the modules: the PDF embeds the image as it is, and printers and scanners need the contrast
  backgroundcolor: 'FFFFFF',
  ...(s.symbology === 'gs1-128' ? { height: LINEAR_HEIGHT_MM } : {}),
  ...lintOptions(s),
});

async function drawSymbol(s: LabelSymbol): Promise<{ png: Buffer; svg: string; w: number; h: number }> {
  const options = bwipOptions(s);
  try {
    const png = await bwipjs.toBuffer(options);
    const { width, height } = PNG.sync.read(png);
    return { png, svg: bwipjs.toSVG(options), w: width, h: height };
  } catch (cause) {
    // bwip-js re-checks the GS1 syntax; our own checks ran first, so this is a value GS1 forbids in that AI.
    throw new AppError('validation_failed', `The label's data cannot be encoded as ${s.symbology}: ${String(cause)}`, [], { cause });
  }
}

/** OCR-B and Helvetica are both near 0.6 em per character: text is wrapped to the label's width by that. */
const charsFor = (width: number, size: number) => Math.max(8, Math.floor((width - 2 * MARGIN) / (size * 0.62)));
function wrap(text: string, max: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    for (let w = word; w.length > 0; w = w.slice(max)) {
      const piece = w.slice(0, max);
      if (line === '') line = piece;
      else if (line.length + 1 + piece.length <= max) line = `${line} ${piece}`;
      else {
        out.push(line);
        line = piece;
      }
    }
  }
  if (line !== '') out.push(line);
  return out;
}

async function layout(spec: LabelSpec): Promise<Layout> {
  const drawn = await Promise.all(spec.symbols.map(async (s) => ({ s, ...(await drawSymbol(s)) })));
  const width = Math.max(MIN_WIDTH, ...drawn.map((d) => d.w + 2 * MARGIN));
  const texts: TextItem[] = [];
  const symbols: SymbolItem[] = [];
  let y = MARGIN;
  const line = (text: string, size: number) => {
    for (const l of wrap(text, charsFor(width, size))) {
      texts.push({ x: MARGIN, y, size, text: l });
      y += size + GAP;
    }
  };
  line(spec.title, SIZES.title);
  for (const t of spec.text) line(t, SIZES.text);
  for (const d of drawn) {
    y += 2 * GAP;
    symbols.push({ x: MARGIN, y, w: d.w, h: d.h, symbol: d.s, png: d.png, svg: d.svg });
    y += d.h + GAP;
    for (const h of d.s.hri) line(h, SIZES.hri);
  }
  return { width, height: y + MARGIN, texts, symbols };
}

const escapeXml = (s: string) => s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

function toSvg(l: Layout): string {
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${l.width}" height="${l.height}" viewBox="0 0 ${l.width} ${l.height}">`,
    `<rect x="0" y="0" width="${l.width}" height="${l.height}" fill="#ffffff"/>`,
    ...l.texts.map(
      (t) =>
        `<text x="${t.x}" y="${t.y + t.size * 0.8}" font-family="OCR-B, 'DejaVu Sans Mono', monospace" font-size="${t.size}">${escapeXml(t.text)}</text>`,
    ),
    ...l.symbols.map((s) =>
      // bwip-js's own SVG, nested at its box; its viewBox keeps the modules exact at any size.
      s.svg.replace(/^<svg /, `<svg x="${s.x}" y="${s.y}" width="${s.w}" height="${s.h}" preserveAspectRatio="none" `),
    ),
    '</svg>',
  ];
  return `${parts.join('\n')}\n`;
}

/** Text drawn with bwip-js's OCR-B glyphs, the font GS1 recommends for human-readable interpretation. */
function drawText(png: PNG, t: TextItem) {
  const font = bwipjs.FontLib.lookup('OCR-B');
  let x = t.x;
  for (const ch of t.text) {
    const code = ch.codePointAt(0) ?? 63;
    const g = bwipjs.FontLib.getglyph(font, code < 32 || code > 126 ? 63 : code, t.size, t.size);
    const top = t.y + Math.round(t.size * 0.8) - g.top;
    for (let gy = 0; gy < g.height; gy++) {
      for (let gx = 0; gx < g.width; gx++) {
        const a = g.bytes[g.offset + gy * g.width + gx] ?? 0;
        const px = x + g.left + gx;
        const py = top + gy;
        if (a === 0 || px < 0 || py < 0 || px >= png.width || py >= png.height) continue;
        const i = (py * png.width + px) * 4;
        for (let c = 0; c < 3; c++) png.data[i + c] = Math.min(png.data[i + c] ?? 255, 255 - a);
      }
    }
    x += g.advance;
  }
}

function toPng(l: Layout): Buffer {
  const png = new PNG({ width: l.width, height: l.height, colorType: 6 });
  png.data.fill(255); // a white background: scanners (and zxing) need the contrast and the quiet zone
  for (const s of l.symbols) {
    const img = PNG.sync.read(s.png);
    for (let y = 0; y < img.height; y++) {
      for (let x = 0; x < img.width; x++) {
        const from = (y * img.width + x) * 4;
        const alpha = (img.data[from + 3] ?? 0) / 255;
        const to = ((s.y + y) * l.width + s.x + x) * 4;
        for (let c = 0; c < 3; c++) png.data[to + c] = Math.round((img.data[from + c] ?? 0) * alpha + 255 * (1 - alpha));
      }
    }
  }
  for (const t of l.texts) drawText(png, t);
  return PNG.sync.write(png);
}

/** Helvetica in a PDF speaks WinAnsi: anything outside printable Latin-1 is shown as `?` rather than failing the label. */
const winAnsi = (s: string) => s.replace(/[^\x20-\x7e\xa0-\xff]/g, '?');

async function toPdf(l: Layout): Promise<Buffer> {
  const k = 72 / DPI;
  const doc = await PDFDocument.create();
  doc.setTitle('lotledger GS1 label');
  doc.setCreator('lotledger');
  const page = doc.addPage([l.width * k, l.height * k]);
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const top = (y: number, h: number) => (l.height - y - h) * k;
  for (const t of l.texts) page.drawText(winAnsi(t.text), { x: t.x * k, y: top(t.y, t.size * 0.8), size: t.size * k, font, color: rgb(0, 0, 0) });
  for (const s of l.symbols) {
    const img = await doc.embedPng(s.png);
    page.drawImage(img, { x: s.x * k, y: top(s.y, s.h), width: s.w * k, height: s.h * k });
  }
  return Buffer.from(await doc.save());
}

/** ^FH field text: `^`, `~` and the escape itself as hex, so free text never becomes a printer command. */
const zplText = (s: string) => s.replace(/[\\^~]/g, (c) => `\\${c.charCodeAt(0).toString(16).toUpperCase()}`);
/** Fixed-length AIs need no FNC1 after them (GS1 General Specifications 7.8.5, the predefined-length table). */
const ZPL_DM_ESCAPE = '#';
const PREDEFINED = new Set(['00', '01', '02', '11', '13', '15', '17']);

/**
 * The symbol's field data for the printer's own encoder. GS1-128 (^BC, mode N): start in code set B (`>:`), FNC1 first
 * (`>8`), FNC1 again after each variable-length element that is not last; `>` itself is written `><`. DataMatrix (^BX,
 * escape character `#`, which GS1 set 82 does not hold, so no data needs escaping): `#1` is FNC1. QR (^BQ): `QA,` then
 * the Digital Link URI.
 * @example zplFieldData(lotLabel({ gtin: '09506000134352', lot: 'A1', description: 'x', symbology: 'gs1-128' }).symbols[0]) // '>:>80109506000134352' + '10A1'
 */
export function zplFieldData(s: LabelSymbol): string {
  if (s.symbology === 'qr') return `QA,${s.uri ?? ''}`;
  const fnc1 = s.symbology === 'gs1-128' ? '>8' : `${ZPL_DM_ESCAPE}1`;
  const esc = (v: string) => (s.symbology === 'gs1-128' ? v.replace(/>/g, '><') : v);
  const body = s.elements.map((e, i) => `${e.ai}${esc(e.value)}${i < s.elements.length - 1 && !PREDEFINED.has(e.ai) ? fnc1 : ''}`).join('');
  return s.symbology === 'gs1-128' ? `>:${fnc1}${body}` : `${fnc1}${body}`;
}
function toZpl(l: Layout): string {
  const out = ['^XA', '^CI28', `^PW${l.width}`, `^LL${l.height}`];
  for (const t of l.texts) out.push(`^FO${t.x},${t.y}^A0N,${t.size},${t.size}^FH\\^FD${zplText(t.text)}^FS`);
  for (const s of l.symbols) {
    const data = zplFieldData(s.symbol);
    switch (s.symbol.symbology) {
      case 'gs1-128':
        out.push(`^FO${s.x},${s.y}^BY${SCALE}^BCN,${s.h},N,N,N,N^FD${data}^FS`);
        break;
      case 'datamatrix':
        out.push(`^FO${s.x},${s.y}^BXN,${SCALE * 2},200,,,,${ZPL_DM_ESCAPE}^FD${data}^FS`);
        break;
      case 'qr':
        // ^BQ draws its own 4-module quiet zone on top: the field origin sits that far above the box.
        out.push(`^FO${s.x},${Math.max(0, s.y - 4 * SCALE * 2)}^BQN,2,${SCALE * 2}^FD${data}^FS`);
        break;
      default: {
        const never: never = s.symbol.symbology;
        throw new Error(`unknown symbology ${String(never)}`);
      }
    }
  }
  out.push('^XZ');
  return `${out.join('\n')}\n`;
}

/**
 * The label in one format, as bytes.
 * @example const pdf = await renderLabel(lotLabel({ gtin, lot, description, symbology: 'gs1-128' }), 'pdf')
 */
export async function renderLabel(spec: LabelSpec, format: LabelFormat): Promise<Buffer> {
  const l = await layout(spec);
  switch (format) {
    case 'svg':
      return Buffer.from(toSvg(l), 'utf8');
    case 'png':
      return toPng(l);
    case 'pdf':
      return toPdf(l);
    case 'zpl':
      return Buffer.from(toZpl(l), 'utf8');
    default: {
      const never: never = format;
      throw new Error(`unknown label format ${String(never)}`);
    }
  }
}
