import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { dirname } from 'node:path';
import { type AttributeValue, type FilterScope, matchesFilterPolicy, validateFilterPolicy } from './sns-filter-policy.js';

/**
 * A small SNS for the local stack, speaking the query protocol `@aws-sdk/client-sns` uses (form-encoded POST, XML
 * replies, SNS error codes). Topics, subscriptions and every delivered message (the inbox served at
 * `GET /_local/notifications`) persist in `stateFile`. Differences from SNS: http/https subscriptions are confirmed at
 * once, messages are not signed, and only http/https endpoints receive deliveries (other protocols are recorded).
 */

type Topic = { arn: string; name: string; attributes: Record<string, string>; createdAt: number };
type Subscription = { arn: string; topicArn: string; protocol: string; endpoint: string; attributes: Record<string, string> };
export type InboxItem = {
  topic: string;
  topicArn: string;
  messageId: string;
  subject?: string;
  attributes: Record<string, string>;
  body: string;
  publishedAt: string;
  sequenceNumber?: string;
};
type State = { topics: Topic[]; subscriptions: Subscription[]; inbox: InboxItem[] };

class SnsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

const NS = 'http://sns.amazonaws.com/doc/2010-03-31/';
const MAX_MESSAGE_BYTES = 256 * 1024;
const DEDUP_WINDOW_MS = 5 * 60_000;

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
const el = (name: string, inner: string) => `<${name}>${inner}</${name}>`;
const attrsXml = (attrs: Record<string, string>) =>
  Object.entries(attrs)
    .map(([k, v]) => el('entry', el('key', esc(k)) + el('value', esc(v))))
    .join('');

/** Turn `A.entry.1.key=x&A.entry.1.value=y&B.member.1.Id=z` into nested objects. */
export function parseForm(body: string): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(body)) {
    const parts = key.split('.');
    let node = root;
    parts.forEach((p, i) => {
      if (i === parts.length - 1) node[p] = value;
      else {
        node[p] ??= {};
        node = node[p] as Record<string, unknown>;
      }
    });
  }
  return root;
}

/** `X.member.N...` → array in N order. */
const list = (v: unknown): Record<string, unknown>[] => {
  const m = (v as { member?: Record<string, unknown> } | undefined)?.member;
  if (!m) return [];
  return Object.keys(m)
    .sort((a, b) => Number(a) - Number(b))
    .map((k) => m[k] as Record<string, unknown>);
};
/** `X.entry.N.{key,value}` (or other names) → object. */
const map = <V = string>(v: unknown, keyName = 'key', valueName = 'value'): Record<string, V> => {
  const e = (v as { entry?: Record<string, Record<string, unknown>> } | undefined)?.entry;
  const out: Record<string, V> = {};
  if (!e) return out;
  for (const k of Object.keys(e).sort((a, b) => Number(a) - Number(b))) {
    const item = e[k] as Record<string, unknown>;
    out[String(item[keyName])] = item[valueName] as V;
  }
  return out;
};

type RawAttr = { DataType?: string; StringValue?: string; BinaryValue?: string };
function messageAttributes(raw: unknown): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {};
  for (const [name, a] of Object.entries(map<RawAttr>(raw, 'Name', 'Value'))) {
    if (!a?.DataType) throw new SnsError('InvalidParameterValue', `The message attribute '${name}' must contain non-empty message attribute type.`);
    if (!/^(String|Number|Binary)(\.|$)/.test(a.DataType))
      throw new SnsError('InvalidParameterValue', `The message attribute '${name}' has an invalid message attribute type.`);
    const value = a.DataType.startsWith('Binary') ? (a.BinaryValue ?? '') : a.StringValue;
    if (value === undefined || value === '')
      throw new SnsError('InvalidParameterValue', `The message attribute '${name}' must contain non-empty message attribute value.`);
    if (a.DataType.startsWith('Number') && !Number.isFinite(Number(value)))
      throw new SnsError('InvalidParameterValue', `The message attribute '${name}' with type 'Number' must be a number.`);
    out[name] = { type: a.DataType, value };
  }
  return out;
}

