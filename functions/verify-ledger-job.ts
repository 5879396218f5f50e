import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import middy from '@middy/core';
import { loadConfig } from '../lib/config.js';
import { verifyAll } from '../lib/domain/lots.js';
import { deps, logger } from './deps.js';

let sns: SNSClient | undefined;

/** Daily: verify every lot's hash chain; a broken chain publishes a `ledger.tamper` alert and fails the run loudly. */
export const handler = middy()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async () => {
    const { ALERTS_TOPIC_ARN } = loadConfig(['ALERTS_TOPIC_ARN']);
    const report = await verifyAll(deps());
    logger.info('ledger verified', { ok: report.ok, lots: report.lots, entries: report.entries, failures: report.failures.length });
    if (!report.ok) {
      sns ??= new SNSClient({});
      await sns.send(
        new PublishCommand({
          TopicArn: ALERTS_TOPIC_ARN,
          Subject: 'lotledger: ledger verification failed',
          Message: JSON.stringify({ type: 'ledger.tamper', checkedAt: new Date().toISOString(), failures: report.failures.slice(0, 100) }),
          MessageAttributes: {
            eventType: { DataType: 'String', StringValue: 'ledger.tamper' },
            audience: { DataType: 'String', StringValue: 'quality' },
          },
        }),
      );
    }
    return { ok: report.ok, lots: report.lots, entries: report.entries, failures: report.failures.length };
  });
