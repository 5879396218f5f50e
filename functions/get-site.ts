import { SiteIdSchema } from '../lib/domain/ids.js';
import { requireSite } from '../lib/domain/master-data.js';
import { httpHandler } from '../lib/http/handler.js';
import { json, parseParam } from '../lib/http/http.js';
import { type Deps, deps } from './deps.js';

/** GET /sites/{siteId} */
export const makeGetSite = (d: Pick<Deps, 'master' | 'logger'>) =>
  httpHandler(d, async (d, event) => json(200, await requireSite(d, parseParam(SiteIdSchema, 'siteId', event.pathParameters?.siteId))));
export const handler = makeGetSite(deps());
