import { GtinSchema } from '../lib/domain/ids.js';
import { requireProduct } from '../lib/domain/master-data.js';
import { httpHandler } from '../lib/http/handler.js';
import { json, parseParam } from '../lib/http/http.js';
import { type Deps, deps } from './deps.js';

/** GET /products/{gtin} */
export const makeGetProduct = (d: Pick<Deps, 'master' | 'logger'>) =>
  httpHandler(d, async (d, event) => json(200, await requireProduct(d, parseParam(GtinSchema, 'gtin', event.pathParameters?.gtin))));
export const handler = makeGetProduct(deps());
