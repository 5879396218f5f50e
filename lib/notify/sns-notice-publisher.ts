import { PublishBatchCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { NoticeSender, OutgoingNotice, SendOutcome } from '../domain/notice-channels.js';
import { stringAttributes } from './sns-attributes.js';

/**
 * The `sns` notice channel: the recall topic over PublishBatch, the notice as a JSON body, its attributes as String
 * message attributes for filter policies. Per-entry failures come back as `failed`, not as an exception.
 */
export class SnsNoticePublisher implements NoticeSender {
  constructor(
    private readonly sns: SNSClient,
    private readonly topicArn: string,
  ) {}

  async send(batch: OutgoingNotice[]): Promise<SendOutcome> {
    const r = await this.sns.send(
      new PublishBatchCommand({
        TopicArn: this.topicArn,
        PublishBatchRequestEntries: batch.map((n) => ({
          Id: n.id,
          Message: JSON.stringify(n.message),
          MessageAttributes: stringAttributes(n.attributes),
        })),
      }),
    );
    return {
      ok: (r.Successful ?? []).filter((s) => s.Id && s.MessageId).map((s) => ({ id: s.Id as string, messageId: s.MessageId as string })),
      failed: (r.Failed ?? []).map((f) => ({ id: f.Id ?? '', message: `${f.Code ?? 'Failed'}: ${f.Message ?? ''}` })),
    };
  }
}
