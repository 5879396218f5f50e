import { mkdtempSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateTopicCommand,
  GetSubscriptionAttributesCommand,
  GetTopicAttributesCommand,
  InvalidParameterException,
  ListSubscriptionsByTopicCommand,
  ListTopicsCommand,
  NotFoundException,
  PublishBatchCommand,
  PublishCommand,
  SetSubscriptionAttributesCommand,
  SNSClient,
  SubscribeCommand,
  TooManyEntriesInBatchRequestException,
  UnsubscribeCommand,
} from '@aws-sdk/client-sns';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SnsEmulator } from '../../infra/local/sns-emulator.js';

let clock = Date.parse('2026-03-01T00:00:00Z');
const stateFile = join(mkdtempSync(join(tmpdir(), 'sns-')), 'sns.json');
let sns: SnsEmulator;
let client: SNSClient;
let hook: Server;
let hookUrl: string;
let received: { headers: IncomingHttpHeaders; body: string }[] = [];

const clientFor = (endpoint: string) =>
  new SNSClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
const attr = (v: string) => ({ DataType: 'String', StringValue: v });

beforeAll(async () => {
  sns = new SnsEmulator({ stateFile, now: () => clock });
  client = clientFor(await sns.start(0));
  hook = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString();
    });
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.end('ok');
    });
  });
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', () => r()));
  const a = hook.address();
  hookUrl = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}/hook`;
});
afterAll(async () => {
  await sns.stop();
  hook.close();
});
beforeEach(() => {
  received = [];
});

describe('SNS emulator through @aws-sdk/client-sns', () => {
  it('creates topics idempotently, lists them and reads their attributes', async () => {
    const a = await client.send(new CreateTopicCommand({ Name: 'recalls', Attributes: { DisplayName: 'Recalls' } }));
    const b = await client.send(new CreateTopicCommand({ Name: 'recalls' }));
    expect(a.TopicArn).toBe('arn:aws:sns:us-east-1:000000000000:recalls');
    expect(b.TopicArn).toBe(a.TopicArn);
    expect((await client.send(new ListTopicsCommand({}))).Topics?.map((t) => t.TopicArn)).toContain(a.TopicArn);
    const attrs = await client.send(new GetTopicAttributesCommand({ TopicArn: a.TopicArn }));
    expect(attrs.Attributes).toMatchObject({ TopicArn: a.TopicArn, DisplayName: 'Recalls' });
  });

  it('delivers the SNS envelope with its headers to a matching http subscriber only', async () => {
    const { TopicArn } = await client.send(new CreateTopicCommand({ Name: 'deliver' }));
    const { SubscriptionArn } = await client.send(
      new SubscribeCommand({
        TopicArn,
        Protocol: 'http',
        Endpoint: hookUrl,
        Attributes: { FilterPolicy: JSON.stringify({ siteId: ['store-1'] }) },
        ReturnSubscriptionArn: true,
      }),
    );
    const hit = await client.send(
      new PublishCommand({ TopicArn, Message: '{"n":1}', Subject: 'hi', MessageAttributes: { siteId: attr('store-1'), audience: attr('store') } }),
    );
    await client.send(new PublishCommand({ TopicArn, Message: '{"n":2}', MessageAttributes: { siteId: attr('store-2') } }));
    await sns.idle();
    expect(received).toHaveLength(1);
    const env = JSON.parse(received[0]?.body ?? '{}');
    expect(env).toMatchObject({
      Type: 'Notification',
      MessageId: hit.MessageId,
      TopicArn,
      Subject: 'hi',
      Message: '{"n":1}',
      MessageAttributes: { siteId: { Type: 'String', Value: 'store-1' } },
    });
    expect(received[0]?.headers).toMatchObject({
      'x-amz-sns-message-type': 'Notification',
      'x-amz-sns-topic-arn': TopicArn,
      'x-amz-sns-subscription-arn': SubscriptionArn,
    });
    expect(sns.inbox({ topic: 'deliver' })).toHaveLength(2);
    expect(sns.inbox({ topic: TopicArn as string, siteId: 'store-1', audience: 'store' })).toHaveLength(1);
  });

  it('applies a filter policy set later, with MessageBody scope, and raw delivery', async () => {
    const { TopicArn } = await client.send(new CreateTopicCommand({ Name: 'scoped' }));
    const { SubscriptionArn } = await client.send(
      new SubscribeCommand({ TopicArn, Protocol: 'http', Endpoint: hookUrl, ReturnSubscriptionArn: true }),
    );
    await client.send(new SetSubscriptionAttributesCommand({ SubscriptionArn, AttributeName: 'FilterPolicyScope', AttributeValue: 'MessageBody' }));
    await client.send(
      new SetSubscriptionAttributesCommand({
        SubscriptionArn,
        AttributeName: 'FilterPolicy',
        AttributeValue: JSON.stringify({ recipient: { kind: ['customer'] } }),
      }),
    );
    await client.send(new SetSubscriptionAttributesCommand({ SubscriptionArn, AttributeName: 'RawMessageDelivery', AttributeValue: 'true' }));
    const got = await client.send(new GetSubscriptionAttributesCommand({ SubscriptionArn }));
    expect(got.Attributes).toMatchObject({ FilterPolicyScope: 'MessageBody', RawMessageDelivery: 'true' });
    await client.send(new PublishCommand({ TopicArn, Message: JSON.stringify({ recipient: { kind: 'customer' } }) }));
    await client.send(new PublishCommand({ TopicArn, Message: JSON.stringify({ recipient: { kind: 'store' } }) }));
    await sns.idle();
    expect(received.map((r) => r.body)).toEqual([JSON.stringify({ recipient: { kind: 'customer' } })]);
  });

  it('lists and removes subscriptions', async () => {
    const { TopicArn } = await client.send(new CreateTopicCommand({ Name: 'subs' }));
    const { SubscriptionArn } = await client.send(
      new SubscribeCommand({ TopicArn, Protocol: 'https', Endpoint: 'https://example.invalid/x', ReturnSubscriptionArn: true }),
    );
    expect((await client.send(new ListSubscriptionsByTopicCommand({ TopicArn }))).Subscriptions?.[0]).toMatchObject({
      SubscriptionArn,
      Protocol: 'https',
    });
    await client.send(new UnsubscribeCommand({ SubscriptionArn }));
    expect((await client.send(new ListSubscriptionsByTopicCommand({ TopicArn }))).Subscriptions).toEqual([]);
  });

  it('publishes a batch of 10 with per-entry results, refuses 11, and reports a bad entry without failing the rest', async () => {
    const { TopicArn } = await client.send(new CreateTopicCommand({ Name: 'batch' }));
    const ten = Array.from({ length: 10 }, (_, i) => ({ Id: `e${i}`, Message: `m${i}`, MessageAttributes: { siteId: attr(`s${i}`) } }));
    const r = await client.send(new PublishBatchCommand({ TopicArn, PublishBatchRequestEntries: ten }));
    expect(r.Successful?.map((s) => s.Id)).toEqual(ten.map((e) => e.Id));
    await expect(
      client.send(new PublishBatchCommand({ TopicArn, PublishBatchRequestEntries: [...ten, { Id: 'e10', Message: 'x' }] })),
    ).rejects.toBeInstanceOf(TooManyEntriesInBatchRequestException);
    const mixed = await client.send(
      new PublishBatchCommand({
        TopicArn,
        PublishBatchRequestEntries: [
          { Id: 'ok', Message: 'fine' },
          { Id: 'bad', Message: '' },
        ],
      }),
    );
    expect(mixed.Successful?.map((s) => s.Id)).toEqual(['ok']);
    expect(mixed.Failed?.[0]).toMatchObject({ Id: 'bad', Code: 'InvalidParameter', SenderFault: true });
  });

  it('honours FIFO group and deduplication ids over five minutes', async () => {
    const { TopicArn } = await client.send(new CreateTopicCommand({ Name: 'notices.fifo', Attributes: { FifoTopic: 'true' } }));
    await expect(client.send(new PublishCommand({ TopicArn, Message: 'x', MessageDeduplicationId: 'd' }))).rejects.toBeInstanceOf(
      InvalidParameterException,
    );
    const a = await client.send(new PublishCommand({ TopicArn, Message: 'x', MessageGroupId: 'g', MessageDeduplicationId: 'd1' }));
    const b = await client.send(new PublishCommand({ TopicArn, Message: 'x', MessageGroupId: 'g', MessageDeduplicationId: 'd1' }));
    expect(b.MessageId).toBe(a.MessageId);
    expect(a.SequenceNumber).toBeDefined();
    expect(sns.inbox({ topic: 'notices.fifo' })).toHaveLength(1);
    clock += 5 * 60_000 + 1;
    const c = await client.send(new PublishCommand({ TopicArn, Message: 'x', MessageGroupId: 'g', MessageDeduplicationId: 'd1' }));
    expect(c.MessageId).not.toBe(a.MessageId);
    expect(sns.inbox({ topic: 'notices.fifo' })).toHaveLength(2);
  });

  it('answers with the SNS error codes: NotFound and InvalidParameter', async () => {
    await expect(client.send(new PublishCommand({ TopicArn: 'arn:aws:sns:us-east-1:000000000000:nope', Message: 'x' }))).rejects.toBeInstanceOf(
      NotFoundException,
    );
    const { TopicArn } = await client.send(new CreateTopicCommand({ Name: 'errors' }));
    await expect(client.send(new PublishCommand({ TopicArn, Message: '' }))).rejects.toBeInstanceOf(InvalidParameterException);
    await expect(
      client.send(new SubscribeCommand({ TopicArn, Protocol: 'http', Endpoint: hookUrl, Attributes: { FilterPolicy: '{"a": "not-a-list"}' } })),
    ).rejects.toBeInstanceOf(InvalidParameterException);
    await expect(client.send(new CreateTopicCommand({ Name: 'bad name!' }))).rejects.toBeInstanceOf(InvalidParameterException);
  });

  it('keeps topics and subscriptions across a restart', async () => {
    const { TopicArn } = await client.send(new CreateTopicCommand({ Name: 'durable' }));
    await client.send(new SubscribeCommand({ TopicArn, Protocol: 'http', Endpoint: hookUrl }));
    await sns.stop();
    sns = new SnsEmulator({ stateFile, now: () => clock });
    client = clientFor(await sns.start(0));
    expect((await client.send(new ListTopicsCommand({}))).Topics?.map((t) => t.TopicArn)).toContain(TopicArn);
    expect((await client.send(new ListSubscriptionsByTopicCommand({ TopicArn }))).Subscriptions).toHaveLength(1);
  });
});
