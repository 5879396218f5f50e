import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type AttributeValue, type FilterScope, matchesFilterPolicy, validateFilterPolicy } from './sns-filter-policy.js';

/*
 * A small SNS for the local stack. It speaks the query protocol `@aws-sdk/client-sns` uses: a form-encoded POST to `/`
 * (the SigV4 signature is not checked), XML replies, and the SNS error codes the SDK maps to its exception classes.
 *
 * Differences from SNS, on purpose:
 * - subscriptions are confirmed at once (no SubscriptionConfirmation round trip), so `ReturnSubscriptionArn` is moot;
 * - only http/https endpoints receive deliveries, FIFO topics included (SNS allows only SQS there); other protocols are
 *   recorded and listed but never called;
 * - messages carry `Signature: "EXAMPLE"`; MessageStructure=json, tags, data protection and delivery policies are
 *   stored as given and change nothing;
 * - failed http deliveries are retried four times within about 2 s (SNS: three times, 20 s apart), then logged; a
 *   subscription's RedrivePolicy is stored, and the local stack has no dead-letter queue to send such a message to.
 */

type Topic = { arn: string; name: string; attributes: Record<string, string>; createdAt: number };
type Subscription = { arn: string; topicArn: string; protocol: string; endpoint: string; attributes: Record<string, string> };
type Dedup = { messageId: string; sequenceNumber: string; at: number };
/** One accepted message, as the topic fanned it out; `attributes` maps each name to its StringValue (BinaryValue as base64). */
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
/** `topic` is a name or an ARN; `audience` and `siteId` must equal the message attribute of that name. */
export type InboxFilter = { topic?: string; audience?: string; siteId?: string; since?: Date | string };
type State = { topics: Topic[]; subscriptions: Subscription[]; inbox: InboxItem[]; dedup?: [string, Dedup][]; sequence?: string };

export type SnsEmulatorOptions = {
  region?: string;
  accountId?: string;
  /** JSON file that keeps topics, subscriptions, the inbox and FIFO dedup ids across restarts */
  stateFile?: string;
  /** the inbox keeps this many newest items (default 100,000) */
  inboxLimit?: number;
  log?: (msg: string, extra?: object) => void;
  fetchImpl?: typeof fetch;
  /** epoch ms; tests move it to step over the five-minute FIFO dedup window */
  now?: () => number;
};

/** The form body, nested on dots: `A.entry.1.key=x` becomes `{ A: { entry: { 1: { key: 'x' } } } }`. */
type Form = { [k: string]: string | Form };
type FormValue = Form[string] | undefined;

class SnsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}
const invalid = (what: string) => new SnsError('InvalidParameter', `Invalid parameter: ${what}`);

const NS = 'http://sns.amazonaws.com/doc/2010-03-31/';
const MAX_MESSAGE_BYTES = 256 * 1024;
const DEDUP_WINDOW_MS = 5 * 60_000;
const PAGE_SIZE = 100;
// Four attempts in about 2 s: enough for a subscriber that is restarting, short enough not to stall tests or stop().
const RETRY_DELAYS_MS = [100, 400, 1600];
const DELIVERY_TIMEOUT_MS = 5000;
const SAVE_DEBOUNCE_MS = 200;
const PROTOCOLS = ['http', 'https', 'email', 'email-json', 'sms', 'sqs', 'lambda', 'application', 'firehose'];
const TOPIC_ATTRIBUTES =
  /^(DisplayName|Policy|DeliveryPolicy|KmsMasterKeyId|SignatureVersion|TracingConfig|FifoTopic|ContentBasedDeduplication|FifoThroughputScope|ArchivePolicy|DataProtectionPolicy|(HTTP|Firehose|Lambda|SQS|Application)(SuccessFeedbackRoleArn|SuccessFeedbackSampleRate|FailureFeedbackRoleArn))$/;
