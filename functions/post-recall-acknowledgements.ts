import { acknowledge } from '../lib/domain/recall-acknowledgements.js';
import { AckInput } from '../lib/domain/recall-request.js';
import { httpHandler } from '../lib/http/handler.js';
import { json, parseBody, parseParam } from '../lib/http/http.js';
import { type Deps, deps } from './deps.js';
import { RecallIdParam } from './get-recall.js';

/** POST /recalls/{recallId}/acknowledgements: a consignee reports back (21 CFR 7.49); a later one replaces the earlier. */
export const makePostRecallAcknowledgements = (d: Pick<Deps, 'recalls' | 'master' | 'clock' | 'logger'>) =>
  httpHandler(d, async (d, event) => {
    const recallId = parseParam(RecallIdParam, 'recallId', event.pathParameters?.recallId);
    return json(200, await acknowledge(d, recallId, parseBody(AckInput, event)));
  });
export const handler = makePostRecallAcknowledgements(deps());
