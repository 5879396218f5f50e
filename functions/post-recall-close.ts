import { closeRecall } from '../lib/domain/recall-acknowledgements.js';
import { CloseInput } from '../lib/domain/recall-request.js';
import { httpHandler } from '../lib/http/handler.js';
import { json, parseBody, parseParam } from '../lib/http/http.js';
import { type Deps, deps } from './deps.js';
import { RecallIdParam } from './get-recall.js';

/** POST /recalls/{recallId}/close: follow-ups end and acknowledgement links stop working. */
export const makePostRecallClose = (d: Pick<Deps, 'recalls' | 'clock' | 'logger'>) =>
  httpHandler(d, async (d, event) => {
    const recallId = parseParam(RecallIdParam, 'recallId', event.pathParameters?.recallId);
    return json(200, await closeRecall(d, recallId, parseBody(CloseInput, event).reason));
  });
export const handler = makePostRecallClose(deps());
