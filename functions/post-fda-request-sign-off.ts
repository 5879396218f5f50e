import { fdaView, SignOffInput, signOffFda } from '../lib/domain/fda-requests.js';
import { httpHandler } from '../lib/http/handler.js';
import { json, parseBody, parseParam } from '../lib/http/http.js';
import { type Deps, deps } from './deps.js';
import { FdaRequestIdParam } from './get-fda-request.js';

/** POST /fda-requests/{requestId}/sign-off {name, title}: who checked the package; a new package version carries it. */
export const makePostFdaRequestSignOff = (
  d: Pick<Deps, 'fda' | 'fdaQueue' | 'clock' | 'newToken' | 'logger'> & { exportFiles?: { bucket: string } },
) =>
  httpHandler(d, async (d, event) => {
    const id = parseParam(FdaRequestIdParam, 'requestId', event.pathParameters?.requestId);
    const by = parseBody(SignOffInput, event);
    const r = await signOffFda(d, id, by);
    return json(200, fdaView(r, d.clock.now()));
  });
export const handler = makePostFdaRequestSignOff(deps());
