import { GtinSchema } from '../lib/domain/ids.js';
import { ProductInput, upsertProduct } from '../lib/domain/master-data.js';
import { httpHandler } from '../lib/http/handler.js';
import { json, parseParam, parseRecordBody } from '../lib/http/http.js';
import { type Deps, deps } from './deps.js';

/** PUT /products/{gtin} */
export const makePutProduct = (d: Pick<Deps, 'master' | 'clock' | 'logger'>) =>
  httpHandler(d, async (d, event) => {
    const gtin = parseParam(GtinSchema, 'gtin', event.pathParameters?.gtin);
    return json(200, await upsertProduct(d, gtin, parseRecordBody(ProductInput, event, 'gtin', gtin, GtinSchema)));
  });
export const handler = makePutProduct(deps());
