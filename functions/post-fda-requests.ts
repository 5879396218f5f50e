import { FdaRequestInput, fdaView, requestFda } from '../lib/domain/fda-requests.js';
import { httpHandler } from '../lib/http/handler.js';
import { json, parseBody } from '../lib/http/http.js';
import { type Deps, deps, need } from './deps.js';

/** POST /fda-requests: record an FDA records request (due 24 hours after requestedAt) and queue its package; 201. */
export const makePostFdaRequests = (d: Pick<Deps, 'fda' | 'fdaQueue' | 'clock' | 'newToken' | 'logger'> & { exportFiles: { bucket: string } }) =>
  httpHandler(d, async (d, event) => {
    const r = await requestFda(d, parseBody(FdaRequestInput, event));
    d.logger.info('FDA request recorded', { requestId: r.requestId, reference: r.reference, dueBy: r.dueBy });
    return json(201, fdaView(r, d.clock.now()), { location: `/fda-requests/${r.requestId}` });
  });
export const handler = makePostFdaRequests(need(deps(), 'exportFiles'));
