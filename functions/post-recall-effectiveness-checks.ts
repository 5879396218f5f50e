import { recordCheck } from '../lib/domain/recall-acknowledgements.js';
import { CheckInput } from '../lib/domain/recall-request.js';
import { httpHandler } from '../lib/http/handler.js';
import { json, parseBody, parseParam } from '../lib/http/http.js';
import { type Deps, deps } from './deps.js';
import { RecallIdParam } from './get-recall.js';

/** POST /recalls/{recallId}/effectiveness-checks: one check of a consignee (21 CFR 7.42(b)(3)). */
export const makePostRecallEffectivenessChecks = (d: Pick<Deps, 'recalls' | 'master' | 'clock' | 'logger'>) =>
  httpHandler(d, async (d, event) => {
    const recallId = parseParam(RecallIdParam, 'recallId', event.pathParameters?.recallId);
    return json(201, await recordCheck(d, recallId, parseBody(CheckInput, event)));
  });
export const handler = makePostRecallEffectivenessChecks(deps());