const SUBSCRIPTION_ATTRIBUTES = ['FilterPolicy', 'FilterPolicyScope', 'RawMessageDelivery', 'DeliveryPolicy', 'RedrivePolicy', 'SubscriptionRoleArn'];

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
const el = (name: string, inner: string) => `<${name}>${inner}</${name}>`;
/** A map result is `<entry><key/><value/></entry>`, a list result is `<member/>`. */
const mapXml = (attrs: Record<string, string>) =>
  Object.entries(attrs)
    .map(([k, v]) => el('entry', el('key', esc(k)) + el('value', esc(v))))
    .join('');

function parseForm(body: string): Form {
  // Null prototypes: a key like `__proto__.x` must not reach Object.prototype.
  const root: Form = Object.create(null);
  for (const [key, value] of new URLSearchParams(body)) {
    const parts = key.split('.');
    const last = parts.pop() ?? '';
    let node = root;
    for (const p of parts) {
      let next = node[p];
      if (typeof next !== 'object') {
        next = Object.create(null) as Form;
        node[p] = next;
      }
      node = next;
    }
    node[last] = value;
  }
  return root;
}
const str = (v: FormValue) => (typeof v === 'string' ? v : undefined);
const obj = (v: FormValue) => (typeof v === 'object' ? v : undefined);
/** The children of `X.member` or `X.entry`, in index order. */
const numbered = (v: FormValue): Form[] => {
  const f = obj(v);
  if (!f) return [];
  return Object.keys(f)
    .sort((a, b) => Number(a) - Number(b))
    .flatMap((k) => {
      const child = obj(f[k]);
      return child ? [child] : [];
    });
};
/** `X.entry.N.key/value` as a record; Object.fromEntries defines own properties, so any key is safe. */
const mapOf = (v: FormValue): Record<string, string> =>
  Object.fromEntries(numbered(obj(v)?.entry).map((e) => [str(e.key) ?? '', str(e.value) ?? '']));

function messageAttributes(raw: FormValue): Record<string, AttributeValue> {
  const entries = numbered(obj(raw)?.entry).map((e): [string, AttributeValue] => {
    const name = str(e.Name) ?? '';
    const v = obj(e.Value);
    const type = str(v?.DataType) ?? '';
    // ParameterValueInvalid is the code the SDK maps to InvalidParameterValueException.
    const bad = (why: string) => new SnsError('ParameterValueInvalid', `The message attribute '${name}' ${why}.`);
    if (!/^[A-Za-z0-9_.-]{1,256}$/.test(name)) throw bad('has an invalid name');
    if (!type) throw bad('must contain non-empty message attribute type');
    // Custom types extend a base type after a dot (`Number.float`); String.Array is a base type of its own.
    const kind = type === 'String.Array' ? type : type.split('.')[0];
    if (!['String', 'String.Array', 'Number', 'Binary'].includes(kind ?? '')) throw bad('has an invalid message attribute type');
    const value = (kind === 'Binary' ? str(v?.BinaryValue) : str(v?.StringValue)) ?? '';
    if (value === '') throw bad('must contain non-empty message attribute value');
    if (kind === 'Number' && !Number.isFinite(Number(value))) throw bad("with type 'Number' must be a number");
    if (kind === 'String.Array' && !isJsonArray(value)) throw bad("with type 'String.Array' must be a JSON array");
    return [name, { type, value }];
  });
  return Object.fromEntries(entries);
}
function isJsonArray(s: string): boolean {
  try {
    return Array.isArray(JSON.parse(s));
  } catch {
    return false;
  }
}

type Checked = {
  message: string;
  subject?: string;
  attributes: Record<string, AttributeValue>;
  bytes: number;
  /** set for FIFO topics only: the explicit id, or the SHA-256 of the body with content-based deduplication */
  dedupId?: string;
};

