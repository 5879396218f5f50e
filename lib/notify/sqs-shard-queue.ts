import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { ShardQueue } from '../domain/recall.js';

/** A shard message: which slice of which recall the notifier writes and sends. */
export type ShardMessage = { recallId: string; shard: number };

/** Recall shards onto the notifier queue, ten a call; an entry SQS refuses fails the call (the sweeper queues it again). */
export class SqsShardQueue implements ShardQueue {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: () => string,
  ) {}

  async send(shards: ShardMessage[]): Promise<void> {
    for (let i = 0; i < shards.length; i += 10) {
      const chunk = shards.slice(i, i + 10);
      const r = await this.sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: this.queueUrl(),
          Entries: chunk.map((s, j) => ({ Id: String(j), MessageBody: JSON.stringify(s) })),
        }),
      );
      if (r.Failed?.length) throw new Error(`SQS refused ${r.Failed.length} shard messages`);
    }
  }
}
