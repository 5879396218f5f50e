import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BatchEntryIdsNotDistinctException,
  CreateTopicCommand,
  DeleteTopicCommand,
  EmptyBatchRequestException,
  GetSubscriptionAttributesCommand,
  GetTopicAttributesCommand,
  InvalidParameterException,
  InvalidParameterValueException,
  ListSubscriptionsByTopicCommand,
  ListSubscriptionsCommand,
  ListTopicsCommand,
  type MessageAttributeValue,
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
import { SnsEmulator, type SnsEmulatorOptions } from '../../infra/local/sns-emulator.js';

type Received = { path: string; headers: IncomingHttpHeaders; body: string };

const T0 = Date.parse('2026-03-01T00:00:00Z');
let clock = T0;
let sns: SnsEmulator;
let client: SNSClient;
let hook: Awaited<ReturnType<typeof startHook>>;
const dirs: string[] = [];

const clientFor = (endpoint: string) =>
  new SNSClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
const str = (StringValue: string): MessageAttributeValue => ({ DataType: 'String', StringValue });
const num = (n: number): MessageAttributeValue => ({ DataType: 'Number', StringValue: String(n) });
const list = (values: string[]): MessageAttributeValue => ({ DataType: 'String.Array', StringValue: JSON.stringify(values) });
/** What a call failed with (undefined if it succeeded), so Act can run calls and Assess can inspect their errors. */
const failure = (call: Promise<unknown>) =>
  call.then(
    () => undefined,
    (e: unknown) => e,
  );
const tempStateFile = () => {
  const dir = mkdtempSync(join(tmpdir(), 'lotledger-sns-'));
  dirs.push(dir);
  return join(dir, 'sns.json');
};
const topic = async (Name: string, Attributes?: Record<string, string>) =>
  (await client.send(new CreateTopicCommand({ Name, Attributes }))).TopicArn as string;
const subscribe = async (TopicArn: string, path: string, Attributes?: Record<string, string>) =>
  (await client.send(new SubscribeCommand({ TopicArn, Protocol: 'http', Endpoint: `${hook.url}${path}`, Attributes, ReturnSubscriptionArn: true })))
    .SubscriptionArn as string;

