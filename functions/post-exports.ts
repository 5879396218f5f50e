import { ExportRequest, requestExport } from '../lib/domain/exports.js';
import { callerOf } from '../lib/http/caller.js';
import { httpHandler } from '../lib/http/handler.js';
import { json, parseBody } from '../lib/http/http.js';
import { deps, type Needs, need } from './deps.js';

/**
 * POST /exports: record the job, queue it, answer 202 at once; GET /exports/{exportId} follows it. An `Idempotency-Key`
 * header makes a retried request answer with the same job instead of starting another.
 */
export const makePostExports = (d: Pick<Needs<'exportFiles'>, 'exports' | 'queue' | 'exportFiles' | 'clock' | 'newToken' | 'logger'>) =>
  httpHandler(d, async (d, event) => {
    const input = parseBody(ExportRequest, event);
    const key = event.headers?.['idempotency-key']?.trim();
    const job = await requestExport(d, input, callerOf(event), key ? key.slice(0, 200) : undefined);
    d.logger.info('export requested', { exportId: job.exportId, format: job.format, from: input.from, to: input.to });
    return json(
      202,
      { exportId: job.exportId, status: job.status, format: job.format, bucket: job.bucket, key: job.key, manifestKey: job.manifestKey },
      { location: `/exports/${job.exportId}` },
    );
  });
export const handler = makePostExports(need(deps(), 'exportFiles'));
