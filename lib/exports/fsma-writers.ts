import { once } from 'node:events';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, type WriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { stringify } from 'csv-stringify/sync';
import ExcelJS from 'exceljs';
import { guardCell } from '../domain/formula-guard.js';
import { COLUMN_MEANINGS, CTE_COLUMNS, CTES, type Cte, FSMA_COLUMNS, type FsmaRow } from '../domain/fsma204.js';

/** Where an export's bytes go (the streaming upload). */
export type ByteSink = { write(chunk: string | Buffer): Promise<void> };

/** A row as a writer keeps it while it waits to be sorted: an array of its cells, smaller than the row object. */
export type EncodedRow = readonly string[];

/**
 * Rows go in twice: `encode` turns each row, as it is made, into the cells the writer will need (so the row object of
 * 23 named strings is dropped at once); `write` then takes the encoded rows in their final order.
 */
export interface FsmaWriter {
  encode(r: FsmaRow): EncodedRow;
  /** encoded rows in their final order */
  write(encoded: readonly EncodedRow[]): Promise<void>;
  end(): Promise<void>;
}

/** RFC 4180: CRLF line ends, fields with a comma, quote or line break quoted, quotes doubled. */
const CSV_OPTIONS = { record_delimiter: 'windows' } as const;

/** The sortable spreadsheet as one CSV: header row, then rows as they come (the caller sorts), every cell guarded. */
export class FsmaCsvWriter implements FsmaWriter {
  private started = false;
  constructor(private readonly out: ByteSink) {}

  /** The row's cells, guarded, in column order. */
  encode(r: FsmaRow): EncodedRow {
    return FSMA_COLUMNS.map((c) => guardCell(r[c]));
  }

  /** csv-stringify per 1,000 rows: one call per row costs more than the DynamoDB reads it follows. */
  async write(encoded: readonly EncodedRow[]): Promise<void> {
    if (!this.started) await this.header();
    for (let i = 0; i < encoded.length; i += 1000) await this.out.write(stringify(encoded.slice(i, i + 1000), CSV_OPTIONS));
  }

  private async header() {
    this.started = true;
    await this.out.write(stringify([[...FSMA_COLUMNS]], CSV_OPTIONS));
  }

  async end(): Promise<void> {
    if (!this.started) await this.header();
  }
}

/** The request and content facts the Glossary sheet states. */
export type GlossaryFacts = {
  from: string;
  to: string;
  gtin?: string;
  lot?: string;
  products: { gtin: string; description: string }[];
  lots: number;
  units: string[];
  generatedAt: string;
};

/** An xlsx worksheet has at most 1,048,576 rows; one is the header. */
export const XLSX_MAX_DATA_ROWS = 1_048_575;

const NUMERIC = new Set(['Quantity', 'Input Quantity']);
const WIDTH: Partial<Record<string, number>> = {
  'Event ID': 24,
  'Location Description': 48,
  'Counterparty Location Description': 48,
  'TLC Source Location Description': 48,
};

/**
 * The sortable spreadsheet as xlsx, written with exceljs's streaming WorkbookWriter: one worksheet per CTE that has
 * rows (header frozen, auto-filter on), then the Glossary. exceljs zips sheets one after another and would buffer a
 * sheet written while another is open, so rows are first spooled per CTE to temporary NDJSON files and each sheet is
 * then streamed from its file: memory stays flat. An xlsx sheet holds at most 1,048,576 rows (1,048,575 under the
 * header): a CTE with more continues in `Shipping (2)`, `Shipping (3)`… each with the header again, and the Glossary says so.
 */
export class FsmaXlsxWriter implements FsmaWriter {
  private readonly dir = mkdtempSync(join(tmpdir(), 'lotledger-xlsx-'));
  private readonly spools = new Map<Cte, { file: string; out: WriteStream; rows: number }>();

  private readonly continued: string[] = [];

  constructor(
    private readonly out: ByteSink,
    private readonly facts: () => GlossaryFacts,
    /** data rows per worksheet before a CTE continues on the next (the xlsx limit; tests pass a small one) */
    private readonly maxRowsPerSheet = XLSX_MAX_DATA_ROWS,
  ) {}

  /** The CTE, then the cells its worksheet has (raw: the sheet guards them as it writes). */
  encode(r: FsmaRow): EncodedRow {
    const cte = r['Critical Tracking Event'] as Cte;
    return [cte, ...CTE_COLUMNS[cte].map((c) => r[c])];
  }

