import { AppError } from '../lib/domain/errors.js';
import { DaySchema, GtinSchema } from '../lib/domain/ids.js';
import { lotReport } from '../lib/domain/lot-report.js';
import { lotReportCsv } from '../lib/exports/lot-report-csv.js';
import { httpHandler } from '../lib/http/handler.js';
import { json } from '../lib/http/http.js';
import { CursorSchema, LimitSchema, queryParam } from '../lib/http/params.js';
import { type Deps, deps } from './deps.js';

/**
 * GET /reports/lots?gtin=&from=&to=&limit=&cursor= : a page of per-lot figures as JSON, or CSV with `Accept: text/csv`
 * (its next page's cursor in the `x-next-cursor` header).
 */
export const makeGetReportsLots = (d: Pick<Deps, 'ledger' | 'master' | 'logger'>) =>
  httpHandler(d, async (d, event) => {
    const gtin = queryParam(event, 'gtin', GtinSchema);
    if (gtin === undefined) throw new AppError('validation_failed', 'Invalid request: gtin: is required', [{ path: 'gtin', message: 'is required' }]);
    const from = queryParam(event, 'from', DaySchema) ?? null;
    const to = queryParam(event, 'to', DaySchema) ?? null;
    if (from !== null && to !== null && from > to)
      throw new AppError('validation_failed', `Invalid request: from (${from}) is after to (${to})`, [
        { path: 'from', message: 'must not be after to' },
      ]);
    const limit = queryParam(event, 'limit', LimitSchema);
    const cursor = queryParam(event, 'cursor', CursorSchema);
    const report = await lotReport(d, gtin, from, to, { ...(limit ? { limit } : {}), ...(cursor ? { cursor } : {}) });
    if (!/\btext\/csv\b/i.test(event.headers?.accept ?? '')) return json(200, report);
    return {
      statusCode: 200,
      headers: {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="lots-${gtin}.csv"`,
        ...(report.nextCursor ? { 'x-next-cursor': report.nextCursor } : {}),
      },
      body: lotReportCsv(report),
    };
  });
export const handler = makeGetReportsLots(deps());
