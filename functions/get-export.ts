import { z } from 'zod';
import { exportView } from '../lib/domain/exports.js';
import { byRouteKey, type HttpHandler, httpHandler } from '../lib/http/handler.js';
import { json, parseParam } from '../lib/http/http.js';
import { deps, type Needs, need } from './deps.js';
import { makeGetExports } from './get-exports.js';

/** Any id up to 128 characters is looked up: one lotledger never issued is an unknown export (404), not a bad request. */
export const ExportIdParam = z.string().min(1, 'is required').max(128, 'is not an export id (at most 128 characters)');

/** GET /exports/{exportId}: status; once complete a presigned download URL (15 minutes), the sha256 and the manifest. */
export const makeGetExport = (d: Pick<Needs<'exportFiles'>, 'exports' | 'exportFiles' | 'clock' | 'logger'>) =>
  httpHandler(d, async (d, event) => json(200, await exportView(d, parseParam(ExportIdParam, 'exportId', event.pathParameters?.exportId))));

/** The cloud's function of GET /exports/{exportId} serves GET /exports too (infra/routes.ts, `sharesFunctionOf`). */
export const makeGetExportRoutes = (d: Pick<Needs<'exportFiles'>, 'exports' | 'exportFiles' | 'clock' | 'logger'>): HttpHandler =>
  byRouteKey('GET /exports', makeGetExports(d), makeGetExport(d));
export const handler = makeGetExportRoutes(need(deps(), 'exportFiles'));