/** An http subscriber that answers 200 and keeps every POST it receives. */
async function startHook() {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.end('ok');
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', () => ok()));
  const a = server.address();
  return {
    url: `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`,
    received,
    at: (path: string) => received.filter((r) => r.path === path),
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

/** A fetch that answers each call with the next status in turn (the last one repeats), recording the calls. */
function scriptedFetch(statuses: number[]) {
  const calls: string[] = [];
  const impl = (async (url: string | URL | Request) => {
    calls.push(String(url));
    return new Response(null, { status: statuses[Math.min(calls.length, statuses.length) - 1] });
  }) as typeof fetch;
  return { calls, impl };
}

/** An emulator of its own, with a client, for tests that need other options or a restart. */
async function emulator(opts: SnsEmulatorOptions) {
  const own = new SnsEmulator({ now: () => clock, ...opts });
  return { own, client: clientFor(await own.start(0)) };
}

beforeAll(async () => {
  hook = await startHook();
  sns = new SnsEmulator({ now: () => clock });
  client = clientFor(await sns.start(0));
});
afterAll(async () => {
  client.destroy();
  await sns.stop();
  hook.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
beforeEach(() => {
  hook.received.length = 0;
});

describe('topics', () => {
  it('creates a topic once per name and refuses the same name with other attributes', async () => {
    // Act
    const first = await topic('recalls', { DisplayName: 'Recalls' });
    const again = await topic('recalls', { DisplayName: 'Recalls' });
    const other = await failure(client.send(new CreateTopicCommand({ Name: 'recalls', Attributes: { DisplayName: 'Other' } })));
    // Assess
    expect(first).toBe('arn:aws:sns:us-east-1:000000000000:recalls');
    expect(again).toBe(first);
    expect(other).toBeInstanceOf(InvalidParameterException);
  });

  it('reports the stored attributes and the subscription count of a topic', async () => {
    // Prepare
    const TopicArn = await topic('described', { DisplayName: 'Described', KmsMasterKeyId: 'alias/aws/sns' });
    await subscribe(TopicArn, '/described');
    // Act
    const { Attributes } = await client.send(new GetTopicAttributesCommand({ TopicArn }));
    // Assess
    expect(Attributes).toMatchObject({
      TopicArn,
      Owner: '000000000000',
      DisplayName: 'Described',
      KmsMasterKeyId: 'alias/aws/sns',
      SubscriptionsConfirmed: '1',
      SubscriptionsPending: '0',
    });
  });

  it('pages ListTopics 100 at a time with a NextToken', async () => {
    // Prepare
    const arns = await Promise.all(Array.from({ length: 120 }, (_, i) => topic(`paged-${String(i).padStart(3, '0')}`)));
    // Act
    const pages = [await client.send(new ListTopicsCommand({}))];
    while (pages.at(-1)?.NextToken) pages.push(await client.send(new ListTopicsCommand({ NextToken: pages.at(-1)?.NextToken })));
    // Assess
    const listed = pages.flatMap((p) => p.Topics?.map((t) => t.TopicArn) ?? []);
    expect(pages[0]?.Topics).toHaveLength(100);
    expect(pages.length).toBeGreaterThan(1);
    expect(new Set(listed).size).toBe(listed.length);
    expect(listed).toEqual(expect.arrayContaining(arns));
  });

  it('deletes a topic together with its subscriptions', async () => {
    // Prepare
    const TopicArn = await topic('doomed');
    const SubscriptionArn = await subscribe(TopicArn, '/doomed');
    // Act
    await client.send(new DeleteTopicCommand({ TopicArn }));
    // Assess
    await expect(client.send(new GetTopicAttributesCommand({ TopicArn }))).rejects.toBeInstanceOf(NotFoundException);
    const all = await client.send(new ListSubscriptionsCommand({}));
    expect(all.Subscriptions?.map((s) => s.SubscriptionArn)).not.toContain(SubscriptionArn);
  });
});

describe('subscriptions', () => {
  it('subscribes with attributes, lists, changes and removes a subscription', async () => {
    // Prepare
    const TopicArn = await topic('subs');
    // Act
    const SubscriptionArn = await subscribe(TopicArn, '/subs', { FilterPolicy: '{"siteId":["store-1"]}', RawMessageDelivery: 'true' });
    const byTopic = await client.send(new ListSubscriptionsByTopicCommand({ TopicArn }));
    const all = await client.send(new ListSubscriptionsCommand({}));
    await client.send(
      new SetSubscriptionAttributesCommand({ SubscriptionArn, AttributeName: 'FilterPolicy', AttributeValue: '{"siteId":["store-2"]}' }),
    );
    const changed = await client.send(new GetSubscriptionAttributesCommand({ SubscriptionArn }));
    await client.send(new UnsubscribeCommand({ SubscriptionArn }));
    // Assess
    expect(SubscriptionArn).toMatch(new RegExp(`^${TopicArn}:`));
    expect(byTopic.Subscriptions).toEqual([{ SubscriptionArn, TopicArn, Protocol: 'http', Endpoint: `${hook.url}/subs`, Owner: '000000000000' }]);
    expect(all.Subscriptions?.map((s) => s.SubscriptionArn)).toContain(SubscriptionArn);
    expect(changed.Attributes).toMatchObject({
      FilterPolicy: '{"siteId":["store-2"]}',
      RawMessageDelivery: 'true',
      PendingConfirmation: 'false',
    });
    expect((await client.send(new ListSubscriptionsByTopicCommand({ TopicArn }))).Subscriptions).toEqual([]);
    await expect(client.send(new GetSubscriptionAttributesCommand({ SubscriptionArn }))).rejects.toBeInstanceOf(NotFoundException);
  });

  it('refuses filter policies that break the SNS grammar or need an operator, at subscribe time and later', async () => {
    // Prepare
    const TopicArn = await topic('policed');
    const good = await subscribe(TopicArn, '/good', { FilterPolicy: '{"siteId":["store-1"]}' });
    const sixKeys = JSON.stringify({ a: ['x'], b: ['x'], c: ['x'], d: ['x'], e: ['x'], f: ['x'] });
    // Act
    const errors = await Promise.all(
      [
        subscribe(TopicArn, '/bad', { FilterPolicy: 'not json' }),
        subscribe(TopicArn, '/bad', { FilterPolicy: '{"a":"not-a-list"}' }),
        subscribe(TopicArn, '/bad', { FilterPolicy: '{"siteId":[{"prefix":"store-"}]}' }),
        client.send(new SetSubscriptionAttributesCommand({ SubscriptionArn: good, AttributeName: 'FilterPolicy', AttributeValue: sixKeys })),
      ].map(failure),
    );
    // Assess
    expect(errors.map((e) => e instanceof InvalidParameterException)).toEqual([true, true, true, true]);
  });
});

describe('delivery to http subscribers', () => {
  it('posts the SNS envelope with its headers, and records the message in the inbox', async () => {
    // Prepare
    const TopicArn = await topic('deliver');
    const SubscriptionArn = await subscribe(TopicArn, '/deliver');
    // Act
    const { MessageId } = await client.send(
      new PublishCommand({ TopicArn, Message: '{"n":1}', Subject: 'Recall', MessageAttributes: { siteId: str('store-1'), units: num(4) } }),
    );
    await sns.idle();
    // Assess
    expect(hook.received).toHaveLength(1);
    const [got] = hook.received;
    expect(got?.headers).toMatchObject({
      'content-type': 'text/plain; charset=UTF-8',
      'x-amz-sns-message-type': 'Notification',
      'x-amz-sns-message-id': MessageId,
      'x-amz-sns-topic-arn': TopicArn,
      'x-amz-sns-subscription-arn': SubscriptionArn,
    });
    expect(JSON.parse(got?.body ?? '{}')).toEqual({
      Type: 'Notification',
      MessageId,
      TopicArn,
      Subject: 'Recall',
      Message: '{"n":1}',
      Timestamp: new Date(clock).toISOString(),
      SignatureVersion: '1',
      Signature: 'EXAMPLE',
      SigningCertURL: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\//),
      UnsubscribeURL: expect.stringContaining('Action=Unsubscribe'),
      MessageAttributes: { siteId: { Type: 'String', Value: 'store-1' }, units: { Type: 'Number', Value: '4' } },
    });
    expect(sns.inbox({ topic: 'deliver' })).toEqual([
      {
        topic: 'deliver',
        topicArn: TopicArn,
        messageId: MessageId,
        subject: 'Recall',
        attributes: { siteId: 'store-1', units: '4' },
        body: '{"n":1}',
        publishedAt: new Date(clock).toISOString(),
      },
    ]);
  });

  it('posts the bare message with RawMessageDelivery', async () => {
    // Prepare
    const TopicArn = await topic('raw');
    await subscribe(TopicArn, '/raw', { RawMessageDelivery: 'true' });
    // Act
    await client.send(new PublishCommand({ TopicArn, Message: 'just this', MessageAttributes: { siteId: str('s') } }));
    await sns.idle();
    // Assess
    expect(hook.received.map((r) => r.body)).toEqual(['just this']);
    expect(hook.received[0]?.headers['x-amz-sns-rawdelivery']).toBe('true');
  });

  it('delivers each message only to the subscribers whose filter policy it passes', async () => {
    // Prepare
    const TopicArn = await topic('filtered');
    const policies: Record<string, Record<string, string[]>> = {
      exact: { siteId: ['store-1'] },
      customers: { audience: ['customer'] },
      either: { audience: ['customer', 'quality'], siteId: ['dc-1', 'dc-2'] },
    };
    for (const [name, policy] of Object.entries(policies)) await subscribe(TopicArn, `/${name}`, { FilterPolicy: JSON.stringify(policy) });
    await subscribe(TopicArn, '/all', {});
    const messages: [string, Record<string, MessageAttributeValue>, string][] = [
      ['m1', { siteId: str('store-1'), audience: str('store'), units: num(10), tags: list(['urgent', 'x']) }, '{"recipient":{"kind":"store"}}'],
      ['m2', { siteId: str('dc-1'), audience: str('customer'), units: num(200), recallId: str('R1') }, '{"recipient":{"kind":"customer"}}'],
      ['m3', { siteId: str('dc-2'), audience: str('quality'), recallId: str('R2'), tags: list(['low']) }, 'not json'],
    ];
    // Act
    for (const [name, attributes, Message] of messages)
      await client.send(new PublishCommand({ TopicArn, Message, MessageAttributes: { ...attributes, name: str(name) } }));
    await sns.idle();
    // Assess
    const got = (path: string) =>
      hook
        .at(path)
        .map((r) => JSON.parse(r.body).MessageAttributes.name.Value as string)
        .sort();
    expect(Object.fromEntries([...Object.keys(policies), 'all'].map((name) => [name, got(`/${name}`)]))).toEqual({
      exact: ['m1'],
      customers: ['m2'],
      either: ['m2', 'm3'],
      all: ['m1', 'm2', 'm3'],
    });
    expect(sns.inbox({ topic: TopicArn })).toHaveLength(3);
  });

  it('retries a 5xx until the subscriber recovers, gives up at once on a 4xx, and logs the failure', async () => {
    // Prepare
    const logged: { msg: string; extra?: object }[] = [];
    const flaky = scriptedFetch([503, 502, 200]);
    const refusing = scriptedFetch([404]);
    const log = (msg: string, extra?: object) => logged.push({ msg, extra });
    const a = await emulator({ fetchImpl: flaky.impl, log });
    const b = await emulator({ fetchImpl: refusing.impl, log });
    for (const { client: c } of [a, b]) {
      const TopicArn = (await c.send(new CreateTopicCommand({ Name: 'retried' }))).TopicArn;
      await c.send(new SubscribeCommand({ TopicArn, Protocol: 'http', Endpoint: 'http://subscriber.invalid/' }));
      // Act
      await c.send(new PublishCommand({ TopicArn, Message: 'hello' }));
    }
    await Promise.all([a.own.idle(), b.own.idle()]);
    // Assess
    expect(flaky.calls).toHaveLength(3);
    expect(refusing.calls).toHaveLength(1);
    expect(logged).toEqual([{ msg: 'sns delivery failed', extra: expect.objectContaining({ reason: 'HTTP 404' }) }]);
    for (const { own, client: c } of [a, b]) {
      c.destroy();
      await own.stop();
    }
  });

  it('abandons pending retries on stop instead of waiting for them', async () => {
    // Prepare
    const down = scriptedFetch([503]);
    const { own, client: c } = await emulator({ fetchImpl: down.impl });
    const TopicArn = (await c.send(new CreateTopicCommand({ Name: 'down' }))).TopicArn;
    await c.send(new SubscribeCommand({ TopicArn, Protocol: 'http', Endpoint: 'http://subscriber.invalid/' }));
    await c.send(new PublishCommand({ TopicArn, Message: 'hello' }));
    c.destroy();
    // Act
    const started = performance.now();
    await own.stop();
    // Assess: the full retry schedule would take about 2 s
    expect(performance.now() - started).toBeLessThan(1000);
    expect(down.calls.length).toBeLessThan(4);
  });
});

describe('standard topics only', () => {
  it('refuses a FIFO topic, which the stack never uses', async () => {
    // Act
    const fifo = await failure(client.send(new CreateTopicCommand({ Name: 'orders.fifo', Attributes: { FifoTopic: 'true' } })));
    // Assess
    expect(fifo).toBeInstanceOf(InvalidParameterException);
  });

  it('lets a standard topic accept a MessageGroupId, as SNS now does', async () => {
    // Prepare
    const TopicArn = await topic('standard-grouped');
    // Act
    const r = await client.send(new PublishCommand({ TopicArn, Message: 'x', MessageGroupId: 'g' }));
    // Assess
    expect(r.MessageId).toBeDefined();
    expect(r.SequenceNumber).toBeUndefined();
  });
});

describe('PublishBatch', () => {
  it('publishes ten entries, answering per entry in order', async () => {
    // Prepare
    const TopicArn = await topic('batch');
    const ten = Array.from({ length: 10 }, (_, i) => ({ Id: `e${i}`, Message: `m${i}`, MessageAttributes: { siteId: str(`s${i}`) } }));
    // Act
    const r = await client.send(new PublishBatchCommand({ TopicArn, PublishBatchRequestEntries: ten }));
    // Assess
    expect(r.Successful?.map((s) => s.Id)).toEqual(ten.map((e) => e.Id));
    expect(r.Failed).toEqual([]);
    expect(sns.inbox({ topic: 'batch', siteId: 's9' }).map((i) => i.body)).toEqual(['m9']);
  });

  it('refuses eleven entries, no entries, and repeated ids', async () => {
    // Prepare
    const TopicArn = await topic('batch-limits');
    const entries = Array.from({ length: 11 }, (_, i) => ({ Id: `e${i}`, Message: `m${i}` }));
    const send = (PublishBatchRequestEntries: { Id: string; Message: string }[]) =>
      client.send(new PublishBatchCommand({ TopicArn, PublishBatchRequestEntries }));
    // Act
    const eleven = await failure(send(entries));
    const none = await failure(send([]));
    const repeated = await failure(
      send([
        { Id: 'same', Message: 'a' },
        { Id: 'same', Message: 'b' },
      ]),
    );
    // Assess
    expect(eleven).toBeInstanceOf(TooManyEntriesInBatchRequestException);
    expect(none).toBeInstanceOf(EmptyBatchRequestException);
    expect(repeated).toBeInstanceOf(BatchEntryIdsNotDistinctException);
    expect(sns.inbox({ topic: 'batch-limits' })).toEqual([]);
  });

  it('fails only the bad entries and publishes the rest', async () => {
    // Prepare
    const TopicArn = await topic('batch-mixed');
    // Act
    const r = await client.send(
      new PublishBatchCommand({
        TopicArn,
        PublishBatchRequestEntries: [
          { Id: 'ok', Message: 'fine' },
          { Id: 'empty', Message: '' },
          { Id: 'badNumber', Message: 'units', MessageAttributes: { units: { DataType: 'Number', StringValue: 'many' } } },
          { Id: 'ok2', Message: 'also fine' },
        ],
      }),
    );
    // Assess
    expect(r.Successful?.map((s) => s.Id)).toEqual(['ok', 'ok2']);
    expect(r.Failed).toEqual([
      { Id: 'empty', Code: 'InvalidParameter', Message: expect.any(String), SenderFault: true },
      { Id: 'badNumber', Code: 'ParameterValueInvalid', Message: expect.stringContaining("'Number'"), SenderFault: true },
    ]);
    expect(sns.inbox({ topic: TopicArn }).map((i) => i.body)).toEqual(['fine', 'also fine']);
  });
});

describe('errors', () => {
  it('answers with the SNS error codes the SDK turns into its exceptions', async () => {
    // Prepare
    const TopicArn = await topic('errors');
    // Act
    const unknownTopic = await failure(client.send(new PublishCommand({ TopicArn: 'arn:aws:sns:us-east-1:000000000000:nope', Message: 'x' })));
    const empty = await failure(client.send(new PublishCommand({ TopicArn, Message: '' })));
    const tooLong = await failure(client.send(new PublishCommand({ TopicArn, Message: 'x'.repeat(256 * 1024 + 1) })));
    const units = { DataType: 'Number', StringValue: 'many' };
    const badNumber = await failure(client.send(new PublishCommand({ TopicArn, Message: 'x', MessageAttributes: { units } })));
    const badName = await failure(client.send(new CreateTopicCommand({ Name: 'bad name!' })));
    // Assess
    expect(unknownTopic).toBeInstanceOf(NotFoundException);
    expect(empty).toBeInstanceOf(InvalidParameterException);
    expect(tooLong).toBeInstanceOf(InvalidParameterException);
    expect(badNumber).toBeInstanceOf(InvalidParameterValueException);
    expect(badName).toBeInstanceOf(InvalidParameterException);
    expect(sns.inbox({ topic: 'errors' })).toEqual([]);
  });

  it('answers an unknown action with InvalidAction, and anything but POST / with 404', async () => {
    // Prepare
    const form = { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'Action=Nope&Version=2010-03-31' };
    // Act
    const unknown = await fetch(sns.url, form);
    const get = await fetch(`${sns.url}/`);
    const otherPath = await fetch(`${sns.url}/elsewhere`, form);
    // Assess
    expect(unknown.status).toBe(400);
    expect(await unknown.text()).toContain('<Code>InvalidAction</Code>');
    expect([get.status, otherPath.status]).toEqual([404, 404]);
  });
});

describe('inbox', () => {
  it('filters by topic name or ARN, audience, siteId and time, in publish order', async () => {
    // Prepare
    const TopicArn = await topic('inboxed');
    const publish = (Message: string, audience: string, siteId: string) =>
      client.send(new PublishCommand({ TopicArn, Message, MessageAttributes: { audience: str(audience), siteId: str(siteId) } }));
    await publish('a', 'store', 'store-1');
    await publish('b', 'warehouse', 'dc-1');
    clock += 1000;
    const since = new Date(clock);
    await publish('c', 'store', 'store-2');
    // Act
    const bodies = (filter: Parameters<SnsEmulator['inbox']>[0]) => sns.inbox(filter).map((i) => i.body);
    // Assess
    expect(bodies({ topic: 'inboxed' })).toEqual(['a', 'b', 'c']);
    expect(bodies({ topic: TopicArn })).toEqual(['a', 'b', 'c']);
    expect(bodies({ topic: 'inboxed', audience: 'store' })).toEqual(['a', 'c']);
    expect(bodies({ topic: 'inboxed', siteId: 'dc-1' })).toEqual(['b']);
    expect(bodies({ topic: 'inboxed', since })).toEqual(['c']);
    expect(bodies({ topic: 'inboxed', since: since.toISOString() })).toEqual(['c']);
  });

  it('keeps only the newest inboxLimit items, and empties on clearInbox', async () => {
    // Prepare
    const { own, client: c } = await emulator({ inboxLimit: 2 });
    const TopicArn = (await c.send(new CreateTopicCommand({ Name: 'capped' }))).TopicArn;
    // Act
    for (const Message of ['1', '2', '3']) await c.send(new PublishCommand({ TopicArn, Message }));
    const kept = own.inbox().map((i) => i.body);
    own.clearInbox();
    // Assess
    expect(kept).toEqual(['2', '3']);
    expect(own.inbox()).toEqual([]);
    c.destroy();
    await own.stop();
  });
});

describe('persistence', () => {
  it('finds topics, subscriptions and the inbox again after a restart on the same state file', async () => {
    // Prepare
    const stateFile = tempStateFile();
    const before = await emulator({ stateFile });
    const TopicArn = (await before.client.send(new CreateTopicCommand({ Name: 'durable' }))).TopicArn;
    const Attributes = { FilterPolicy: '{"siteId":["store-1"]}' };
    const sub = await before.client.send(new SubscribeCommand({ TopicArn, Protocol: 'http', Endpoint: `${hook.url}/durable`, Attributes }));
    await before.client.send(new PublishCommand({ TopicArn, Message: 'kept' }));
    before.client.destroy();
    await before.own.stop();
    // Act
    const after = await emulator({ stateFile });
    const topics = await after.client.send(new ListTopicsCommand({}));
    const subs = await after.client.send(new ListSubscriptionsByTopicCommand({ TopicArn }));
    const policy = await after.client.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: sub.SubscriptionArn }));
    // Assess
    expect(topics.Topics?.map((t) => t.TopicArn)).toEqual([TopicArn]);
    expect(subs.Subscriptions?.map((s) => s.SubscriptionArn)).toEqual([sub.SubscriptionArn]);
    expect(policy.Attributes?.FilterPolicy).toBe(Attributes.FilterPolicy);
    expect(after.own.inbox().map((i) => i.body)).toEqual(['kept']);
    after.client.destroy();
    await after.own.stop();
  });

  it('has every answered message on disk before it answers, so a killed emulator loses none', async () => {
    // Prepare
    const stateFile = tempStateFile();
    const killed = await emulator({ stateFile });
    const TopicArn = (await killed.client.send(new CreateTopicCommand({ Name: 'crashy' }))).TopicArn;
    const one = await killed.client.send(new PublishCommand({ TopicArn, Message: 'single' }));
    const batch = await killed.client.send(
      new PublishBatchCommand({ TopicArn, PublishBatchRequestEntries: [1, 2, 3].map((n) => ({ Id: `e${n}`, Message: `batch-${n}` })) }),
    );
    // Act: read the state file as a fresh process would, without the old emulator stopping (which saves everything)
    const restarted = new SnsEmulator({ stateFile });
    // Assess
    const ids = [one.MessageId, ...(batch.Successful ?? []).map((s) => s.MessageId)];
    expect(restarted.inbox({ topic: 'crashy' }).map((i) => [i.messageId, i.body])).toEqual(
      ids.map((id, i) => [id, i === 0 ? 'single' : `batch-${i}`]),
    );
    killed.client.destroy();
    await killed.own.stop();
  });

  it('replays the journal after the snapshot, once per message, and skips a last line cut short', async () => {
    // Prepare: a crash after the snapshot took message a but before the journal was emptied, and one mid-append
    const stateFile = tempStateFile();
    const item = (messageId: string, body: string) => ({
      topic: 't',
      topicArn: 'arn:aws:sns:us-east-1:000000000000:t',
      messageId,
      attributes: {},
      body,
      publishedAt: new Date(T0).toISOString(),
    });
    writeFileSync(stateFile, JSON.stringify({ topics: [], subscriptions: [], inbox: [item('a', 'a')] }));
    writeFileSync(`${stateFile}.log`, `${JSON.stringify(item('a', 'a'))}\n${JSON.stringify(item('b', 'b'))}\n{"topic":"t","mess`);
    // Act
    const restarted = new SnsEmulator({ stateFile });
    // Assess
    expect(restarted.inbox().map((i) => i.body)).toEqual(['a', 'b']);
  });
});
