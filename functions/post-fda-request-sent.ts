import { fdaView, markFdaSent, SentInput } from '../lib/domain/fda-requests.js';
import { httpHandler } from '../lib/http/handler.js';
import { json, parseBody, parseParam } from '../lib/http/http.js';
import { type Deps, deps } from './deps.js';
import { FdaRequestIdParam } from './get-fda-request.js';

/** POST /fda-requests/{requestId}/sent {sentAt, channel, note?}: when and how the package went to FDA. */
export const makePostFdaRequestSent = (d: Pick<Deps, 'fda' | 'clock' | 'logger'>) =>
  httpHandler(d, async (d, event) => {
    const id = parseParam(FdaRequestIdParam, 'requestId', event.pathParameters?.requestId);
    return json(200, fdaView(await markFdaSent(d, id, parseBody(SentInput, event)), d.clock.now()));
  });
export const handler = makePostFdaRequestSent(deps());