/**
 * An SNS emulator for the local stack and integration tests; point `@aws-sdk/client-sns` at {@link SnsEmulator.url}.
 * @example
 * const sns = new SnsEmulator({ stateFile: '.lotledger/sns.json' });
 * const client = new SNSClient({ endpoint: await sns.start(), region: 'us-east-1' });
 * await client.send(new PublishCommand({ TopicArn, Message: 'hello' }));
 * sns.inbox({ topic: 'lotledger-recalls' }); // [{ topic: 'lotledger-recalls', body: 'hello', ... }]
 */
export class SnsEmulator {
  private readonly region: string;
  private readonly account: string;
  private readonly now: () => number;
  private readonly fetchImpl: typeof fetch;
  private readonly log: (msg: string, extra?: object) => void;
  private readonly inboxLimit: number;
  private topics: Topic[] = [];
  private subscriptions: Subscription[] = [];
  private items: InboxItem[] = [];
  /** `topicArn|dedupId` → first acceptance, oldest first, so expired entries are pruned from the front */
  private readonly dedup = new Map<string, Dedup>();
  private sequence = 0n;
  private server?: Server;
  private baseUrl = '';
  private readonly inflight = new Set<Promise<void>>();
  private shutdown = new AbortController();
  private saveTimer?: NodeJS.Timeout;

  constructor(private readonly opts: SnsEmulatorOptions = {}) {
    this.region = opts.region ?? 'us-east-1';
    this.account = opts.accountId ?? '000000000000';
    this.now = opts.now ?? Date.now;
    this.fetchImpl = opts.fetchImpl ?? fetch;
    this.log = opts.log ?? (() => undefined);
    this.inboxLimit = opts.inboxLimit ?? 100_000;
    if (opts.stateFile && existsSync(opts.stateFile)) this.load(opts.stateFile);
  }

  /** Listen on `host:port` (0 picks a free port); resolves with the base URL to give the SDK as its endpoint. */
  async start(port = 0, host = '127.0.0.1'): Promise<string> {
    this.shutdown = new AbortController();
    const server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    this.server = server;
    const a = server.address();
    this.baseUrl = `http://${host}:${typeof a === 'object' && a ? a.port : port}`;
    return this.baseUrl;
  }

  get url(): string {
    return this.baseUrl;
  }

  /** Abandon pending delivery retries, write the state file, close the server. */
  async stop(): Promise<void> {
    this.shutdown.abort();
    await this.idle();
    this.flush();
    const server = this.server;
    this.server = undefined;
    if (server)
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
  }

  /** Resolves once every in-flight http delivery has succeeded or given up. */
  async idle(): Promise<void> {
    while (this.inflight.size) await Promise.allSettled([...this.inflight]);
  }

  /** What the topics fanned out, oldest first. */
  inbox(filter: InboxFilter = {}): InboxItem[] {
    const since = filter.since === undefined ? undefined : new Date(filter.since).getTime();
    return this.items.filter(
      (i) =>
        (!filter.topic || i.topic === filter.topic || i.topicArn === filter.topic) &&
        (!filter.audience || i.attributes.audience === filter.audience) &&
        (!filter.siteId || i.attributes.siteId === filter.siteId) &&
        (since === undefined || Date.parse(i.publishedAt) >= since),
    );
  }

  clearInbox(): void {
    this.items = [];
    this.save();
  }

  private load(file: string) {
    let saved: Partial<State>;
    try {
      saved = JSON.parse(readFileSync(file, 'utf8')) as Partial<State>;
    } catch (cause) {
      throw new Error(`SNS emulator state ${file} is not valid JSON; move it away to start empty`, { cause });
    }
    this.topics = saved.topics ?? [];
    this.subscriptions = saved.subscriptions ?? [];
    this.items = saved.inbox ?? [];
    for (const [k, d] of saved.dedup ?? []) this.dedup.set(k, d);
    this.sequence = BigInt(saved.sequence ?? '0');
  }

