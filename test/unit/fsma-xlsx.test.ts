import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { CTE_COLUMNS, type Cte, FSMA_COLUMNS, type FsmaRow } from '../../lib/domain/fsma204.js';
import { FsmaXlsxWriter } from '../../lib/exports/fsma-writers.js';
import { runExport } from '../../lib/exports/run-export.js';
import { ledgerWith, life, memoryRunDeps, pendingJob } from '../support/exports.js';
import { GTIN } from '../support/fixtures.js';

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
      'Glossary',
    ]);
  });

  it("gives each sheet its CTE's columns, a frozen header row and an auto-filter, and numbers as numbers", async () => {
    const { wb, done } = await exportXlsx({ format: 'fsma204-xlsx', from: '2026-03-01', to: '2026-03-01' });
    let rows = 0;
    for (const ws of wb.worksheets.filter((w) => w.name !== 'Glossary')) {
      const cols = CTE_COLUMNS[ws.name as Cte];
      expect(headerOf(ws)).toEqual([...cols]);
      expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
      expect(ws.autoFilter).toBeTruthy();
      rows += ws.actualRowCount - 1;
    }
    expect(rows).toBe(done?.rowCount);
    const transformation = wb.getWorksheet('Transformation') as ExcelJS.Worksheet;
    expect(headerOf(transformation)).toContain('Input Traceability Lot Code');
    expect(headerOf(transformation)).not.toContain('Counterparty Role');
    expect(transformation.getRow(2).getCell(7).value).toBe(20);
    const receiving = wb.getWorksheet('Receiving') as ExcelJS.Worksheet;
    const refCol = CTE_COLUMNS.Receiving.indexOf('Reference Document Number') + 1;
    expect(receiving.getRow(2).getCell(refCol).value).toBe("'=SUM(A1)");
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
    expect(text.filter((t) => t.startsWith('Column | '))).toHaveLength(23);
    expect(text.filter((t) => t.startsWith('Critical Tracking Event | '))).toHaveLength(7);
    expect(text.some((t) => t.startsWith('Unit of Measure | case'))).toBe(true);
    expect(g.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
  });

  it('continues a CTE past the worksheet row limit on numbered sheets, header repeated, no row lost or reordered', async () => {
    // Prepare: 7 Shipping rows and 2 Receiving rows through a writer whose sheets hold 3 rows
    const chunks: Buffer[] = [];
    const writer = new FsmaXlsxWriter(
      { write: async (c) => void chunks.push(typeof c === 'string' ? Buffer.from(c) : c) },
      () => ({ from: '2026-03-01', to: '2026-03-01', products: [], lots: 1, units: [], generatedAt: '2026-03-01T12:00:00Z' }),
      3,
    );
    const row = (cte: Cte, i: number): FsmaRow => ({
      ...(Object.fromEntries(FSMA_COLUMNS.map((c) => [c, ''])) as FsmaRow),
      'Event ID': `E${i}`,
      'Critical Tracking Event': cte,
    });
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
});
