import { MovementBatch } from '../lib/domain/movement.js';
import { recordMovements } from '../lib/domain/record-movements.js';
import { httpHandler } from '../lib/http/handler.js';
import { json, parseBody } from '../lib/http/http.js';
import { type Deps, deps, logger } from './deps.js';

/** POST /movements: 1-500 records, each accepted, duplicate or rejected on its own. */
export const makePostMovements = (getDeps: () => Pick<Deps, 'ledger' | 'clock' | 'newToken' | 'logger' | 'afterAccepted'>) =>
  httpHandler(
    getDeps,
    async (d, event) => {
      const batch = parseBody(MovementBatch, event);
      const report = await recordMovements(d, batch.movements);
      d.logger.info('movements recorded', { accepted: report.accepted, duplicates: report.duplicates, rejected: report.rejected });
      return json(200, report);
    },
    logger,
  );
export const handler = makePostMovements(deps);