  private save() {
    if (!this.opts.stateFile || this.saveTimer) return;
    this.saveTimer = setTimeout(() => this.flush(), SAVE_DEBOUNCE_MS);
    this.saveTimer.unref();
  }

  /** Write to a temp file, then rename: a crash mid-write leaves the previous state, never half a file. */
  private flush() {
    clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
    const file = this.opts.stateFile;
    if (!file) return;
    const state: State = {
      topics: this.topics,
      subscriptions: this.subscriptions,
      inbox: this.items,
      dedup: [...this.dedup],
      sequence: String(this.sequence),
    };
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(`${file}.tmp`, JSON.stringify(state));
    renameSync(`${file}.tmp`, file);
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    if (req.method !== 'POST' || (req.url ?? '/').split('?')[0] !== '/') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found');
      return;
    }
    const requestId = randomUUID();
    const reply = (status: number, xml: string) => {
      res.writeHead(status, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId });
      res.end(`<?xml version="1.0"?>${xml}`);
    };
    try {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const form = parseForm(Buffer.concat(chunks).toString('utf8'));
      const action = str(form.Action) ?? '';
      const result = this.dispatch(action, form);
      const meta = el('ResponseMetadata', el('RequestId', requestId));
      reply(200, `<${action}Response xmlns="${NS}">${result === null ? '' : el(`${action}Result`, result)}${meta}</${action}Response>`);
    } catch (e) {
      if (!(e instanceof SnsError)) this.log('sns emulator error', { error: String(e) });
      const err = e instanceof SnsError ? e : new SnsError('InternalError', 'Internal error', 500);
      const error = el('Type', err.status >= 500 ? 'Receiver' : 'Sender') + el('Code', err.code) + el('Message', esc(err.message));
      reply(err.status, `<ErrorResponse xmlns="${NS}">${el('Error', error)}${el('RequestId', requestId)}</ErrorResponse>`);
    }
  }

  /** Run one action; returns the inner XML of `<ActionResult>`, or null for actions whose reply has none. */
  private dispatch(action: string, f: Form): string | null {
    switch (action) {
      case 'CreateTopic':
        return this.createTopic(f);
      case 'ListTopics': {
        const { page, next } = this.page(this.topics, f.NextToken);
        return el('Topics', page.map((t) => el('member', el('TopicArn', esc(t.arn)))).join('')) + next;
      }
      case 'GetTopicAttributes': {
        const t = this.topic(f.TopicArn);
        const subscribed = String(this.subscriptions.filter((s) => s.topicArn === t.arn).length);
        const fifo: Record<string, string> = t.attributes.FifoTopic === 'true' ? { ContentBasedDeduplication: 'false' } : {};
        const base = { TopicArn: t.arn, Owner: this.account, DisplayName: '', SubscriptionsPending: '0', SubscriptionsDeleted: '0' };
        return el('Attributes', mapXml({ ...base, SubscriptionsConfirmed: subscribed, ...fifo, ...t.attributes }));
      }
      case 'SetTopicAttributes': {
        const t = this.topic(f.TopicArn);
        const [name, value] = [str(f.AttributeName) ?? '', str(f.AttributeValue) ?? ''];
        if (name === 'FifoTopic') throw invalid('AttributeName Reason: FifoTopic cannot be changed');
        this.checkTopicAttribute(t.name.endsWith('.fifo'), name, value);
        t.attributes[name] = value;
        this.save();
        return null;
      }
      case 'DeleteTopic': {
        // Deleting a topic that does not exist succeeds in SNS too.
        const arn = str(f.TopicArn);
        this.topics = this.topics.filter((t) => t.arn !== arn);
        this.subscriptions = this.subscriptions.filter((s) => s.topicArn !== arn);
        for (const k of this.dedup.keys()) if (k.startsWith(`${arn}|`)) this.dedup.delete(k);
        this.save();
        return null;
      }
      case 'Subscribe':
        return this.subscribe(f);
      case 'Unsubscribe': {
        const s = this.subscription(f.SubscriptionArn);
        this.subscriptions = this.subscriptions.filter((x) => x !== s);
        this.save();
        return null;
      }
      case 'ListSubscriptions':
      case 'ListSubscriptionsByTopic': {
        const all = action === 'ListSubscriptions' ? this.subscriptions : this.subscriptions.filter((s) => s.topicArn === this.topic(f.TopicArn).arn);
        const { page, next } = this.page(all, f.NextToken);
        const member = (s: Subscription) =>
          el('TopicArn', esc(s.topicArn)) +
          el('Protocol', esc(s.protocol)) +
          el('SubscriptionArn', esc(s.arn)) +
          el('Owner', this.account) +
          el('Endpoint', esc(s.endpoint));
        return el('Subscriptions', page.map((s) => el('member', member(s))).join('')) + next;
      }
      case 'GetSubscriptionAttributes': {
        const s = this.subscription(f.SubscriptionArn);
        const base = { SubscriptionArn: s.arn, TopicArn: s.topicArn, Protocol: s.protocol, Endpoint: s.endpoint, Owner: this.account };
        const confirmed = { ConfirmationWasAuthenticated: 'true', PendingConfirmation: 'false', RawMessageDelivery: 'false' };
        return el('Attributes', mapXml({ ...base, ...confirmed, ...s.attributes }));
      }
      case 'SetSubscriptionAttributes': {
        const s = this.subscription(f.SubscriptionArn);
        this.setSubscriptionAttribute(s, str(f.AttributeName) ?? '', str(f.AttributeValue) ?? '');
        this.save();
        return null;
      }
      case 'Publish': {
        const arn = f.TopicArn ?? f.TargetArn;
        if (arn === undefined) throw invalid('TopicArn or TargetArn Reason: no value for required parameter');
        const t = this.topic(arn);
        const r = this.accept(t, this.checkPublish(t, f));
        return el('MessageId', r.messageId) + (r.sequenceNumber ? el('SequenceNumber', r.sequenceNumber) : '');
      }
      case 'PublishBatch':
        return this.publishBatch(f);
      default:
        throw new SnsError('InvalidAction', `The action ${action || '(none)'} is not valid for this endpoint.`);
    }
  }

  /** A page of 100 and the `<NextToken>` for the rest; the token is the base64 offset. */
  private page<T>(items: T[], token: FormValue): { page: T[]; next: string } {
    const start = token === undefined ? 0 : Number(Buffer.from(String(token), 'base64').toString());
    if (!Number.isInteger(start) || start < 0) throw invalid('NextToken');
    const end = start + PAGE_SIZE;
    return { page: items.slice(start, end), next: end < items.length ? el('NextToken', Buffer.from(String(end)).toString('base64')) : '' };
  }

  private topic(arn: FormValue): Topic {
    const t = this.topics.find((x) => x.arn === arn);
    if (!t) throw new SnsError('NotFound', 'Topic does not exist', 404);
    return t;
  }

  private subscription(arn: FormValue): Subscription {
    const s = this.subscriptions.find((x) => x.arn === arn);
    if (!s) throw new SnsError('NotFound', 'Subscription does not exist', 404);
    return s;
  }

  private checkTopicAttribute(fifo: boolean, name: string, value: string) {
    if (!TOPIC_ATTRIBUTES.test(name)) throw invalid(`AttributeName ${name}`);
    if ((name === 'FifoTopic' || name === 'ContentBasedDeduplication') && value !== 'true' && value !== 'false') throw invalid(`${name}`);
    if (name === 'ContentBasedDeduplication' && value === 'true' && !fifo)
      throw invalid('Attributes Reason: Content-based deduplication can only be set for FIFO topics');
  }

  private createTopic(f: Form) {
    const name = str(f.Name) ?? '';
    if (!/^[A-Za-z0-9_-]{1,256}$/.test(name.replace(/\.fifo$/, '')) || name.length > 256) throw invalid('Topic Name');
    const attributes = mapOf(f.Attributes);
    const fifo = name.endsWith('.fifo');
    if (fifo !== (attributes.FifoTopic === 'true'))
      throw invalid(fifo ? 'Topic Name Reason: a .fifo topic needs FifoTopic=true' : 'Topic Name Reason: FIFO topic names must end with .fifo');
    for (const [k, v] of Object.entries(attributes)) this.checkTopicAttribute(fifo, k, v);
    const arn = `arn:aws:sns:${this.region}:${this.account}:${name}`;
    const existing = this.topics.find((t) => t.arn === arn);
    if (existing && Object.entries(attributes).some(([k, v]) => existing.attributes[k] !== v))
      throw invalid('Attributes Reason: Topic already exists with different attributes');
    if (!existing) {
      this.topics.push({ arn, name, attributes, createdAt: this.now() });
      this.save();
    }
    return el('TopicArn', esc(arn));
  }

  private setSubscriptionAttribute(s: Subscription, name: string, value: string) {
    if (!SUBSCRIPTION_ATTRIBUTES.includes(name)) throw invalid(`AttributeName ${name}`);
    const scope = (s.attributes.FilterPolicyScope ?? 'MessageAttributes') as FilterScope;
    if (name === 'FilterPolicy' && value !== '') checkPolicy(value, scope);
    if (name === 'FilterPolicyScope') {
      if (value !== 'MessageAttributes' && value !== 'MessageBody') throw invalid('FilterPolicyScope');
      // A body policy may nest, an attribute policy may not: the policy in place must still hold under the new scope.
      if (s.attributes.FilterPolicy) checkPolicy(s.attributes.FilterPolicy, value);
    }
    if (name === 'RawMessageDelivery' && value !== 'true' && value !== 'false') throw invalid('RawMessageDelivery');
    if (name === 'FilterPolicy' && value === '') delete s.attributes.FilterPolicy;
    else s.attributes[name] = value;
  }

  private subscribe(f: Form) {
    const t = this.topic(f.TopicArn);
    const protocol = str(f.Protocol) ?? '';
    const endpoint = str(f.Endpoint) ?? '';
    if (!PROTOCOLS.includes(protocol)) throw invalid('Amazon SNS does not support this protocol string');
    if ((protocol === 'http' || protocol === 'https') && !(endpoint.startsWith(`${protocol}://`) && URL.canParse(endpoint)))
      throw invalid('Endpoint Reason: must be a URL matching the protocol');
    const attributes = mapOf(f.Attributes);
    const existing = this.subscriptions.find((s) => s.topicArn === t.arn && s.protocol === protocol && s.endpoint === endpoint);
    if (existing) {
      if (Object.entries(attributes).some(([k, v]) => (existing.attributes[k] ?? '') !== v))
        throw invalid('Attributes Reason: Subscription already exists with different attributes');
      return el('SubscriptionArn', esc(existing.arn));
    }
    const s: Subscription = { arn: `${t.arn}:${randomUUID()}`, topicArn: t.arn, protocol, endpoint, attributes: {} };
    // Scope first, because the policy is validated against it.
    const rank = (k: string) => (k === 'FilterPolicyScope' ? 0 : 1);
    for (const [k, v] of Object.entries(attributes).sort(([a], [b]) => rank(a) - rank(b))) this.setSubscriptionAttribute(s, k, v);
    this.subscriptions.push(s);
    this.save();
    return el('SubscriptionArn', esc(s.arn));
  }

  /** Validate one Publish (or batch entry) without changing anything, so a batch can fail per entry. */
  private checkPublish(t: Topic, e: Form): Checked {
    const message = str(e.Message) ?? '';
    if (message === '') throw invalid('Empty message');
    const subject = str(e.Subject);
    if (subject !== undefined && !/^[\x20-\x7e]{1,99}$/.test(subject)) throw invalid('Subject');
    const attributes = messageAttributes(e.MessageAttributes);
    const attributeBytes = Object.entries(attributes).reduce((n, [k, a]) => n + Buffer.byteLength(k + a.type + a.value), 0);
    const bytes = Buffer.byteLength(message) + attributeBytes;
    if (bytes > MAX_MESSAGE_BYTES) throw invalid('Message too long');
    // Standard topics accept and ignore a MessageGroupId, as SNS now does.
    if (t.attributes.FifoTopic !== 'true') return { message, subject, attributes, bytes };
    if (!str(e.MessageGroupId)) throw invalid('The MessageGroupId parameter is required for FIFO topics');
    let dedupId = str(e.MessageDeduplicationId);
    if (!dedupId) {
      if (t.attributes.ContentBasedDeduplication !== 'true')
        throw invalid('The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly');
      dedupId = createHash('sha256').update(message).digest('hex');
    }
    return { message, subject, attributes, bytes, dedupId };
  }

  /** Record a checked message in the inbox and fan it out; a FIFO duplicate within five minutes gets the first answer again. */
  private accept(t: Topic, p: Checked): { messageId: string; sequenceNumber?: string } {
    const now = this.now();
    for (const [k, d] of this.dedup) {
      if (now - d.at < DEDUP_WINDOW_MS) break;
      this.dedup.delete(k);
    }
    const key = `${t.arn}|${p.dedupId}`;
    const seen = p.dedupId ? this.dedup.get(key) : undefined;
    if (seen) return { messageId: seen.messageId, sequenceNumber: seen.sequenceNumber };
    const messageId = randomUUID();
    const sequenceNumber = p.dedupId ? String(++this.sequence).padStart(20, '0') : undefined;
    if (sequenceNumber) this.dedup.set(key, { messageId, sequenceNumber, at: now });
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
    this.items.push(item);
    if (this.items.length > this.inboxLimit) this.items.splice(0, this.items.length - this.inboxLimit);
    this.save();
    for (const s of this.subscriptions) {
      if (s.topicArn !== t.arn || (s.protocol !== 'http' && s.protocol !== 'https')) continue;
      const policy = s.attributes.FilterPolicy ? (JSON.parse(s.attributes.FilterPolicy) as Record<string, unknown>) : undefined;
      const scope = (s.attributes.FilterPolicyScope ?? 'MessageAttributes') as FilterScope;
      if (matchesFilterPolicy(policy, { attributes: p.attributes, body: p.message }, scope)) this.deliver(s, item, p.attributes);
    }
    return { messageId, ...(sequenceNumber ? { sequenceNumber } : {}) };
  }

  /** POST the SNS envelope (or the raw message) in the background; retry network errors and 5xx, as SNS does. */
  private deliver(s: Subscription, item: InboxItem, attributes: Record<string, AttributeValue>) {
    const raw = s.attributes.RawMessageDelivery === 'true';
    const envelope = {
      Type: 'Notification',
      MessageId: item.messageId,
      TopicArn: item.topicArn,
      ...(item.subject ? { Subject: item.subject } : {}),
      Message: item.body,
      Timestamp: item.publishedAt,
      ...(item.sequenceNumber ? { SequenceNumber: item.sequenceNumber } : {}),
      SignatureVersion: '1',
      Signature: 'EXAMPLE',
      SigningCertURL: `${this.baseUrl}/SimpleNotificationService.pem`,
      UnsubscribeURL: `${this.baseUrl}/?Action=Unsubscribe&SubscriptionArn=${encodeURIComponent(s.arn)}`,
      ...(Object.keys(attributes).length
        ? { MessageAttributes: Object.fromEntries(Object.entries(attributes).map(([k, a]) => [k, { Type: a.type, Value: a.value }])) }
        : {}),
    };
    const headers = {
      'content-type': 'text/plain; charset=UTF-8',
      'x-amz-sns-message-type': 'Notification',
      'x-amz-sns-message-id': item.messageId,
      'x-amz-sns-topic-arn': item.topicArn,
      'x-amz-sns-subscription-arn': s.arn,
      ...(raw ? { 'x-amz-sns-rawdelivery': 'true' } : {}),
    };
    const init = { method: 'POST', headers, body: raw ? item.body : JSON.stringify(envelope) };
    const signal = this.shutdown.signal;
    const run = (async () => {
      let reason = '';
      for (const delay of [0, ...RETRY_DELAYS_MS]) {
        if (delay) await sleep(delay, undefined, { signal }).catch(() => undefined);
        if (signal.aborted) reason = 'emulator stopped';
        if (signal.aborted || !this.subscriptions.includes(s)) break;
        try {
          const r = await this.fetchImpl(s.endpoint, { ...init, signal: AbortSignal.any([signal, AbortSignal.timeout(DELIVERY_TIMEOUT_MS)]) });
          await r.body?.cancel().catch(() => undefined);
          if (r.ok) return;
          reason = `HTTP ${r.status}`;
          if (r.status < 500) break; // a client error will not go away by retrying
        } catch (e) {
          reason = (e as Error).message;
        }
      }
      this.log('sns delivery failed', { endpoint: s.endpoint, subscriptionArn: s.arn, messageId: item.messageId, reason });
    })();
    this.inflight.add(run);
    void run.finally(() => this.inflight.delete(run));
  }

  private publishBatch(f: Form) {
    const t = this.topic(f.TopicArn);
    const entries = numbered(obj(f.PublishBatchRequestEntries)?.member);
    if (entries.length === 0) throw new SnsError('EmptyBatchRequest', 'The batch request does not contain any entries.');
    if (entries.length > 10) throw new SnsError('TooManyEntriesInBatchRequest', 'The batch request contains more entries than permissible.');
    const ids = entries.map((e) => str(e.Id) ?? '');
    if (new Set(ids).size !== ids.length)
      throw new SnsError('BatchEntryIdsNotDistinct', 'Two or more batch entries in the request have the same Id.');
    if (ids.some((id) => !/^[A-Za-z0-9_-]{1,80}$/.test(id)))
      throw new SnsError('InvalidBatchEntryId', 'A batch entry id can only contain alphanumeric characters, hyphens and underscores.');
    const checked = entries.map((e) => {
      try {
        return this.checkPublish(t, e);
      } catch (err) {
        if (err instanceof SnsError) return err;
        throw err;
      }
    });
    const total = checked.reduce((n, c) => n + (c instanceof SnsError ? 0 : c.bytes), 0);
    if (total > MAX_MESSAGE_BYTES) throw new SnsError('BatchRequestTooLong', 'The length of all the messages put together is more than the limit.');
    const ok: string[] = [];
    const failed: string[] = [];
    checked.forEach((c, i) => {
      const id = el('Id', esc(ids[i] ?? ''));
      if (c instanceof SnsError) {
        failed.push(el('member', id + el('Code', c.code) + el('Message', esc(c.message)) + el('SenderFault', 'true')));
        return;
      }
      const r = this.accept(t, c);
      ok.push(el('member', id + el('MessageId', r.messageId) + (r.sequenceNumber ? el('SequenceNumber', r.sequenceNumber) : '')));
    });
    return el('Successful', ok.join('')) + el('Failed', failed.join(''));
  }
}

function checkPolicy(json: string, scope: FilterScope) {
  let policy: unknown;
  try {
    policy = JSON.parse(json);
  } catch {
    throw invalid('FilterPolicy: failed to parse JSON.');
  }
  try {
    validateFilterPolicy(policy, scope);
  } catch (e) {
    throw invalid(`FilterPolicy: ${(e as Error).message}`);
  }
}
