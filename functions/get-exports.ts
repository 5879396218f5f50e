import { z } from 'zod';
import { listExports } from '../lib/domain/listings.js';
import { httpHandler } from '../lib/http/handler.js';
import { json } from '../lib/http/http.js';
import { CursorSchema, LimitSchema, queryParam } from '../lib/http/params.js';
import { type Deps, deps } from './deps.js';

export const ExportStatusSchema = z.enum(['pending', 'running', 'complete', 'failed'], { error: 'must be pending, running, complete or failed' });

/** GET /exports?status=&limit=&cursor= (extension): exports newest first, 50 a page by default; GET /exports/{id} has the link. */
export const makeGetExports = (d: Pick<Deps, 'exports' | 'logger'>) =>
  httpHandler(d, async (d, event) => {
    const limit = queryParam(event, 'limit', LimitSchema);
    const cursor = queryParam(event, 'cursor', CursorSchema);
    const status = queryParam(event, 'status', ExportStatusSchema);
    return json(200, await listExports(d, { ...(limit ? { limit } : {}), ...(cursor ? { cursor } : {}), ...(status ? { status } : {}) }));
  });
export const handler = makeGetExports(deps());
