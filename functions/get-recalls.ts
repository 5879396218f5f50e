import { z } from 'zod';
import { listRecalls } from '../lib/domain/listings.js';
import { httpHandler } from '../lib/http/handler.js';
import { json } from '../lib/http/http.js';
import { listParams } from '../lib/http/params.js';
import { type Deps, deps } from './deps.js';

export const RecallStatusSchema = z.enum(['creating', 'notifying', 'active', 'closed'], { error: 'must be notifying, active, closed or creating' });

/** GET /recalls?status=&limit=&cursor= (extension): recalls newest first, 50 a page by default (drills are not kept). */
export const makeGetRecalls = (d: Pick<Deps, 'recalls' | 'logger'>) =>
  httpHandler(d, async (d, event) => json(200, await listRecalls(d, listParams(event, RecallStatusSchema))));
export const handler = makeGetRecalls(deps());
