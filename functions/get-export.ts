import { z } from 'zod';
import { exportView } from '../lib/domain/exports.js';
import { httpHandler } from '../lib/http/handler.js';
import { json, parseParam } from '../lib/http/http.js';
import { logger } from './deps.js';
import { type ExportHandlerDeps, exportDeps } from './export-deps.js';

export const ExportIdParam = z.string().regex(/^X-[0-9a-f]{1,40}$/, 'is not an export id');

/** GET /exports/{exportId}: status; once complete a presigned download URL (15 minutes), the sha256 and the manifest. */
export const makeGetExport = (getDeps: () => Pick<ExportHandlerDeps, 'exports' | 'files' | 'clock' | 'logger'>) =>
  httpHandler(
    getDeps,
    async (d, event) => json(200, await exportView(d, parseParam(ExportIdParam, 'exportId', event.pathParameters?.exportId))),
    logger,
  );
export const handler = makeGetExport(exportDeps);
