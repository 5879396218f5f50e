import { z } from 'zod';
import { recallStatus } from '../lib/domain/recall.js';
import { httpHandler } from '../lib/http/handler.js';
import { json, parseParam } from '../lib/http/http.js';
import { type Deps, deps, logger } from './deps.js';

export const RecallIdParam = z.string().regex(/^R-[A-Za-z0-9]{1,64}$/, 'is not a recall id');

/** GET /recalls/{recallId} */
export const makeGetRecall = (getDeps: () => Pick<Deps, 'recalls' | 'logger'>) =>
  httpHandler(
    getDeps,
    async (d, event) => json(200, await recallStatus(d, parseParam(RecallIdParam, 'recallId', event.pathParameters?.recallId))),
    logger,
  );
export const handler = makeGetRecall(deps);
