import { stringify } from 'csv-stringify/sync';
import { AppError } from '../lib/domain/errors.js';
import { DateSchema, GtinSchema } from '../lib/domain/ids.js';
import { LOT_REPORT_COLUMNS, lotReport } from '../lib/domain/lot-report.js';
import { httpHandler } from '../lib/http/handler.js';
import { json } from '../lib/http/http.js';
import { queryParam } from '../lib/http/params.js';
import { type Deps, deps } from './deps.js';

/** GET /reports/lots?gtin=&from=&to= : per-lot figures as JSON, or CSV with `Accept: text/csv`. */
export const makeGetReportsLots = (d: Pick<Deps, 'ledger' | 'master' | 'logger'>) =>
  httpHandler(d, async (d, event) => {
    const gtin = queryParam(event, 'gtin', GtinSchema);
    if (gtin === undefined) throw new AppError('validation_failed', 'Invalid request: gtin: is required', [{ path: 'gtin', message: 'is required' }]);
    const from = queryParam(event, 'from', DateSchema) ?? null;
    const to = queryParam(event, 'to', DateSchema) ?? null;
    if (from !== null && to !== null && from > to)
      throw new AppError('validation_failed', `Invalid request: from (${from}) is after to (${to})`, [
        { path: 'from', message: 'must not be after to' },
      ]);
    const report = await lotReport(d, gtin, from, to);
    if (!/\btext\/csv\b/i.test(event.headers?.accept ?? '')) return json(200, report);
    const body = stringify(
      report.lots.map((l) => LOT_REPORT_COLUMNS.map((c) => l[c] ?? '')),
      { header: true, columns: LOT_REPORT_COLUMNS as string[] },
    );
    return {
      statusCode: 200,
      headers: { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="lots-${gtin}.csv"` },
      body,
    };
  });
export const handler = makeGetReportsLots(deps());
