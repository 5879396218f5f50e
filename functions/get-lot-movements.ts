import { lotMovements } from '../lib/domain/lots.js';
import { httpHandler } from '../lib/http/handler.js';
import { json } from '../lib/http/http.js';
import { CursorSchema, LimitSchema, lotKeyOf, queryParam } from '../lib/http/params.js';
import { type Deps, deps, logger } from './deps.js';

/** GET /lots/{gtin}/{lot}/movements?limit=&cursor= : the lot's ledger in chain order. */
export const makeGetLotMovements = (getDeps: () => Pick<Deps, 'lots' | 'master' | 'clock' | 'logger'>) =>
  httpHandler(
    getDeps,
    async (d, event) => {
      const limit = queryParam(event, 'limit', LimitSchema) ?? 100;
      const cursor = queryParam(event, 'cursor', CursorSchema);
      return json(200, await lotMovements(d, lotKeyOf(event), limit, cursor));
    },
    logger,
  );
export const handler = makeGetLotMovements(deps);
