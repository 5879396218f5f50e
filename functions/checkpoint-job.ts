import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { type CheckpointDeps, writeCheckpoint } from '../lib/domain/write-checkpoint.js';
import { withOwnLogger } from '../lib/http/own-logger.js';
import { type Deps, deps, need } from './deps.js';

/** Daily (EventBridge schedule): every lot's chain head into the Object-Lock bucket, chained to the previous checkpoint. */
export const makeCheckpointJob = (d: CheckpointDeps & Pick<Deps, 'logger'>) => {
  const own = withOwnLogger(d);
  return middy()
    .use(injectLambdaContext(own.logger, { resetKeys: true }))
    .handler(async () => {
      const r = await writeCheckpoint(own);
      own.logger.info('ledger checkpoint written', { key: r.key, lots: r.lots, sha256: r.sha256 });
      if (r.disputed.length)
        own.logger.warn('lots disagree with their anchored heads; the checkpoint carries those heads forward', { disputed: r.disputed });
      return r;
    });
};
export const handler = makeCheckpointJob(need(deps(), 'exportFiles'));
