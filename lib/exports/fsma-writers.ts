import { once } from 'node:events';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, type WriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { stringify } from 'csv-stringify/sync';
import ExcelJS from 'exceljs';
import { guardCell } from '../domain/formula-guard.js';
import { KDES } from '../domain/fsma-kdes.js';
import {
  ALL_COLUMNS,
  CSV_COLUMNS,
  CTE_COLUMNS,
  CTES,
  type Cte,
  columnAt,
  DATE_COLUMNS,
  FREE_TEXT_COLUMNS,
  type FsmaRow,
  LOCATION_PARTS,
  NUMERIC_COLUMNS,
} from '../domain/fsma204.js';
import { REFERENCE_TYPES } from '../domain/movement-kdes.js';

/** Where an export's bytes go (the streaming upload). */
export type ByteSink = { write(chunk: string | Buffer): Promise<void> };

/** One KDE gap of a row, for the xlsx `KDE Gaps` tab. */
export type GapRow = { eventId: string; cte: Cte; lot: string; gtin: string; missing: string; why: string };

/**
 * Rows go in twice: `encode` turns each row, as it is made, into what the writer will need of it, as small as it can
 * be (a row waits up to a day to be sorted, and a day can hold a hundred thousand rows), so the row object is dropped
 * at once; `write` then takes the encoded rows in their final order. `gaps` takes KDE gaps in the same order, when
 * the writer `takesGaps` (a writer that does not is only told how many there are, in the manifest).
 */
export interface FsmaWriter<Encoded> {
  readonly takesGaps: boolean;
  encode(r: FsmaRow): Encoded;
  /** encoded rows in their final order */
  write(encoded: readonly Encoded[]): Promise<void>;
  gaps(gaps: readonly GapRow[]): Promise<void>;
  end(): Promise<void>;
}

/** RFC 4180: CRLF line ends, fields with a comma, quote or line break quoted, quotes doubled. */
const CSV_OPTIONS = { record_delimiter: 'windows' } as const;
/** UTF-8 byte-order mark, so spreadsheet programs read the CSV as UTF-8. */
export const BOM = '\uFEFF';

/** A free-text cell is guarded against formula injection; identifiers are never altered. */
const guardIfText = (column: string, v: string) => (FREE_TEXT_COLUMNS.has(column) ? guardCell(v) : v);

/** Whether the cell at each position of ALL_COLUMNS is free text (guarded), looked up once instead of per cell. */
const GUARDED: readonly boolean[] = ALL_COLUMNS.map((c) => FREE_TEXT_COLUMNS.has(c));