  async write(encoded: readonly EncodedRow[]): Promise<void> {
    for (const e of encoded) {
      const cte = e[0] as Cte;
      let spool = this.spools.get(cte);
      if (!spool) {
        const file = join(this.dir, `${CTES.indexOf(cte)}.ndjson`);
        spool = { file, out: createWriteStream(file), rows: 0 };
        this.spools.set(cte, spool);
      }
      spool.rows++;
      if (!spool.out.write(`${JSON.stringify(e.slice(1))}\n`)) await once(spool.out, 'drain');
    }
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
      for (const cte of CTES) {
        const spool = this.spools.get(cte);
        if (!spool) continue;
        const cols = CTE_COLUMNS[cte];
        let part = 1;
        let ws = this.sheet(wb, cte, cols);
        let inSheet = 0;
        const lines = createInterface({ input: createReadStream(spool.file, 'utf8'), crlfDelay: Number.POSITIVE_INFINITY });
        for await (const line of lines) {
          if (!line) continue;
          if (inSheet === this.maxRowsPerSheet) {
            ws.commit();
            part++;
            const name = `${cte} (${part})`;
            this.continued.push(name);
            ws = this.sheet(wb, name, cols);
            inSheet = 0;
          }
          inSheet++;
          const cells = JSON.parse(line) as string[];
          ws.addRow(
            cells.map((v, i) => (NUMERIC.has(cols[i] as string) && v !== '' && Number.isFinite(Number(v)) ? Number(v) : guardCell(v))),
          ).commit();
        }
        ws.commit();
      }
      this.glossary(wb);
      await wb.commit();
      await finished;
    } finally {
      rmSync(this.dir, { recursive: true, force: true });
    }
  }

  private sheet(wb: ExcelJS.stream.xlsx.WorkbookWriter, name: string, cols: readonly string[]) {
    const ws = wb.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 1 }] });
    ws.columns = cols.map((c) => ({ header: c, key: c, width: WIDTH[c] ?? Math.max(12, c.length + 2) }));
    ws.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: cols.length } };
    ws.getRow(1).font = { bold: true };
    return ws;
  }

  private glossary(wb: ExcelJS.stream.xlsx.WorkbookWriter) {
    const f = this.facts();
    const ws = this.sheet(wb, 'Glossary', ['Section', 'Term', 'Meaning']);
    const add = (section: string, term: string, meaning: string) => ws.addRow([section, term, guardCell(meaning)]).commit();
    add('Request', 'Date range', `${f.from} to ${f.to} (event dates, inclusive)`);
    add('Request', 'Products', f.gtin ? `GTIN ${f.gtin}` : 'all products on the Food Traceability List');
    add('Request', 'Lots', f.lot ? `lot ${f.lot}` : 'all lots');
    add('Request', 'Generated at', f.generatedAt);
    add('Content', 'Lots included', String(f.lots));
    for (const p of f.products) add('Content', `Product ${p.gtin}`, p.description);
    for (const c of FSMA_COLUMNS) add('Column', c, COLUMN_MEANINGS[c]);
    const cteMeaning: Record<Cte, string> = {
      Harvesting: 'Harvesting of a raw agricultural commodity (21 CFR 1.1325).',
      Cooling: 'Cooling before initial packing (1.1325).',
      'Initial Packing': 'Initial packing of a raw agricultural commodity; the lot code is assigned here (1.1330).',
      'First Land-Based Receiving': 'First land-based receiving of food from a fishing vessel; lot code assigned (1.1335).',
      Shipping: 'Shipping to another location, intracompany moves included (1.1340).',
      Receiving: 'Receiving from another location (1.1345).',
      Transformation: 'Transformation: new lot made from input lots, one row per input lot (1.1350).',
    };
    for (const c of CTES) add('Critical Tracking Event', c, cteMeaning[c]);
    for (const name of this.continued)
      add(
        'Worksheet',
        name,
        `continues the sheet before it: an xlsx worksheet holds at most ${this.maxRowsPerSheet.toLocaleString('en-US')} rows under its header`,
      );
    for (const u of f.units) add('Unit of Measure', u, u === 'ea' ? 'each (count of units)' : `unit "${u}" as recorded for the product`);
    ws.commit();
  }
}
