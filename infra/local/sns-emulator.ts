import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { type AttributeValue, matchesFilterPolicy, validateFilterPolicy } from './sns-filter-policy.js';
import { SnsStateFile } from './sns-state-file.js';

/*
 * A small SNS for the local stack. It speaks the query protocol `@aws-sdk/client-sns` uses: a form-encoded POST to `/`
 * (the SigV4 signature is not checked), XML replies, and the SNS error codes the SDK maps to its exception classes.
 *
 * It emulates what the stack uses (infra/lotledger-stack.ts): standard topics, Publish and PublishBatch, http/https
 * subscriptions with a string-allowlist FilterPolicy on message attributes and RawMessageDelivery, and the inbox the
 * local stack serves at /_local/notifications. Differences from SNS, on purpose:
 * - no FIFO topics (a `.fifo` name is refused), no deduplication;
 * - filter policies are string allowlists only (see sns-filter-policy.ts);
 * - subscriptions are confirmed at once (no SubscriptionConfirmation round trip), so `ReturnSubscriptionArn` is moot;
 * - only http/https endpoints receive deliveries; an sqs subscription (the stack's customer queue) is recorded and
 *   listed but never called;
 * - messages carry `Signature: "EXAMPLE"`; MessageStructure=json is ignored;
 * - failed http deliveries are retried four times within about 2 s (SNS: three times, 20 s apart), then logged.
 * With a state file, a message is on disk before its publish is answered (sns-state-file.ts).
 */

type Topic = { arn: string; name: string; attributes: Record<string, string>; createdAt: number };
type Subscription = { arn: string; topicArn: string; protocol: string; endpoint: string; attributes: Record<string, string> };
/** One accepted message, as the topic fanned it out; `attributes` maps each name to its StringValue (BinaryValue as base64). */
export type InboxItem = {
  topic: string;
  topicArn: string;
  messageId: string;
  subject?: string;
  attributes: Record<string, string>;
  body: string;
  publishedAt: string;
  /** an SMS (Publish to a PhoneNumber): the number it went to; such items are listed by `texts`, not `inbox` */
  phoneNumber?: string;
};
/** `topic` is a name or an ARN; `audience` and `siteId` must equal the message attribute of that name. */
export type InboxFilter = { topic?: string; audience?: string; siteId?: string; since?: Date | string };
type State = { topics: Topic[]; subscriptions: Subscription[]; inbox: InboxItem[] };

