import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { CTE_COLUMNS, type Cte } from '../../lib/domain/fsma204.js';
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
});
