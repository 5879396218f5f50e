import { AppError } from '../lib/domain/errors.js';
import { DateSchema, GtinSchema } from '../lib/domain/ids.js';
import { lotReport } from '../lib/domain/lot-report.js';
import { lotReportCsv } from '../lib/exports/lot-report-csv.js';
import { httpHandler } from '../lib/http/handler.js';
import { json } from '../lib/http/http.js';
import { queryParam } from '../lib/http/params.js';
import { type Deps, deps, logger } from './deps.js';

/** GET /reports/lots?gtin=&from=&to= : per-lot figures as JSON, or CSV with `Accept: text/csv`. */
export const makeGetReportsLots = (getDeps: () => Pick<Deps, 'lots' | 'master' | 'logger'>) =>
  httpHandler(
    getDeps,
    async (d, event) => {
      const gtin = queryParam(event, 'gtin', GtinSchema);
      if (gtin === undefined)
        throw new AppError('validation_failed', 'Invalid request: gtin: is required', [{ path: 'gtin', message: 'is required' }]);
      const from = queryParam(event, 'from', DateSchema) ?? null;
      const to = queryParam(event, 'to', DateSchema) ?? null;
      if (from !== null && to !== null && from > to)
        throw new AppError('validation_failed', `Invalid request: from (${from}) is after to (${to})`, [
          { path: 'from', message: 'must not be after to' },
        ]);
      const report = await lotReport(d, gtin, from, to);
      if (!/\btext\/csv\b/i.test(event.headers?.accept ?? '')) return json(200, report);
      const body = lotReportCsv(report);
      return {
        statusCode: 200,
        headers: { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="lots-${gtin}.csv"` },
        body,
      };
    },
    logger,
  );
export const handler = makeGetReportsLots(deps);
