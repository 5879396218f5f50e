import { PublishBatchCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { NoticePublisher, PublishEntry, PublishOutcome } from '../domain/notice-outbox.js';

/** SNS PublishBatch with string message attributes; per-entry failures come back as `failed`, not as an exception. */
export class SnsNoticePublisher implements NoticePublisher {
  constructor(
    private readonly sns: SNSClient,
    private readonly topicArn: string,
  ) {}

  async publishBatch(entries: PublishEntry[]): Promise<PublishOutcome> {
    const r = await this.sns.send(
      new PublishBatchCommand({
        TopicArn: this.topicArn,
        PublishBatchRequestEntries: entries.map((e) => ({
          Id: e.id,
          Message: e.body,
          MessageAttributes: Object.fromEntries(Object.entries(e.attributes).map(([k, v]) => [k, { DataType: 'String', StringValue: v }])),
        })),
      }),
    );
    return {
      ok: (r.Successful ?? []).filter((s) => s.Id && s.MessageId).map((s) => ({ id: s.Id as string, messageId: s.MessageId as string })),
      failed: (r.Failed ?? []).map((f) => ({ id: f.Id ?? '', message: `${f.Code ?? 'Failed'}: ${f.Message ?? ''}` })),
    };
  }
}
