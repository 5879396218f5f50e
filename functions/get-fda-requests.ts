import { listFda } from '../lib/domain/fda-requests.js';
import { httpHandler } from '../lib/http/handler.js';
import { json } from '../lib/http/http.js';
import { type Deps, deps } from './deps.js';

/** GET /fda-requests: every FDA request, open ones first (soonest deadline first), each with its time left. */
export const makeGetFdaRequests = (d: Pick<Deps, 'fda' | 'clock' | 'logger'>) => httpHandler(d, async (d) => json(200, await listFda(d)));
export const handler = makeGetFdaRequests(deps());
