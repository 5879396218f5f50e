import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { CTE_COLUMNS, type Cte, type FsmaRow, rowOf } from '../../lib/domain/fsma204.js';
import { FsmaXlsxWriter } from '../../lib/exports/fsma-writers.js';
import { runExport } from '../../lib/exports/run-export.js';
import { ledgerWith, life, memoryRunDeps, pendingJob } from '../support/exports.js';
import { GTIN } from '../support/fixtures.js';
import { fullKdeLedger } from '../support/fsma-scenario.js';

async function exportXlsx(request: Parameters<typeof pendingJob>[1]) {
  const d = memoryRunDeps(await ledgerWith(life()));
  const job = pendingJob('X-xlsx', request);
  await d.jobs.create(job);
  const done = await runExport(d, job.exportId);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(d.bucketMem.objects.get(job.key) as unknown as ArrayBuffer);
  return { wb, done };
}

const headerOf = (ws: ExcelJS.Worksheet) => (ws.getRow(1).values as unknown[]).slice(1);

describe('fsma204-xlsx export', () => {
  it('has one worksheet per CTE with rows, in CTE order, then the Glossary', async () => {
    const { wb } = await exportXlsx({ format: 'fsma204-xlsx', from: '2026-03-01', to: '2026-03-01' });
    expect(wb.worksheets.map((w) => w.name)).toEqual([
      'Harvesting',
      'Cooling',
      'Initial Packing',
      'First Land-Based Receiving',
      'Shipping',
      'Receiving',
      'Transformation',
      'KDE Gaps',
      'Glossary',
    ]);
  });

  it("gives each sheet its CTE's columns, a frozen header row and an auto-filter, and numbers as numbers", async () => {
    const { wb, done } = await exportXlsx({ format: 'fsma204-xlsx', from: '2026-03-01', to: '2026-03-01' });
    let rows = 0;
    for (const ws of wb.worksheets.filter((w) => w.name !== 'Glossary' && w.name !== 'KDE Gaps')) {
      const cols = CTE_COLUMNS[ws.name as Cte];
      expect(headerOf(ws)).toEqual([...cols]);
      expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
      expect(ws.autoFilter).toBeTruthy();
      rows += ws.actualRowCount - 1;
    }
    expect(rows).toBe(done?.rowCount);
    const transformation = wb.getWorksheet('Transformation') as ExcelJS.Worksheet;
    expect(headerOf(transformation)).toContain('Input Traceability Lot Code');
    expect(transformation.getRow(2).getCell(CTE_COLUMNS.Transformation.indexOf('New Quantity') + 1).value).toBe(20);
    const receiving = wb.getWorksheet('Receiving') as ExcelJS.Worksheet;
    const refCol = CTE_COLUMNS.Receiving.indexOf('Reference Document Number') + 1;
    expect(receiving.getRow(2).getCell(refCol).value).toBe('=SUM(A1)'); // an identifier: a text cell, never altered
    expect(receiving.getRow(2).getCell(refCol).type).toBe(ExcelJS.ValueType.String);
    const date = receiving.getRow(2).getCell(CTE_COLUMNS.Receiving.indexOf('Receive Date') + 1);
    expect(date.value).toEqual(new Date('2026-03-01T00:00:00Z'));
    expect(receiving.getRow(1).font?.bold).toBe(true);
  });

  it('states the request, every column, the CTE list and the units in the Glossary', async () => {
    const { wb } = await exportXlsx({ format: 'fsma204-xlsx', from: '2026-03-01', to: '2026-03-01', gtin: GTIN.romaine });
    const g = wb.getWorksheet('Glossary') as ExcelJS.Worksheet;
    const text: string[] = [];
    g.eachRow((r) => {
      text.push((r.values as unknown[]).slice(1).join(' | '));
    });
    expect(text).toContain('Request | Date range | 2026-03-01 to 2026-03-01 (event dates, inclusive)');
    expect(text).toContain(`Request | Products | GTIN ${GTIN.romaine}`);
    expect(text).toContain('Request | Lots | all lots');
    expect(text.filter((t) => t.startsWith('Column | ')).length).toBeGreaterThan(100);
    expect(text).toContainEqual(expect.stringMatching(/^Column \| Harvest Date \| .*§1\.1325\(a\)\(1\)\(vi\)/));
    expect(text.filter((t) => t.startsWith('Reference Document Type | '))).toHaveLength(6);
    expect(text.some((t) => t.startsWith('Site ID | '))).toBe(true);
    expect(text).toContain('Request | Requested by | test');
    expect(text.filter((t) => t.startsWith('Critical Tracking Event | '))).toHaveLength(7);
    expect(text.some((t) => t.startsWith('Unit of Measure | case'))).toBe(true);
    expect(g.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
  });

  it('continues a CTE past the worksheet row limit on numbered sheets, header repeated, no row lost or reordered', async () => {
    // Prepare: 7 Shipping rows and 2 Receiving rows through a writer whose sheets hold 3 rows
    const chunks: Buffer[] = [];
    const writer = new FsmaXlsxWriter(
      { write: async (c) => void chunks.push(typeof c === 'string' ? Buffer.from(c) : c) },
      () => ({
        from: '2026-03-01',
        to: '2026-03-01',
        gtins: [],
        lots: [],
        products: [],
        lotCount: 1,
        units: [],
        kdeGaps: 0,
        requestedBy: 'test',
        requestedAt: '2026-03-01T12:00:00Z',
        generatedAt: '2026-03-01T12:00:00Z',
      }),
      3,
    );
    const row = (cte: Cte, i: number): FsmaRow => rowOf(cte, `E${i}`, i, { 'Event ID': `E${i}` });
    const rows = [...Array.from({ length: 7 }, (_, i) => row('Shipping', i)), row('Receiving', 7), row('Receiving', 8)];
    // Act
    await writer.write(rows.map((r) => writer.encode(r)));
    await writer.end();
    // Assess
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.concat(chunks) as unknown as ArrayBuffer);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['Shipping', 'Shipping (2)', 'Shipping (3)', 'Receiving', 'Glossary']);
    const ids = (name: string) => {
      const ws = wb.getWorksheet(name) as ExcelJS.Worksheet;
      expect(headerOf(ws)).toEqual([...CTE_COLUMNS[name.replace(/ \(\d+\)$/, '') as Cte]]);
      const out: unknown[] = [];
      ws.eachRow((r, n) => {
        if (n > 1) out.push(r.getCell(1).value);
      });
      return out;
    };
    expect([ids('Shipping'), ids('Shipping (2)'), ids('Shipping (3)')]).toEqual([['E0', 'E1', 'E2'], ['E3', 'E4', 'E5'], ['E6']]);
    expect(ids('Receiving')).toEqual(['E7', 'E8']);
    const glossary: string[] = [];
    (wb.getWorksheet('Glossary') as ExcelJS.Worksheet).eachRow((r) => {
      glossary.push((r.values as unknown[]).slice(1).join(' | '));
    });
    expect(glossary.filter((t) => t.startsWith('Worksheet | '))).toEqual([
      'Worksheet | Shipping (2) | continues the sheet before it: an xlsx worksheet holds at most 3 rows under its header',
      'Worksheet | Shipping (3) | continues the sheet before it: an xlsx worksheet holds at most 3 rows under its header',
    ]);
  });

  it.each([
    'Harvesting',
    'Cooling',
    'Initial Packing',
    'First Land-Based Receiving',
    'Shipping',
    'Receiving',
    'Transformation',
  ] as Cte[])('golden %s tab from a scenario with every KDE filled', async (cte) => {
    // Prepare
    const l = await fullKdeLedger();
    expect(l.report.results.filter((r) => r.status !== 'accepted' || r.warnings)).toEqual([]);
    const d = memoryRunDeps(l);
    const job = pendingJob('X-golden', { format: 'fsma204-xlsx', from: '2026-03-01', to: '2026-03-01' });
    await d.jobs.create(job);
    // Act
    const done = await runExport(d, job.exportId);
    // Assess
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(d.bucketMem.objects.get(job.key) as unknown as ArrayBuffer);
    expect(done?.kdeGaps).toBe(0);
    expect(wb.getWorksheet('KDE Gaps')).toBeUndefined();
    const ws = wb.getWorksheet(cte) as ExcelJS.Worksheet;
    const rows: Record<string, unknown>[] = [];
    ws.eachRow((r, n) => {
      if (n === 1) return;
      const o: Record<string, unknown> = {};
      CTE_COLUMNS[cte].forEach((c, i) => {
        const v = r.getCell(i + 1).value;
        if (v !== null && v !== undefined) o[c] = v instanceof Date ? `date:${v.toISOString().slice(0, 10)}` : v;
      });
      rows.push(o);
    });
    expect(rows).toMatchSnapshot();
  });

  it('lists each missing required KDE on the KDE Gaps tab', async () => {
    const { wb, done } = await exportXlsx({ format: 'fsma204-xlsx', from: '2026-03-01', to: '2026-03-01' });
    const ws = wb.getWorksheet('KDE Gaps') as ExcelJS.Worksheet;
    expect(headerOf(ws)).toEqual(['Event ID', 'CTE', 'Traceability Lot Code', 'GTIN', 'Missing KDE', 'Why']);
    expect(ws.actualRowCount - 1).toBe(done?.kdeGaps);
    const ship: unknown[][] = [];
    ws.eachRow((r) => {
      const v = (r.values as unknown[]).slice(1);
      if (v[0] === 'e06-ship') ship.push(v);
    });
    expect(ship).toContainEqual([
      'e06-ship',
      'Shipping',
      'R1',
      GTIN.romaine,
      'Reference Document Type',
      '§1.1340(a)(8): Reference document type and number',
    ]);
  });
});
