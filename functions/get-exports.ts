import { z } from 'zod';
import { listExports } from '../lib/domain/listings.js';
import { httpHandler } from '../lib/http/handler.js';
import { json } from '../lib/http/http.js';
import { listParams } from '../lib/http/params.js';
import { type Deps, deps } from './deps.js';

export const ExportStatusSchema = z.enum(['pending', 'running', 'complete', 'failed'], { error: 'must be pending, running, complete or failed' });

/** GET /exports?status=&limit=&cursor= (extension): exports newest first, 50 a page by default; GET /exports/{id} has the link. */
export const makeGetExports = (d: Pick<Deps, 'exports' | 'logger'>) =>
  httpHandler(d, async (d, event) => json(200, await listExports(d, listParams(event, ExportStatusSchema))));
export const handler = makeGetExports(deps());
