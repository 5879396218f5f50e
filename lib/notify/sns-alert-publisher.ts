import { PublishBatchCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { AlertMessage, AlertPublisher, AlertPublishOutcome } from '../domain/expiry-ports.js';
import { stringAttributes } from './sns-attributes.js';

/**
 * The alerts topic over SNS PublishBatch (10 messages a call), string message attributes for filter policies. Entries
 * SNS refuses come back as `failed`, not as an exception. `topicArn` may be a function, so a handler that never sends
 * an alert does not need ALERTS_TOPIC_ARN to start.
 */
export class SnsAlertPublisher implements AlertPublisher {
  constructor(
    private readonly sns: SNSClient,
    private readonly topicArn: string | (() => string),
  ) {}

  async publish(messages: AlertMessage[]): Promise<AlertPublishOutcome> {
    if (messages.length === 0) return { ok: [], failed: [] };
    const r = await this.sns.send(
      new PublishBatchCommand({
        TopicArn: typeof this.topicArn === 'function' ? this.topicArn() : this.topicArn,
        PublishBatchRequestEntries: messages.map((m, i) => ({
          Id: String(i),
          Message: m.body,
          MessageAttributes: stringAttributes(m.attributes),
        })),
      }),
    );
    const idOf = (id: string | undefined) => messages[Number(id)]?.alertId;
    return {
      ok: (r.Successful ?? []).flatMap((s) => {
        const alertId = idOf(s.Id);
        return alertId && s.MessageId ? [{ alertId, messageId: s.MessageId }] : [];
      }),
      failed: (r.Failed ?? []).flatMap((f) => {
        const alertId = idOf(f.Id);
        return alertId ? [{ alertId, message: `${f.Code ?? 'Failed'}: ${f.Message ?? ''}` }] : [];
      }),
    };
  }
}
