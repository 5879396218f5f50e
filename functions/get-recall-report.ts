import { recallReport } from '../lib/domain/recall-report.js';
import { httpHandler } from '../lib/http/handler.js';
import { json, parseParam } from '../lib/http/http.js';
import { type Deps, deps } from './deps.js';
import { RecallIdParam } from './get-recall.js';

/** GET /recalls/{recallId}/report: the 21 CFR 7.53 status report figures. */
export const makeGetRecallReport = (d: Pick<Deps, 'recalls' | 'clock' | 'logger'>) =>
  httpHandler(d, async (d, event) => json(200, await recallReport(d, parseParam(RecallIdParam, 'recallId', event.pathParameters?.recallId))));
export const handler = makeGetRecallReport(deps());