export type SnsEmulatorOptions = {
  region?: string;
  accountId?: string;
  /** JSON file (and its `.log` journal) that keeps topics, subscriptions and the inbox across restarts */
  stateFile?: string;
  /** the inbox keeps this many newest items (default 100,000) */
  inboxLimit?: number;
  log?: (msg: string, extra?: object) => void;
  fetchImpl?: typeof fetch;
  /** epoch ms, for the inbox's publishedAt */
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
const PAGE_SIZE = 100;
// Four attempts in about 2 s: enough for a subscriber that is restarting, short enough not to stall tests or stop().
const RETRY_DELAYS_MS = [100, 400, 1600];
const DELIVERY_TIMEOUT_MS = 5000;
// The journal keeps every message safe; the snapshot that replaces it is rewritten at most this often.
const SNAPSHOT_EVERY_MS = 1000;
const PROTOCOLS = ['http', 'https', 'sqs'];
// What the stack's topics set: displayName, masterKey, and the enforceSSL policy.
const TOPIC_ATTRIBUTES = ['DisplayName', 'KmsMasterKeyId', 'Policy'];
const SUBSCRIPTION_ATTRIBUTES = ['FilterPolicy', 'RawMessageDelivery'];

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

type Checked = { message: string; subject?: string; attributes: Record<string, AttributeValue>; bytes: number };

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
  private readonly state?: SnsStateFile<State, InboxItem>;
  private server?: Server;
  private baseUrl = '';
  private readonly inflight = new Set<Promise<void>>();
  private shutdown = new AbortController();
  private saveTimer?: NodeJS.Timeout;

  constructor(opts: SnsEmulatorOptions = {}) {
    this.region = opts.region ?? 'us-east-1';
    this.account = opts.accountId ?? '000000000000';
    this.now = opts.now ?? Date.now;
    this.fetchImpl = opts.fetchImpl ?? fetch;
    this.log = opts.log ?? (() => undefined);
    this.inboxLimit = opts.inboxLimit ?? 100_000;
    if (opts.stateFile) {
      this.state = new SnsStateFile(opts.stateFile);
      this.load(this.state);
    }
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
    this.saveNow();
    await this.state?.close();
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
        i.phoneNumber === undefined &&
        (!filter.topic || i.topic === filter.topic || i.topicArn === filter.topic) &&
        (!filter.audience || i.attributes.audience === filter.audience) &&
        (!filter.siteId || i.attributes.siteId === filter.siteId) &&
        (since === undefined || Date.parse(i.publishedAt) >= since),
    );
  }

  /**
   * The text messages sent (Publish with PhoneNumber), oldest first; with `to`, those to that number, compared by its
   * digits, so `?to=+1555...` sent unencoded (the `+` read as a space) and `+1 (555) ...` find the same texts.
   */
  texts(to?: string): InboxItem[] {
    const digits = (s: string) => s.replace(/\D/g, '');
    const want = to === undefined ? undefined : digits(to);
    return this.items.filter((i) => i.phoneNumber !== undefined && (!want || digits(i.phoneNumber) === want));
  }

  clearInbox(): void {
    this.items = [];
    this.saveNow();
  }

  /** The snapshot, then the messages journaled after it that it does not hold yet. */
  private load(state: SnsStateFile<State, InboxItem>) {
    const { snapshot, entries } = state.load();
    this.topics = snapshot.topics ?? [];
    this.subscriptions = snapshot.subscriptions ?? [];
    this.items = snapshot.inbox ?? [];
    const known = new Set(this.items.map((i) => i.messageId));
    this.items = this.items.concat(entries.filter((i) => !known.has(i.messageId)));
    this.trimInbox();
  }

  private trimInbox() {
    if (this.items.length > this.inboxLimit) this.items.splice(0, this.items.length - this.inboxLimit);
  }

  /** Rewrite the snapshot soon: the journal already holds what changed. */
  private saveSoon() {
    if (!this.state || this.saveTimer) return;
    this.saveTimer = setTimeout(() => this.saveNow(), SNAPSHOT_EVERY_MS);
    this.saveTimer.unref();
  }

  /** Rewrite the snapshot now; topic and subscription changes are on disk before they are answered. */
  private saveNow() {
    clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
    this.state?.snapshot({ topics: this.topics, subscriptions: this.subscriptions, inbox: this.items });
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
        const base = { TopicArn: t.arn, Owner: this.account, DisplayName: '', SubscriptionsPending: '0', SubscriptionsDeleted: '0' };
        return el('Attributes', mapXml({ ...base, SubscriptionsConfirmed: subscribed, ...t.attributes }));
      }
      case 'SetTopicAttributes': {
        const t = this.topic(f.TopicArn);
        const name = str(f.AttributeName) ?? '';
        checkTopicAttribute(name);
        t.attributes[name] = str(f.AttributeValue) ?? '';
        this.saveNow();
        return null;
      }
      case 'DeleteTopic': {
        // Deleting a topic that does not exist succeeds in SNS too.
        const arn = str(f.TopicArn);
        this.topics = this.topics.filter((t) => t.arn !== arn);
        this.subscriptions = this.subscriptions.filter((s) => s.topicArn !== arn);
        this.saveNow();
        return null;
      }
      case 'Subscribe':
        return this.subscribe(f);
      case 'Unsubscribe': {
        const s = this.subscription(f.SubscriptionArn);
        this.subscriptions = this.subscriptions.filter((x) => x !== s);
        this.saveNow();
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
        setSubscriptionAttribute(s, str(f.AttributeName) ?? '', str(f.AttributeValue) ?? '');
        this.saveNow();
        return null;
      }
      case 'Publish': {
        const phone = str(f.PhoneNumber);
        if (phone !== undefined) return el('MessageId', esc(this.text(phone, checkPublish(f))));
        const arn = f.TopicArn ?? f.TargetArn;
        if (arn === undefined) throw invalid('TopicArn or TargetArn Reason: no value for required parameter');
        const [item] = this.accept(this.topic(arn), [checkPublish(f)]);
        return el('MessageId', item?.messageId ?? '');
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

  private createTopic(f: Form) {
    const name = str(f.Name) ?? '';
    if (!/^[A-Za-z0-9_-]{1,256}$/.test(name)) throw invalid('Topic Name');
    const attributes = mapOf(f.Attributes);
    for (const k of Object.keys(attributes)) checkTopicAttribute(k);
    const arn = `arn:aws:sns:${this.region}:${this.account}:${name}`;
    const existing = this.topics.find((t) => t.arn === arn);
    if (existing && Object.entries(attributes).some(([k, v]) => existing.attributes[k] !== v))
      throw invalid('Attributes Reason: Topic already exists with different attributes');
    if (!existing) {
      this.topics.push({ arn, name, attributes, createdAt: this.now() });
      this.saveNow();
    }
    return el('TopicArn', esc(arn));
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
    for (const [k, v] of Object.entries(attributes)) setSubscriptionAttribute(s, k, v);
    this.subscriptions.push(s);
    this.saveNow();
    return el('SubscriptionArn', esc(s.arn));
  }

  /**
   * Record checked messages in the inbox, on disk before the caller answers, then fan each out to the http/https
   * subscribers whose filter policy it passes.
   */
  private accept(t: Topic, checked: Checked[]): InboxItem[] {
    const publishedAt = new Date(this.now()).toISOString();
    const items = checked.map(
      (p): InboxItem => ({
        topic: t.name,
        topicArn: t.arn,
        messageId: randomUUID(),
        ...(p.subject ? { subject: p.subject } : {}),
        attributes: Object.fromEntries(Object.entries(p.attributes).map(([k, a]) => [k, a.value])),
        body: p.message,
        publishedAt,
      }),
    );
    this.state?.append(items);
    this.items.push(...items);
    this.trimInbox();
    this.saveSoon();
    const subscribers = this.subscriptions.filter((s) => s.topicArn === t.arn && (s.protocol === 'http' || s.protocol === 'https'));
    items.forEach((item, i) => {
      const attributes = checked[i]?.attributes ?? {};
      for (const s of subscribers) {
        const policy = s.attributes.FilterPolicy ? (JSON.parse(s.attributes.FilterPolicy) as Record<string, string[]>) : undefined;
        if (matchesFilterPolicy(policy, attributes)) this.deliver(s, item, attributes);
      }
    });
    return items;
  }

  /** Record a text message (SNS SMS), on disk before the publish is answered, as topic messages are. */
  private text(phone: string, p: Checked): string {
    if (!/^\+[1-9]\d{6,14}$/.test(phone)) throw invalid('PhoneNumber Reason: must be in E.164 form');
    if (Buffer.byteLength(p.message) > 1600) throw invalid('Message too long for SMS');
    const item: InboxItem = {
      topic: '',
      topicArn: '',
      messageId: randomUUID(),
      attributes: Object.fromEntries(Object.entries(p.attributes).map(([k, a]) => [k, a.value])),
      body: p.message,
      publishedAt: new Date(this.now()).toISOString(),
      phoneNumber: phone,
    };
    this.state?.append([item]);
    this.items.push(item);
    this.trimInbox();
    this.saveSoon();
    return item.messageId;
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
        return checkPublish(e);
      } catch (err) {
        if (err instanceof SnsError) return err;
        throw err;
      }
    });
    const total = checked.reduce((n, c) => n + (c instanceof SnsError ? 0 : c.bytes), 0);
    if (total > MAX_MESSAGE_BYTES) throw new SnsError('BatchRequestTooLong', 'The length of all the messages put together is more than the limit.');
    const good = checked.flatMap((c, i) => (c instanceof SnsError ? [] : [{ c, id: ids[i] ?? '' }]));
    const accepted = this.accept(
      t,
      good.map((g) => g.c),
    );
    const ok = good.map((g, i) => el('member', el('Id', esc(g.id)) + el('MessageId', accepted[i]?.messageId ?? '')));
    const failed = checked.flatMap((c, i) =>
      c instanceof SnsError
        ? [el('member', el('Id', esc(ids[i] ?? '')) + el('Code', c.code) + el('Message', esc(c.message)) + el('SenderFault', 'true'))]
        : [],
    );
    return el('Successful', ok.join('')) + el('Failed', failed.join(''));
  }
}