export type SnsEmulatorOptions = {
  region?: string;
  accountId?: string;
  stateFile?: string;
  inboxLimit?: number;
  log?: (msg: string, extra?: object) => void;
  fetchImpl?: typeof fetch;
  now?: () => number;
};

export class SnsEmulator {
  private readonly region: string;
  private readonly account: string;
  private state: State = { topics: [], subscriptions: [], inbox: [] };
  private server?: Server;
  private baseUrl = '';
  private readonly dedup = new Map<string, { messageId: string; sequenceNumber: string; at: number }>();
  private sequence = 0n;
  private readonly inflight = new Set<Promise<void>>();
  private saveTimer?: NodeJS.Timeout;
  private readonly now: () => number;
  private readonly fetchImpl: typeof fetch;
  private readonly log: (msg: string, extra?: object) => void;

  constructor(private readonly opts: SnsEmulatorOptions = {}) {
    this.region = opts.region ?? 'us-east-1';
    this.account = opts.accountId ?? '000000000000';
    this.now = opts.now ?? Date.now;
    this.fetchImpl = opts.fetchImpl ?? fetch;
    this.log = opts.log ?? (() => undefined);
    if (opts.stateFile && existsSync(opts.stateFile)) {
      const saved = JSON.parse(readFileSync(opts.stateFile, 'utf8')) as Partial<State>;
      this.state = { topics: saved.topics ?? [], subscriptions: saved.subscriptions ?? [], inbox: saved.inbox ?? [] };
    }
  }

