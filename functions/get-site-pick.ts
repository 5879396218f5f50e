import { z } from 'zod';
import { AppError } from '../lib/domain/errors.js';
import { GtinSchema, SiteIdSchema } from '../lib/domain/ids.js';
import { pickList } from '../lib/domain/pick.js';
import { httpHandler } from '../lib/http/handler.js';
import { json, parseParam } from '../lib/http/http.js';
import { queryParam } from '../lib/http/params.js';
import { type Deps, deps } from './deps.js';

export const Quantity = z.coerce
  .number({ error: 'must be a number' })
  .refine(Number.isFinite, 'must be a number')
  .refine((n) => n > 0, 'must be greater than 0')
  .refine((n) => n <= 1_000_000_000, 'must be at most 1000000000')
  .refine((n) => Number.isInteger(n * 1000), 'must have at most 3 decimal places');

const required = <T>(v: T | undefined, name: string): T => {
  if (v === undefined) throw new AppError('validation_failed', `Invalid request: ${name}: is required`, [{ path: name, message: 'is required' }]);
  return v;
};

/** GET /sites/{siteId}/pick?gtin=&quantity= : the FEFO pick list, or 409 when the site cannot cover the quantity. */
export const makeGetSitePick = (d: Pick<Deps, 'lotIndex' | 'master' | 'clock' | 'logger'>) =>
  httpHandler(d, async (d, event) => {
    const siteId = parseParam(SiteIdSchema, 'siteId', event.pathParameters?.siteId);
    const gtin = required(queryParam(event, 'gtin', GtinSchema), 'gtin');
    const quantity = required(queryParam(event, 'quantity', Quantity), 'quantity');
    return json(200, await pickList(d, siteId, gtin, quantity));
  });
export const handler = makeGetSitePick(deps());
