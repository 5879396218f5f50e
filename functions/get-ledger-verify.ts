import { AppError } from '../lib/domain/errors.js';
import { GtinSchema, LotSchema } from '../lib/domain/ids.js';
import { verifyAll, verifyLot } from '../lib/domain/lots.js';
import { httpHandler } from '../lib/http/handler.js';
import { json } from '../lib/http/http.js';
import { queryParam } from '../lib/http/params.js';
import { type Deps, deps, logger } from './deps.js';

/** GET /ledger/verify?gtin=&lot= : one lot's chain, or every lot's (of one GTIN when only gtin is given). */
export const makeGetLedgerVerify = (getDeps: () => Pick<Deps, 'lots' | 'logger'>) =>
  httpHandler(
    getDeps,
    async (d, event) => {
      const gtin = queryParam(event, 'gtin', GtinSchema);
      const lot = queryParam(event, 'lot', LotSchema);
      if (lot !== undefined && gtin === undefined)
        throw new AppError('validation_failed', 'lot needs gtin', [{ path: 'gtin', message: 'is required with lot' }]);
      const report = gtin !== undefined && lot !== undefined ? await verifyLot(d, { gtin, lot }) : await verifyAll(d, gtin);
      if (!report.ok) d.logger.warn('ledger verification failed', { report });
      return json(200, report);
    },
    logger,
  );
export const handler = makeGetLedgerVerify(deps);
