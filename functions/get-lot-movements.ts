import { lotMovementsPage } from '../lib/domain/movements-page.js';
import { httpHandler } from '../lib/http/handler.js';
import { json } from '../lib/http/http.js';
import { CursorSchema, LimitSchema, lotKeyOf, queryParam } from '../lib/http/params.js';
import { type Deps, deps } from './deps.js';

/** GET /lots/{gtin}/{lot}/movements?limit=&cursor= : the lot's ledger in chain order. */
export const makeGetLotMovements = (d: Pick<Deps, 'ledger' | 'master' | 'clock' | 'logger'>) =>
  httpHandler(d, async (d, event) => {
    const limit = queryParam(event, 'limit', LimitSchema) ?? 100;
    const cursor = queryParam(event, 'cursor', CursorSchema);
    return json(200, await lotMovementsPage(d, lotKeyOf(event), limit, cursor));
  });
export const handler = makeGetLotMovements(deps());
