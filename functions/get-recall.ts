import { z } from 'zod';
import { recallStatus } from '../lib/domain/recall-status.js';
import { byRouteKey, type HttpHandler, httpHandler } from '../lib/http/handler.js';
import { json, parseParam } from '../lib/http/http.js';
import { type Deps, deps } from './deps.js';
import { makeGetRecalls } from './get-recalls.js';

/** Any id up to 128 characters is looked up: one lotledger never issued is an unknown recall (404), not a bad request. */
export const RecallIdParam = z.string().min(1, 'is required').max(128, 'is not a recall id (at most 128 characters)');

/** GET /recalls/{recallId} */
export const makeGetRecall = (d: Pick<Deps, 'recalls' | 'logger'>) =>
  httpHandler(d, async (d, event) => json(200, await recallStatus(d, parseParam(RecallIdParam, 'recallId', event.pathParameters?.recallId))));

/** The cloud's function of GET /recalls/{recallId} serves GET /recalls too (infra/routes.ts, `sharesFunctionOf`). */
export const makeGetRecallRoutes = (d: Pick<Deps, 'recalls' | 'logger'>): HttpHandler =>
  byRouteKey('GET /recalls', makeGetRecalls(d), makeGetRecall(d));
export const handler = makeGetRecallRoutes(deps());