/** What makes csv-stringify quote a field with CSV_OPTIONS: the delimiter, the quote, or the record delimiter (CRLF). */
const NEEDS_QUOTES = /[",]|\r\n/;

/**
 * One field exactly as csv-stringify writes a string with CSV_OPTIONS (a unit test holds the two to the same bytes):
 * empty stays empty; a field holding a comma, a quote or CRLF is quoted, its quotes doubled; any other is as is.
 * @example csvField('a,"b"') // '"a,""b"""'
 */
export const csvField = (v: string) => (v === '' || !NEEDS_QUOTES.test(v) ? v : `"${v.replaceAll('"', '""')}"`);

/**
 * The sortable spreadsheet as one CSV (FSMA204.md v2, fsma204-csv): a BOM, one header row (`Critical Tracking Event`,
 * then the union of all tab columns), then rows as they come (the caller sorts), free text guarded. A row is encoded
 * straight to its CSV line (one flat string of a few hundred bytes while it waits to be sorted, instead of an array of
 * about 150 cells), written by the same rules csv-stringify follows.
 */
export class FsmaCsvWriter implements FsmaWriter<string> {
  readonly takesGaps = false;
  private started = false;
  /** the fields of the line being encoded, reused: every slot is written for every row */
  private readonly fields: string[] = new Array(ALL_COLUMNS.length + 1).fill('');
  constructor(private readonly out: ByteSink) {}

  /** The row's CSV line, without its line end. */
  encode(r: FsmaRow): string {
    const f = this.fields;
    const v = r.values;
    f[0] = csvField(r.cte);
    for (let i = 0; i < GUARDED.length; i++) {
      const cell = v[i];
      f[i + 1] = cell === undefined ? '' : csvField(GUARDED[i] ? guardCell(cell) : cell);
    }
    return f.join(',');
  }

  /** Lines are joined and written 1,000 at a time: one write per line costs more than the DynamoDB reads it follows. */
  async write(encoded: readonly string[]): Promise<void> {
    if (!this.started) await this.header();
    for (let i = 0; i < encoded.length; i += 1000) await this.out.write(`${encoded.slice(i, i + 1000).join('\r\n')}\r\n`);
  }

  /** The CSV is one sheet of events; its gaps are in the xlsx and in GET /compliance/kde-gaps. */
  async gaps(): Promise<void> {}

  private async header() {
    this.started = true;
    await this.out.write(BOM + stringify([[...CSV_COLUMNS]], CSV_OPTIONS));
  }

  async end(): Promise<void> {
    if (!this.started) await this.header();
  }
}

/** The request and content facts the Glossary sheet states. */
export type GlossaryFacts = {
  from: string;
  to: string;
  gtins: string[];
  lots: { gtin: string; lot: string }[];
  products: { gtin: string; description: string }[];
  lotCount: number;
  units: string[];
  kdeGaps: number;
  requestedBy: string;
  requestedAt: string;
  generatedAt: string;
  reference?: string;
};

/** A row as the xlsx writer keeps it until it is sorted: its worksheet and its cells as one JSON line of the sheet's spool. */
export type XlsxRow = { sheet: Cte; json: string };

/** Each worksheet's columns as positions in ALL_COLUMNS. */
const CTE_POSITIONS: ReadonlyMap<Cte, readonly number[]> = new Map(CTES.map((c) => [c, CTE_COLUMNS[c].map(columnAt)]));

/** An xlsx worksheet has at most 1,048,576 rows; one is the header. */
export const XLSX_MAX_DATA_ROWS = 1_048_575;

export const GAP_COLUMNS = ['Event ID', 'CTE', 'Traceability Lot Code', 'GTIN', 'Missing KDE', 'Why'] as const;
const GAP_SHEET = 'KDE Gaps';

const WIDTH = (c: string) =>
  c === 'Event ID' || c === 'Event Time' ? 26 : c.endsWith('Description') || c === 'Why' ? 48 : Math.max(12, Math.min(40, c.length + 2));

/** `YYYY-MM-DD` as a real date (UTC midnight, shown as the same day). */
const asDate = (v: string) => new Date(`${v}T00:00:00Z`);

/**
 * The sortable spreadsheet as xlsx (FSMA204.md v2, fsma204-xlsx), written with exceljs's streaming WorkbookWriter: one
 * worksheet per CTE that has rows, then `KDE Gaps` and `Glossary`; header frozen and bold, auto-filter on,
 * identifiers as text cells, dates as real dates, quantities as numbers. exceljs zips sheets one after another and
 * would buffer a sheet written while another is open, so rows are first spooled per sheet to temporary NDJSON files
 * and each sheet is then streamed from its file: memory stays flat. A CTE with more rows than an xlsx sheet holds
 * continues in `Shipping (2)`, ... each with the header again, and the Glossary says so.
 */
export class FsmaXlsxWriter implements FsmaWriter<XlsxRow> {
  readonly takesGaps = true;
  private readonly dir = mkdtempSync(join(tmpdir(), 'lotledger-xlsx-'));
  private readonly spools = new Map<string, { file: string; out: WriteStream; rows: number }>();
  private readonly continued: string[] = [];

  constructor(
    private readonly out: ByteSink,
    private readonly facts: () => GlossaryFacts,
    /** data rows per worksheet before a CTE continues on the next (the xlsx limit; tests pass a small one) */
    private readonly maxRowsPerSheet = XLSX_MAX_DATA_ROWS,
  ) {}

  /** The row's worksheet (its CTE) and the cells that worksheet has, as the spool's JSON line (raw: the sheet guards free text as it writes). */
  encode(r: FsmaRow): XlsxRow {
    const v = r.values;
    return { sheet: r.cte, json: JSON.stringify((CTE_POSITIONS.get(r.cte) ?? []).map((i) => v[i] ?? '')) };
  }

  private async spool(name: string, json: string) {
    let spool = this.spools.get(name);
    if (!spool) {
      const file = join(this.dir, `${this.spools.size}.ndjson`);
      spool = { file, out: createWriteStream(file), rows: 0 };
      this.spools.set(name, spool);
    }
    spool.rows++;
    if (!spool.out.write(`${json}\n`)) await once(spool.out, 'drain');
  }

  async write(encoded: readonly XlsxRow[]): Promise<void> {
    for (const e of encoded) await this.spool(e.sheet, e.json);
  }

  async gaps(gaps: readonly GapRow[]): Promise<void> {
    for (const g of gaps) await this.spool(GAP_SHEET, JSON.stringify([g.eventId, g.cte, g.lot, g.gtin, g.missing, g.why]));
  }

  async end(): Promise<void> {
    try {
      for (const s of this.spools.values()) {
        s.out.end();
        await once(s.out, 'close');
      }
      const sink = new Writable({
        write: (chunk: Buffer, _enc, cb) => {
          this.out.write(chunk).then(() => cb(), cb);
        },
      });
      const finished = once(sink, 'finish');
      const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: sink, useStyles: true, useSharedStrings: false });
      wb.creator = 'lotledger';
      for (const name of [...CTES, GAP_SHEET]) await this.sheetFromSpool(wb, name, name === GAP_SHEET ? GAP_COLUMNS : CTE_COLUMNS[name as Cte]);
      this.glossary(wb);
      await wb.commit();
      await finished;
    } finally {
      rmSync(this.dir, { recursive: true, force: true });
    }
  }

  private async sheetFromSpool(wb: ExcelJS.stream.xlsx.WorkbookWriter, name: string, cols: readonly string[]) {
    const spool = this.spools.get(name);
    if (!spool) return;
    let part = 1;
    let ws = this.sheet(wb, name, cols);
    let inSheet = 0;
    const lines = createInterface({ input: createReadStream(spool.file, 'utf8'), crlfDelay: Number.POSITIVE_INFINITY });
    for await (const line of lines) {
      if (!line) continue;
      if (inSheet === this.maxRowsPerSheet) {
        ws.commit();
        part++;
        const next = `${name} (${part})`;
        this.continued.push(next);
        ws = this.sheet(wb, next, cols);
        inSheet = 0;
      }
      inSheet++;
      const cells = JSON.parse(line) as string[];
      ws.addRow(cells.map((v, i) => cellValue(cols[i] as string, v))).commit();
    }
    ws.commit();
  }

  private sheet(wb: ExcelJS.stream.xlsx.WorkbookWriter, name: string, cols: readonly string[]) {
    const ws = wb.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 1 }] });
    ws.columns = cols.map((c) => ({
      header: c,
      key: c,
      width: WIDTH(c),
      ...(DATE_COLUMNS.has(c) ? { style: { numFmt: 'yyyy-mm-dd' } } : NUMERIC_COLUMNS.has(c) ? {} : { style: { numFmt: '@' } }),
    }));
    ws.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: cols.length } };
    ws.getRow(1).font = { bold: true };
    return ws;
  }

  private glossary(wb: ExcelJS.stream.xlsx.WorkbookWriter) {
    const f = this.facts();
    const ws = this.sheet(wb, 'Glossary', ['Section', 'Term', 'Meaning']);
    const add = (section: string, term: string, meaning: string) => ws.addRow([section, guardCell(term), guardCell(meaning)]).commit();
    add('Request', 'Date range', `${f.from} to ${f.to} (event dates, inclusive)`);
    add('Request', 'Products', f.gtins.length ? f.gtins.map((g) => `GTIN ${g}`).join(', ') : 'all products on the Food Traceability List');
    add('Request', 'Lots', f.lots.length ? f.lots.map((l) => `${l.gtin} lot ${l.lot}`).join(', ') : 'all lots');
    if (f.reference) add('Request', 'Reference', f.reference);
    add('Request', 'Requested by', f.requestedBy);
    add('Request', 'Requested at', f.requestedAt);
    add('Request', 'Generated at', f.generatedAt);
    add('Content', 'Lots included', String(f.lotCount));
    add('Content', 'KDE gaps', `${f.kdeGaps} missing required KDEs, listed on the ${GAP_SHEET} sheet`);
    for (const p of f.products) add('Content', `Product ${p.gtin}`, p.description);
    const kdesOf = new Map<string, string[]>();
    for (const k of KDES) {
      const cols = k.role ? LOCATION_PARTS.map((p) => `${k.role} ${p}`) : k.columns;
      for (const c of cols)
        kdesOf.set(c, [...(kdesOf.get(c) ?? []), `${k.cte}: ${k.cfr} ${k.kde}${k.need === 'required' ? '' : ' (if applicable)'}`]);
    }
    for (const c of ALL_COLUMNS) add('Column', c, columnMeaning(c, kdesOf.get(c)));
    const cteMeaning: Record<Cte, string> = {
      Harvesting: 'Harvesting of a raw agricultural commodity (21 CFR 1.1325(a)).',
      Cooling: 'Cooling of a raw agricultural commodity before its initial packing (1.1325(b)).',
      'Initial Packing': 'Initial packing of a raw agricultural commodity; the lot code is assigned here (1.1330).',
      'First Land-Based Receiving': 'First land-based receiving of food from a fishing vessel; the lot code is assigned here (1.1335).',
      Shipping: 'Shipping to another location, intracompany moves included (1.1340).',
      Receiving: 'Receiving from another location (1.1345).',
      Transformation: 'Transformation: a new lot made from input lots, one row per input lot (1.1350).',
    };
    for (const c of CTES) add('Critical Tracking Event', c, cteMeaning[c]);
    for (const u of f.units) add('Unit of Measure', u, u === 'ea' ? 'each (count of units)' : `unit "${u}" as recorded for the product`);
    for (const t of REFERENCE_TYPES) add('Reference Document Type', t, REFERENCE_MEANING[t]);
    add(
      'Site ID',
      'Scheme',
      "A location's ID is its GS1 GLN (13 digits) when it has one, else its lotledger site id (1-64 characters A-Z a-z 0-9 . _ -).",
    );
    for (const name of this.continued)
      add(
        'Worksheet',
        name,
        `continues the sheet before it: an xlsx worksheet holds at most ${this.maxRowsPerSheet.toLocaleString('en-US')} rows under its header`,
      );
    ws.commit();
  }
}

