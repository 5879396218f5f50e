import { daysBetween } from '../lib/domain/dates.js';
import { AppError } from '../lib/domain/errors.js';
import { MAX_EXPORT_DAYS } from '../lib/domain/exports.js';
import { DaySchema, GtinSchema } from '../lib/domain/ids.js';
import { kdeGapReport } from '../lib/exports/kde-gap-report.js';
import { httpHandler } from '../lib/http/handler.js';
import { json } from '../lib/http/http.js';
import { CursorSchema, LimitSchema, queryParam } from '../lib/http/params.js';
import { type Deps, deps } from './deps.js';

const required = (name: string) =>
  new AppError('validation_failed', `Invalid request: ${name}: is required`, [{ path: name, message: 'is required (YYYY-MM-DD)' }]);

/**
 * GET /compliance/kde-gaps?from=&to=&gtin=&limit=&cursor= : the FSMA 204 rows of FTL movements that lack a required
 * KDE, with what is missing and why (shared/FSMA204.md, "Required KDEs and gaps").
 */
export const makeGetComplianceKdeGaps = (d: Pick<Deps, 'days' | 'sources' | 'clock' | 'logger'>) =>
  httpHandler(d, async (d, event) => {
    const from = queryParam(event, 'from', DaySchema);
    const to = queryParam(event, 'to', DaySchema);
    if (from === undefined) throw required('from');
    if (to === undefined) throw required('to');
    if (from > to)
      throw new AppError('validation_failed', `Invalid request: from (${from}) is after to (${to})`, [
        { path: 'from', message: 'must not be after to' },
      ]);
    if (daysBetween(from, to) > MAX_EXPORT_DAYS)
      throw new AppError('validation_failed', 'Invalid request: to: the range is too long', [
        { path: 'to', message: `the range may cover at most ${MAX_EXPORT_DAYS} days` },
      ]);
    const gtin = queryParam(event, 'gtin', GtinSchema);
    const limit = queryParam(event, 'limit', LimitSchema);
    const cursor = queryParam(event, 'cursor', CursorSchema);
    return json(200, await kdeGapReport(d, { from, to, ...(gtin ? { gtin } : {}), ...(limit ? { limit } : {}), ...(cursor ? { cursor } : {}) }));
  });
export const handler = makeGetComplianceKdeGaps(deps());
