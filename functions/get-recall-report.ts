import { recallReport } from '../lib/domain/recall-report.js';
import { httpHandler } from '../lib/http/handler.js';
import { json, parseParam } from '../lib/http/http.js';
import { CursorSchema, LimitSchema, queryParam } from '../lib/http/params.js';
import { type Deps, deps } from './deps.js';
import { RecallIdParam } from './get-recall.js';

/** GET /recalls/{recallId}/report?limit=&cursor= : the 21 CFR 7.53 status report figures, its lists a page of consignees. */
export const makeGetRecallReport = (d: Pick<Deps, 'recalls' | 'clock' | 'logger'>) =>
  httpHandler(d, async (d, event) => {
    const recallId = parseParam(RecallIdParam, 'recallId', event.pathParameters?.recallId);
    const limit = queryParam(event, 'limit', LimitSchema);
    const cursor = queryParam(event, 'cursor', CursorSchema);
    return json(200, await recallReport(d, recallId, { ...(limit ? { limit } : {}), ...(cursor ? { cursor } : {}) }));
  });
export const handler = makeGetRecallReport(deps());
