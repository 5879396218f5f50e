import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { type OutboxDeps, publishDue } from '../lib/domain/notice-outbox.js';
import { withOwnLogger } from '../lib/http/own-logger.js';
import { type Deps, deps, need } from './deps.js';

/**
 * The outbox publisher. Triggered by the table's stream when notices are written (and by a schedule as a sweeper):
 * whatever the trigger carries, it drains every due notice, so a failed run loses nothing; the next one picks it up.
 */
export const makePublishNotices = (d: Omit<OutboxDeps, 'log'> & Pick<Deps, 'logger'>) => {
  const own = withOwnLogger(d);
  return middy()
    .use(injectLambdaContext(own.logger, { resetKeys: true }))
    .handler(async () => {
      const r = await publishDue(own);
      if (r.published || r.failed) own.logger.info('notices published', r);
      return r;
    });
};
export const handler = makePublishNotices(need(deps(), 'senders'));
