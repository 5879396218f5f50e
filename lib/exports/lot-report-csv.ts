import { stringify } from 'csv-stringify/sync';
import { guardCell } from '../domain/formula-guard.js';
import { LOT_REPORT_COLUMNS, type LotReport } from '../domain/lot-report.js';

/**
 * The lot report as CSV (GET /reports/lots with `Accept: text/csv`): a header row, one line per lot, empty cells for
 * nulls. Text cells pass the formula guard (a lot code may start with `=`, `+` or `-`); numbers stay numbers.
 * @example lotReportCsv(report).split('\n')[0] // 'lot,expiry,received,...'
 */
export function lotReportCsv(report: LotReport): string {
  return stringify(
    report.lots.map((l) => LOT_REPORT_COLUMNS.map((c) => cell(l[c]))),
    { header: true, columns: LOT_REPORT_COLUMNS as string[] },
  );
}

const cell = (v: string | number | null) => (typeof v === 'string' ? guardCell(v) : (v ?? ''));
