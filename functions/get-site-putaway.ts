import { AppError } from '../lib/domain/errors.js';
import { GtinSchema, LotSchema, SiteIdSchema } from '../lib/domain/ids.js';
import { putaway } from '../lib/domain/putaway.js';
import { httpHandler } from '../lib/http/handler.js';
import { json, parseParam } from '../lib/http/http.js';
import { queryParam } from '../lib/http/params.js';
import { type Deps, deps } from './deps.js';

const required = <T>(v: T | undefined, name: string): T => {
  if (v === undefined) throw new AppError('validation_failed', `Invalid request: ${name}: is required`, [{ path: name, message: 'is required' }]);
  return v;
};

/** GET /sites/{siteId}/putaway?gtin=&lot= : the bin to store a receipt of that lot in, and why. */
export const makeGetSitePutaway = (d: Pick<Deps, 'lotIndex' | 'master' | 'logger'>) =>
  httpHandler(d, async (d, event) => {
    const siteId = parseParam(SiteIdSchema, 'siteId', event.pathParameters?.siteId);
    const gtin = required(queryParam(event, 'gtin', GtinSchema), 'gtin');
    const lot = required(queryParam(event, 'lot', LotSchema), 'lot');
    return json(200, await putaway(d, siteId, gtin, lot));
  });
export const handler = makeGetSitePutaway(deps());