const checkTopicAttribute = (name: string) => {
  if (!TOPIC_ATTRIBUTES.includes(name)) throw invalid(`AttributeName ${name}`);
};

function setSubscriptionAttribute(s: Subscription, name: string, value: string) {
  if (!SUBSCRIPTION_ATTRIBUTES.includes(name)) throw invalid(`AttributeName ${name}`);
  if (name === 'FilterPolicy' && value !== '') checkPolicy(value);
  if (name === 'RawMessageDelivery' && value !== 'true' && value !== 'false') throw invalid('RawMessageDelivery');
  if (name === 'FilterPolicy' && value === '') delete s.attributes.FilterPolicy;
  else s.attributes[name] = value;
}

/** Validate one Publish (or batch entry) without changing anything, so a batch can fail per entry. */
function checkPublish(e: Form): Checked {
  const message = str(e.Message) ?? '';
  if (message === '') throw invalid('Empty message');
  const subject = str(e.Subject);
  if (subject !== undefined && !/^[\x20-\x7e]{1,99}$/.test(subject)) throw invalid('Subject');
  const attributes = messageAttributes(e.MessageAttributes);
  const attributeBytes = Object.entries(attributes).reduce((n, [k, a]) => n + Buffer.byteLength(k + a.type + a.value), 0);
  const bytes = Buffer.byteLength(message) + attributeBytes;
  if (bytes > MAX_MESSAGE_BYTES) throw invalid('Message too long');
  return { message, subject, attributes, bytes };
}

function checkPolicy(json: string) {
  let policy: unknown;
  try {
    policy = JSON.parse(json);
  } catch {
    throw invalid('FilterPolicy: failed to parse JSON.');
  }
  try {
    validateFilterPolicy(policy);
  } catch (e) {
    throw invalid(`FilterPolicy: ${(e as Error).message}`);
  }
}
