import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { forEachLimit } from '../domain/concurrency.js';
import type { ShardQueue } from '../domain/recall.js';

/** A shard message: which slice of which recall the notifier writes and sends. */
export type ShardMessage = { recallId: string; shard: number };

/** SendMessageBatch calls in flight at once. */
const SEND_WIDTH = 8;

/** Recall shards onto the notifier queue, ten a call; an entry SQS refuses fails the call (the sweeper queues it again). */
export class SqsShardQueue implements ShardQueue {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: () => string,
  ) {}

  async send(shards: ShardMessage[]): Promise<void> {
    const chunks: ShardMessage[][] = [];
    for (let i = 0; i < shards.length; i += 10) chunks.push(shards.slice(i, i + 10));
    // the calls go out side by side: a recall of 100,000 recipients is 20 of them, and the recall answers after the last
    await forEachLimit(chunks, SEND_WIDTH, async (chunk) => {
      const r = await this.sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: this.queueUrl(),
          Entries: chunk.map((s, j) => ({ Id: String(j), MessageBody: JSON.stringify(s) })),
        }),
      );
      if (r.Failed?.length) throw new Error(`SQS refused ${r.Failed.length} shard messages`);
    });
  }
}
