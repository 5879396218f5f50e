import { z } from 'zod';
import { URL_TTL_SECONDS } from '../lib/domain/exports.js';
import { getFda } from '../lib/domain/fda-requests.js';
import { httpHandler } from '../lib/http/handler.js';
import { json, parseParam } from '../lib/http/http.js';
import { deps, type Needs, need } from './deps.js';

export const FdaRequestIdParam = z.string().min(1, 'is required').max(128, 'is not an FDA request id (at most 128 characters)');

/** GET /fda-requests/{requestId}: the request, its deadline and time left, the package's files and, once built, a presigned URL (15 minutes). */
export const makeGetFdaRequest = (d: Pick<Needs<'exportFiles'>, 'fda' | 'exportFiles' | 'clock' | 'logger'>) =>
  httpHandler(d, async (d, event) => {
    const view = await getFda(d, parseParam(FdaRequestIdParam, 'requestId', event.pathParameters?.requestId));
    if (!view.packageKey || view.status === 'preparing' || view.status === 'failed') return json(200, view);
    const url = await d.exportFiles.presignGet(view.packageKey, URL_TTL_SECONDS, `${view.requestId}-v${view.version}.zip`);
    return json(200, { ...view, url, urlExpiresAt: new Date(d.clock.now().getTime() + URL_TTL_SECONDS * 1000).toISOString() });
  });
export const handler = makeGetFdaRequest(need(deps(), 'exportFiles'));
