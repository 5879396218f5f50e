import { z } from 'zod';
import { listRecalls } from '../lib/domain/listings.js';
import { httpHandler } from '../lib/http/handler.js';
import { json } from '../lib/http/http.js';
import { CursorSchema, LimitSchema, queryParam } from '../lib/http/params.js';
import { type Deps, deps } from './deps.js';

export const RecallStatusSchema = z.enum(['creating', 'notifying', 'active', 'closed'], { error: 'must be notifying, active, closed or creating' });

/** GET /recalls?status=&limit=&cursor= (extension): recalls newest first, 50 a page by default (drills are not kept). */
export const makeGetRecalls = (d: Pick<Deps, 'recalls' | 'logger'>) =>
  httpHandler(d, async (d, event) => {
    const limit = queryParam(event, 'limit', LimitSchema);
    const cursor = queryParam(event, 'cursor', CursorSchema);
    const status = queryParam(event, 'status', RecallStatusSchema);
    return json(200, await listRecalls(d, { ...(limit ? { limit } : {}), ...(cursor ? { cursor } : {}), ...(status ? { status } : {}) }));
  });
export const handler = makeGetRecalls(deps());
