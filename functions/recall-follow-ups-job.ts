import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { queueFollowUps } from '../lib/domain/recall-follow-ups.js';
import { deps, logger } from './deps.js';

/** Hours without an acknowledgement before a consignee gets a follow-up notice (RECALL_FOLLOW_UP_HOURS, default 24). */
const followUpHours = () => {
  const h = Number(process.env.RECALL_FOLLOW_UP_HOURS ?? 24);
  return Number.isFinite(h) && h >= 0 ? h : 24;
};

/** Scheduled: queue follow-up notices to non-responders; the outbox publisher sends them. */
export const handler = middy()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async () => {
    const queued = await queueFollowUps(deps(), followUpHours());
    logger.info('recall follow-ups queued', { queued });
    return { queued };
  });
