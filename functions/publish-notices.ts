import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { SNSClient } from '@aws-sdk/client-sns';
import middy from '@middy/core';
import { loadConfig } from '../lib/config.js';
import { publishDue } from '../lib/domain/notice-outbox.js';
import { SnsNoticePublisher } from '../lib/notify/sns-notice-publisher.js';
import { deps, logger } from './deps.js';

let publisher: SnsNoticePublisher | undefined;

/**
 * The outbox publisher. Triggered by the table's stream when notices are written (and by a schedule as a sweeper):
 * whatever the trigger carries, it drains every due notice, so a failed run loses nothing; the next one picks it up.
 */
export const handler = middy()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async () => {
    const { RECALL_TOPIC_ARN } = loadConfig(['RECALL_TOPIC_ARN']);
    publisher ??= new SnsNoticePublisher(new SNSClient({}), RECALL_TOPIC_ARN);
    const d = deps();
    const r = await publishDue({
      outbox: d.outbox,
      senders: { sns: publisher },
      clock: d.clock,
      log: (msg, extra) => logger.warn(msg, { ...extra }),
    });
    if (r.published || r.failed) logger.info('notices published', r);
    return r;
  });
