import { GetQueueUrlCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqsEmulator } from '../../infra/local/sqs-emulator.js';

const emulator = new SqsEmulator({ region: 'us-east-1', autoDeliver: false, retryMs: 5 });
const received: { body: string; receive: string }[] = [];
let sqs: SQSClient;
const bounded: string[] = [];
let inFlight = 0;
let peak = 0;

beforeAll(async () => {
  const endpoint = await emulator.start(0);
  sqs = new SQSClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
  emulator.register('ok-queue', {
    maxReceiveCount: 3,
    handle: async (e: SQSEvent) => {
      for (const r of e.Records) received.push({ body: r.body, receive: r.attributes.ApproximateReceiveCount });
      return { batchItemFailures: [] };
    },
  });
  emulator.register('bounded-queue', {
    maxReceiveCount: 3,
    concurrency: 2,
    handle: async (e: SQSEvent) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, 5));
      inFlight--;
      for (const r of e.Records) bounded.push(r.body);
      return { batchItemFailures: [] };
    },
  });
  emulator.register('failing-queue', {
    maxReceiveCount: 3,
    handle: async (e: SQSEvent) => ({ batchItemFailures: e.Records.map((r) => ({ itemIdentifier: r.messageId })) }),
  });
});
afterAll(async () => {
  sqs.destroy();
  await emulator.stop();
});

describe('the local SQS emulator', () => {
  it('takes SendMessage from @aws-sdk/client-sqs and hands the message to the queue consumer as an SQS event', async () => {
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: 'ok-queue' }));
    const sent = await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: '{"exportId":"X-1"}' }));
    await emulator.drain();
    expect(sent.MessageId).toBeTruthy();
    expect(received).toEqual([{ body: '{"exportId":"X-1"}', receive: '1' }]);
  });

  it('redelivers a message its consumer reports as failed, then parks it in the dead-letter list', async () => {
    await sqs.send(new SendMessageCommand({ QueueUrl: emulator.queueUrl('failing-queue'), MessageBody: 'boom' }));
    await emulator.drain();
    expect(emulator.deadLetters).toEqual([expect.objectContaining({ queue: 'failing-queue', body: 'boom', error: 'reported as failed' })]);
  });

  it('runs a bounded consumer at most `concurrency` at a time, every message in the end, in arrival order', async () => {
    const QueueUrl = emulator.queueUrl('bounded-queue');
    for (let i = 0; i < 7; i++) await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: `m${i}` }));
    await emulator.drain();
    expect(peak).toBe(2);
    expect(bounded).toEqual(['m0', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6']);
  });

  it('answers an unknown queue with the SQS error', async () => {
    await expect(sqs.send(new SendMessageCommand({ QueueUrl: emulator.queueUrl('nope'), MessageBody: 'x' }))).rejects.toThrow(/does not exist/);
  });
});
