import { SiteIdSchema } from '../lib/domain/ids.js';
import { SiteInput, upsertSite } from '../lib/domain/master-data.js';
import { httpHandler } from '../lib/http/handler.js';
import { json, parseParam, parseRecordBody } from '../lib/http/http.js';
import { type Deps, deps } from './deps.js';

/** PUT /sites/{siteId}: a site may not drop a bin that still holds stock (409). */
export const makePutSite = (d: Pick<Deps, 'master' | 'clock' | 'logger' | 'lotIndex'>) =>
  httpHandler(d, async (d, event) => {
    const siteId = parseParam(SiteIdSchema, 'siteId', event.pathParameters?.siteId);
    return json(200, await upsertSite(d, siteId, parseRecordBody(SiteInput, event, 'siteId', siteId, SiteIdSchema)));
  });
export const handler = makePutSite(deps());
