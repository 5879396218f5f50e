import { readAnchorTrail } from '../lib/domain/anchor-trail.js';
import { AppError } from '../lib/domain/errors.js';
import { GtinSchema, LotSchema } from '../lib/domain/ids.js';
import { verifyAllPage, verifyLot } from '../lib/domain/verify-ledger.js';
import { httpHandler } from '../lib/http/handler.js';
import { json } from '../lib/http/http.js';
import { CursorSchema, LimitSchema, queryParam } from '../lib/http/params.js';
import { type Deps, deps } from './deps.js';

/**
 * GET /ledger/verify?gtin=&lot=&limit=&cursor= : one lot's chain, or a page of every lot's (of one GTIN when only gtin
 * is given); with the export bucket (EXPORT_BUCKET), also against the latest ledger checkpoint (a consistent rewrite of
 * the table disagrees with it) and every anchor written after it, read once per request.
 */
export const makeGetLedgerVerify = (d: Pick<Deps, 'ledger' | 'exportFiles' | 'logger'>) =>
  httpHandler(d, async (d, event) => {
    const gtin = queryParam(event, 'gtin', GtinSchema);
    const lot = queryParam(event, 'lot', LotSchema);
    if (lot !== undefined && gtin === undefined)
      throw new AppError('validation_failed', 'lot needs gtin', [{ path: 'gtin', message: 'is required with lot' }]);
    const limit = queryParam(event, 'limit', LimitSchema);
    const cursor = queryParam(event, 'cursor', CursorSchema);
    const cp = await d.exportFiles?.latest();
    const trail = d.exportFiles ? await readAnchorTrail(d.exportFiles, cp) : undefined;
    const report =
      gtin !== undefined && lot !== undefined
        ? await verifyLot(d, { gtin, lot }, cp, trail)
        : await verifyAllPage(d, {
            ...(gtin ? { gtin } : {}),
            ...(cp ? { cp } : {}),
            ...(trail ? { trail } : {}),
            ...(limit ? { limit } : {}),
            ...(cursor ? { cursor } : {}),
          });
    if (!report.ok) d.logger.warn('ledger verification failed', { report });
    return json(200, report);
  });
export const handler = makeGetLedgerVerify(deps());