const REFERENCE_MEANING: Record<(typeof REFERENCE_TYPES)[number], string> = {
  BOL: 'bill of lading',
  PO: 'purchase order',
  INV: 'invoice',
  ASN: 'advance shipping notice',
  RMA: 'return merchandise authorization',
  OTHER: 'another document',
};

function columnMeaning(c: string, kdes: string[] | undefined): string {
  const base: Record<string, string> = {
    'Event ID': 'The movement event id recorded in lotledger; rows of one event (a transfer, a transformation) share it.',
    'Event Time': 'When the event happened: ISO-8601 instant with the offset it was recorded with (a receipt: when the goods arrived).',
    'Traceability Lot Code': 'The lot code (GS1 AI 10). For Transformation, the new lot produced.',
    GTIN: 'GS1 GTIN-14 of the product; with the lot code it names the lot.',
  };
  const part = LOCATION_PARTS.find((p) => c.endsWith(` ${p}`));
  const meaning =
    base[c] ??
    (part && kdes?.length
      ? `${part} of the location (${part === 'ID' ? 'GLN, else site id' : part === 'Coordinates' ? 'lat,lon' : 'location description part'}).`
      : `${c}.`);
  return kdes?.length ? `${meaning} KDE: ${[...new Set(kdes)].join('; ')}` : meaning;
}

/** A cell as the xlsx stores it: a number, a real date, or text (free text guarded, identifiers as given). */
function cellValue(column: string, v: string): string | number | Date | null {
  if (v === '') return null;
  if (NUMERIC_COLUMNS.has(column) && Number.isFinite(Number(v))) return Number(v);
  if (DATE_COLUMNS.has(column) && /^\d{4}-\d{2}-\d{2}$/.test(v)) return asDate(v);
  return guardIfText(column, v);
}
