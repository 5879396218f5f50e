import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { queueFollowUps } from '../lib/domain/recall-follow-ups.js';
import { withOwnLogger } from '../lib/http/own-logger.js';
import { type Deps, deps } from './deps.js';

/** Scheduled: queue follow-up notices to non-responders (after RECALL_FOLLOW_UP_HOURS); the outbox publisher sends them. */
export const makeRecallFollowUpsJob = (d: Pick<Deps, 'recalls' | 'clock' | 'alertPublisher' | 'followUpHours' | 'escalateAfter' | 'logger'>) => {
  const own = withOwnLogger(d);
  return middy()
    .use(injectLambdaContext(own.logger, { resetKeys: true }))
    .handler(async () => {
      const queued = await queueFollowUps(own, own.followUpHours, own.escalateAfter);
      own.logger.info('recall follow-ups queued', { queued });
      return { queued };
    });
};
export const handler = makeRecallFollowUpsJob(deps());
