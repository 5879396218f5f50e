import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { type ExpiryDeps, runExpiryCheck } from '../lib/domain/expiry.js';
import { withOwnLogger } from '../lib/http/own-logger.js';
import { type Deps, deps } from './deps.js';

/**
 * Daily (EventBridge schedule): the expiry check as of today (UTC). Alerts SNS did not take stay pending; the run then
 * fails loudly so the asynchronous invoke retries it and, in the end, its dead-letter queue alarm fires. A retry sends
 * only what is still pending: nothing twice.
 */
export const makeExpiryCheckJob = (d: ExpiryDeps & Pick<Deps, 'logger'>) => {
  const own = withOwnLogger(d);
  return middy()
    .use(injectLambdaContext(own.logger, { resetKeys: true }))
    .handler(async () => {
      const report = await runExpiryCheck(own);
      const summary = {
        asOf: report.asOf,
        expiringSoon: report.expiringSoon.length,
        expired: report.expired.length,
        alertsPublished: report.alertsPublished,
        alertsPending: report.alertsPending,
      };
      own.logger.info('expiry check', summary);
      if (report.alertsPending > 0) throw new Error(`expiry check: ${report.alertsPending} alerts could not be sent and stay pending`);
      return summary;
    });
};
export const handler = makeExpiryCheckJob(deps());
