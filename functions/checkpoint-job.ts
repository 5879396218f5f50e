import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { writeCheckpoint } from '../lib/domain/checkpoints.js';
import { logger } from './deps.js';
import { exportDeps } from './export-deps.js';

/** Daily (EventBridge schedule): every lot's chain head into the Object-Lock bucket, chained to the previous checkpoint. */
export const handler = middy()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async () => {
    const r = await writeCheckpoint(exportDeps());
    logger.info('ledger checkpoint written', { key: r.key, lots: r.lots, sha256: r.sha256 });
    return r;
  });