  /** Listen on loopback; resolves with the base URL to give the SDK as its SNS endpoint. */
  start(port = 0, host = '127.0.0.1'): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    return new Promise((resolve, reject) => {
      this.server?.once('error', reject);
      this.server?.listen(port, host, () => {
        const a = this.server?.address();
        this.baseUrl = `http://${host}:${typeof a === 'object' && a ? a.port : port}`;
        resolve(this.baseUrl);
      });
    });
  }

  get url(): string {
    return this.baseUrl;
  }

  async stop(): Promise<void> {
    await this.idle();
    this.flush();
    await new Promise<void>((resolve) => {
      if (!this.server) return resolve();
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  /** Resolves once every in-flight http delivery has finished (or given up). */
  async idle(): Promise<void> {
    while (this.inflight.size) await Promise.allSettled([...this.inflight]);
  }

  /** What the topics fanned out, oldest first; `topic` is a name or an ARN, `audience`/`siteId` match message attributes. */
  inbox(filter: { topic?: string; audience?: string; siteId?: string; since?: string } = {}): InboxItem[] {
    return this.state.inbox.filter(
      (i) =>
        (!filter.topic || i.topic === filter.topic || i.topicArn === filter.topic) &&
        (!filter.audience || i.attributes.audience === filter.audience) &&
        (!filter.siteId || i.attributes.siteId === filter.siteId) &&
        (!filter.since || i.publishedAt >= filter.since),
    );
  }

  clearInbox(): void {
    this.state.inbox = [];
    this.save();
  }

  private save() {
    if (!this.opts.stateFile || this.saveTimer) return;
    this.saveTimer = setTimeout(() => this.flush(), 200);
    this.saveTimer.unref();
  }

  private flush() {
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
    if (!this.opts.stateFile) return;
    mkdirSync(dirname(this.opts.stateFile), { recursive: true });
    const tmp = `${this.opts.stateFile}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.state));
    renameSync(tmp, this.opts.stateFile);
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    const requestId = randomUUID();
    const reply = (status: number, xml: string) => {
      res.writeHead(status, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId });
      res.end(`<?xml version="1.0"?>${xml}`);
    };
    try {
      if (req.method !== 'POST') throw new SnsError('InvalidAction', 'SNS accepts POST requests', 404);
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const form = parseForm(Buffer.concat(chunks).toString('utf8'));
      const action = String(form.Action ?? '');
      const result = this.dispatch(action, form);
      reply(
        200,
        `<${action}Response xmlns="${NS}">${result === null ? '' : el(`${action}Result`, result)}${el('ResponseMetadata', el('RequestId', requestId))}</${action}Response>`,
      );
    } catch (e) {
      const err = e instanceof SnsError ? e : new SnsError('InternalError', (e as Error).message, 500);
      const type = err.status >= 500 ? 'Receiver' : 'Sender';
      reply(
        err.status,
        `<ErrorResponse xmlns="${NS}">${el('Error', el('Type', type) + el('Code', err.code) + el('Message', esc(err.message)))}${el('RequestId', requestId)}</ErrorResponse>`,
      );
    }
  }

  private topic(arn: unknown): Topic {
    const t = this.state.topics.find((x) => x.arn === arn);
    if (!t) throw new SnsError('NotFound', 'Topic does not exist', 404);
    return t;
  }

  private dispatch(action: string, f: Record<string, unknown>): string | null {
    switch (action) {
      case 'CreateTopic':
        return this.createTopic(f);
      case 'ListTopics': {
        const { page, next } = this.page(this.state.topics, f.NextToken);
        return el('Topics', page.map((t) => el('member', el('TopicArn', esc(t.arn)))).join('')) + (next ? el('NextToken', next) : '');
      }
      case 'GetTopicAttributes': {
        const t = this.topic(f.TopicArn);
        const subs = this.state.subscriptions.filter((s) => s.topicArn === t.arn).length;
        const attrs = {
          TopicArn: t.arn,
          Owner: this.account,
          DisplayName: '',
          SubscriptionsConfirmed: String(subs),
          SubscriptionsPending: '0',
          SubscriptionsDeleted: '0',
          ...t.attributes,
        };
        return el('Attributes', attrsXml(attrs));
      }
      case 'SetTopicAttributes': {
        const t = this.topic(f.TopicArn);
        t.attributes[String(f.AttributeName)] = String(f.AttributeValue ?? '');
        this.save();
        return null;
      }
      case 'DeleteTopic': {
        this.state.topics = this.state.topics.filter((t) => t.arn !== f.TopicArn);
        this.state.subscriptions = this.state.subscriptions.filter((s) => s.topicArn !== f.TopicArn);
        this.save();
        return null;
      }
      case 'Subscribe':
        return this.subscribe(f);
      case 'Unsubscribe': {
        if (!this.state.subscriptions.some((s) => s.arn === f.SubscriptionArn)) throw new SnsError('NotFound', 'Subscription does not exist', 404);
        this.state.subscriptions = this.state.subscriptions.filter((s) => s.arn !== f.SubscriptionArn);
        this.save();
        return null;
      }
      case 'ListSubscriptions':
      case 'ListSubscriptionsByTopic': {
        const all =
          action === 'ListSubscriptions'
            ? this.state.subscriptions
            : this.state.subscriptions.filter((s) => s.topicArn === this.topic(f.TopicArn).arn);
        const { page, next } = this.page(all, f.NextToken);
        const members = page.map((s) =>
          el(
            'member',
            el('TopicArn', esc(s.topicArn)) +
              el('Protocol', esc(s.protocol)) +
              el('SubscriptionArn', esc(s.arn)) +
              el('Owner', this.account) +
              el('Endpoint', esc(s.endpoint)),
          ),
        );
        return el('Subscriptions', members.join('')) + (next ? el('NextToken', next) : '');
      }
      case 'GetSubscriptionAttributes': {
        const s = this.subscription(f.SubscriptionArn);
        const attrs = {
          SubscriptionArn: s.arn,
          TopicArn: s.topicArn,
          Protocol: s.protocol,
          Endpoint: s.endpoint,
          Owner: this.account,
          ConfirmationWasAuthenticated: 'true',
          PendingConfirmation: 'false',
          RawMessageDelivery: 'false',
          ...s.attributes,
        };
        return el('Attributes', attrsXml(attrs));
      }
      case 'SetSubscriptionAttributes': {
        const s = this.subscription(f.SubscriptionArn);
        this.setSubscriptionAttribute(s, String(f.AttributeName ?? ''), String(f.AttributeValue ?? ''));
        this.save();
        return null;
      }
      case 'Publish':
        return this.publishOne(f);
      case 'PublishBatch':
        return this.publishBatch(f);
      default:
        throw new SnsError('InvalidAction', `The action ${action || '(none)'} is not valid for this endpoint.`);
    }
  }

  private page<T>(items: T[], token: unknown) {
    const start = token ? Number(Buffer.from(String(token), 'base64').toString()) || 0 : 0;
    const page = items.slice(start, start + 100);
    return { page, next: start + 100 < items.length ? Buffer.from(String(start + 100)).toString('base64') : undefined };
  }

  private createTopic(f: Record<string, unknown>) {
    const name = String(f.Name ?? '');
    if (!/^[A-Za-z0-9_-]{1,256}(\.fifo)?$/.test(name)) throw new SnsError('InvalidParameter', 'Invalid parameter: Topic Name');
    const attributes = map(f.Attributes);
    const fifo = name.endsWith('.fifo');
    if (fifo !== (attributes.FifoTopic === 'true'))
      throw new SnsError(
        'InvalidParameter',
        fifo ? 'Invalid parameter: Fifo Topic names must end with .fifo and must be made with FifoTopic=true' : 'Invalid parameter: Topic Name',
      );
    const arn = `arn:aws:sns:${this.region}:${this.account}:${name}`;
    const existing = this.state.topics.find((t) => t.arn === arn);
    if (!existing) {
      this.state.topics.push({ arn, name, attributes, createdAt: this.now() });
      this.save();
    }
    return el('TopicArn', esc(arn));
  }

  private subscription(arn: unknown): Subscription {
    const s = this.state.subscriptions.find((x) => x.arn === arn);
    if (!s) throw new SnsError('NotFound', 'Subscription does not exist', 404);
    return s;
  }

  private setSubscriptionAttribute(s: Subscription, name: string, value: string) {
    if (name === 'FilterPolicy') {
      if (value === '') {
        delete s.attributes.FilterPolicy;
        return;
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(value);
      } catch {
        throw new SnsError('InvalidParameter', 'Invalid parameter: FilterPolicy: failed to parse JSON.');
      }
      try {
        validateFilterPolicy(parsed, (s.attributes.FilterPolicyScope as FilterScope) ?? 'MessageAttributes');
      } catch (e) {
        throw new SnsError('InvalidParameter', `Invalid parameter: FilterPolicy: ${(e as Error).message}`);
      }
    } else if (name === 'FilterPolicyScope') {
      if (value !== 'MessageAttributes' && value !== 'MessageBody') throw new SnsError('InvalidParameter', 'Invalid parameter: FilterPolicyScope');
    } else if (name === 'RawMessageDelivery') {
      if (value !== 'true' && value !== 'false') throw new SnsError('InvalidParameter', 'Invalid parameter: RawMessageDelivery');
    } else if (!['DeliveryPolicy', 'RedrivePolicy', 'SubscriptionRoleArn'].includes(name)) {
      throw new SnsError('InvalidParameter', `Invalid parameter: AttributeName ${name}`);
    }
    s.attributes[name] = value;
  }

  private subscribe(f: Record<string, unknown>) {
    const t = this.topic(f.TopicArn);
    const protocol = String(f.Protocol ?? '');
    const endpoint = String(f.Endpoint ?? '');
    if (!['http', 'https', 'email', 'email-json', 'sms', 'sqs', 'lambda', 'application', 'firehose'].includes(protocol))
      throw new SnsError('InvalidParameter', 'Invalid parameter: Amazon SNS does not support this protocol string');
    if ((protocol === 'http' || protocol === 'https') && !endpoint.startsWith(`${protocol}://`))
      throw new SnsError('InvalidParameter', `Invalid parameter: Endpoint must match the specified protocol`);
    const existing = this.state.subscriptions.find((s) => s.topicArn === t.arn && s.protocol === protocol && s.endpoint === endpoint);
    const s = existing ?? { arn: `${t.arn}:${randomUUID()}`, topicArn: t.arn, protocol, endpoint, attributes: {} };
    const attrs = map(f.Attributes);
    // Scope first: the policy is validated against it.
    for (const name of Object.keys(attrs).sort((a, b) => (a === 'FilterPolicyScope' ? -1 : b === 'FilterPolicyScope' ? 1 : 0)))
      this.setSubscriptionAttribute(s, name, attrs[name] as string);
    if (!existing) this.state.subscriptions.push(s);
    this.save();
    return el('SubscriptionArn', esc(s.arn));
  }

  private validatePublish(t: Topic, e: Record<string, unknown>) {
    const message = e.Message;
    if (typeof message !== 'string' || message === '') throw new SnsError('InvalidParameter', 'Invalid parameter: Empty message');
    const attributes = messageAttributes(e.MessageAttributes);
    const size = Buffer.byteLength(message) + Object.entries(attributes).reduce((n, [k, a]) => n + k.length + a.type.length + a.value.length, 0);
    if (size > MAX_MESSAGE_BYTES) throw new SnsError('InvalidParameter', 'Invalid parameter: Message too long');
    const fifo = t.attributes.FifoTopic === 'true';
    let dedupId: string | undefined;
    if (fifo) {
      if (!e.MessageGroupId) throw new SnsError('InvalidParameter', 'Invalid parameter: The MessageGroupId parameter is required for FIFO topics');
      dedupId = e.MessageDeduplicationId ? String(e.MessageDeduplicationId) : undefined;
      if (!dedupId) {
        if (t.attributes.ContentBasedDeduplication !== 'true')
          throw new SnsError(
            'InvalidParameter',
            'Invalid parameter: The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly',
          );
        dedupId = createHash('sha256').update(message).digest('hex');
      }
    }
    return {
      message,
      attributes,
      subject: e.Subject ? String(e.Subject) : undefined,
      fifo,
      dedupId,
      groupId: e.MessageGroupId ? String(e.MessageGroupId) : undefined,
    };
  }

  private accept(t: Topic, p: ReturnType<SnsEmulator['validatePublish']>): { messageId: string; sequenceNumber?: string } {
    const now = this.now();
    if (p.fifo && p.dedupId) {
      const key = `${t.arn}|${p.dedupId}`;
      const seen = this.dedup.get(key);
      if (seen && now - seen.at < DEDUP_WINDOW_MS) return { messageId: seen.messageId, sequenceNumber: seen.sequenceNumber };
    }
    const messageId = randomUUID();
    const sequenceNumber = p.fifo ? String(++this.sequence).padStart(20, '0') : undefined;
    if (p.fifo && p.dedupId) this.dedup.set(`${t.arn}|${p.dedupId}`, { messageId, sequenceNumber: sequenceNumber as string, at: now });
    const item: InboxItem = {
      topic: t.name,
      topicArn: t.arn,
      messageId,
      ...(p.subject ? { subject: p.subject } : {}),
      attributes: Object.fromEntries(Object.entries(p.attributes).map(([k, a]) => [k, a.value])),
      body: p.message,
      publishedAt: new Date(now).toISOString(),
      ...(sequenceNumber ? { sequenceNumber } : {}),
    };
    this.state.inbox.push(item);
    const limit = this.opts.inboxLimit ?? 100_000;
    if (this.state.inbox.length > limit) this.state.inbox.splice(0, this.state.inbox.length - limit);
    this.save();
    for (const s of this.state.subscriptions) {
      if (s.topicArn !== t.arn) continue;
      const policy = s.attributes.FilterPolicy ? (JSON.parse(s.attributes.FilterPolicy) as Record<string, unknown>) : undefined;
      if (
        !matchesFilterPolicy(
          policy,
          { attributes: p.attributes, body: p.message },
          (s.attributes.FilterPolicyScope as FilterScope) ?? 'MessageAttributes',
        )
      )
        continue;
      if (s.protocol === 'http' || s.protocol === 'https') this.deliver(s, t, item, p.attributes);
    }
    return { messageId, ...(sequenceNumber ? { sequenceNumber } : {}) };
  }

  /** POST the SNS envelope (or the raw message) to an http endpoint, retrying a few times with backoff. */
  private deliver(s: Subscription, t: Topic, item: InboxItem, attributes: Record<string, AttributeValue>) {
    const raw = s.attributes.RawMessageDelivery === 'true';
    const body = raw
      ? item.body
      : JSON.stringify({
          Type: 'Notification',
          MessageId: item.messageId,
          TopicArn: t.arn,
          ...(item.subject ? { Subject: item.subject } : {}),
          Message: item.body,
          Timestamp: item.publishedAt,
          SignatureVersion: '1',
          Signature: 'EXAMPLE',
          SigningCertURL: `${this.baseUrl}/SimpleNotificationService.pem`,
          UnsubscribeURL: `${this.baseUrl}/?Action=Unsubscribe&SubscriptionArn=${encodeURIComponent(s.arn)}`,
          ...(Object.keys(attributes).length
            ? { MessageAttributes: Object.fromEntries(Object.entries(attributes).map(([k, a]) => [k, { Type: a.type, Value: a.value }])) }
            : {}),
        });
    const headers = {
      'content-type': 'text/plain; charset=UTF-8',
      'x-amz-sns-message-type': 'Notification',
      'x-amz-sns-message-id': item.messageId,
      'x-amz-sns-topic-arn': t.arn,
      'x-amz-sns-subscription-arn': s.arn,
      ...(raw ? { 'x-amz-sns-rawdelivery': 'true' } : {}),
    };
    const run = (async () => {
      for (let attempt = 0; attempt < 4; attempt++) {
        try {
          const r = await this.fetchImpl(s.endpoint, { method: 'POST', headers, body, signal: AbortSignal.timeout(5000) });
          if (r.status < 500) return;
        } catch {
          // retried below
        }
        await new Promise((res) => setTimeout(res, 100 * 4 ** attempt));
      }
      this.log('sns delivery failed', { endpoint: s.endpoint, messageId: item.messageId });
    })();
    this.inflight.add(run);
    void run.finally(() => this.inflight.delete(run));
  }

  private publishOne(f: Record<string, unknown>) {
    const t = this.topic(f.TopicArn ?? f.TargetArn);
    const r = this.accept(t, this.validatePublish(t, f));
    return el('MessageId', r.messageId) + (r.sequenceNumber ? el('SequenceNumber', r.sequenceNumber) : '');
  }

  private publishBatch(f: Record<string, unknown>) {
    const t = this.topic(f.TopicArn);
    const entries = list(f.PublishBatchRequestEntries);
    if (entries.length === 0) throw new SnsError('EmptyBatchRequest', 'The batch request does not contain any entries.');
    if (entries.length > 10) throw new SnsError('TooManyEntriesInBatchRequest', 'The batch request contains more entries than permissible.');
    const ids = entries.map((e) => String(e.Id ?? ''));
    if (new Set(ids).size !== ids.length)
      throw new SnsError('BatchEntryIdsNotDistinct', 'Two or more batch entries in the request have the same Id.');
    if (ids.some((id) => !/^[A-Za-z0-9_-]{1,80}$/.test(id)))
      throw new SnsError('InvalidBatchEntryId', 'A batch entry id can only contain alphanumeric characters, hyphens and underscores.');
    const ok: string[] = [];
    const failed: string[] = [];
    for (const e of entries) {
      try {
        const r = this.accept(t, this.validatePublish(t, e));
        ok.push(
          el('member', el('Id', esc(String(e.Id))) + el('MessageId', r.messageId) + (r.sequenceNumber ? el('SequenceNumber', r.sequenceNumber) : '')),
        );
      } catch (err) {
        const se = err instanceof SnsError ? err : new SnsError('InternalError', String(err), 500);
        failed.push(
          el(
            'member',
            el('Id', esc(String(e.Id))) + el('Code', se.code) + el('Message', esc(se.message)) + el('SenderFault', String(se.status < 500)),
          ),
        );
      }
    }
    return el('Successful', ok.join('')) + el('Failed', failed.join(''));
  }
}
