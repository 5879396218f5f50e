import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';

/**
 * A minimal SQS for the local stack, speaking the JSON protocol `@aws-sdk/client-sqs` v3 uses (POST, `x-amz-target:
 * AmazonSQS.<Action>`, `application/x-amz-json-1.0`). It knows SendMessage, SendMessageBatch and GetQueueUrl; each
 * message goes, as an SQS event of one record, to the consumer registered for its queue, as Lambda's event source
 * mapping would deliver it. A record the consumer reports as failed (partial batch response) or that throws is
 * redelivered after `retryMs`, up to `maxReceiveCount` receives, then parked in `deadLetters` (the local DLQ).
 * A consumer's `concurrency` bounds its deliveries in flight, the rest waiting in arrival order.
 * Not emulated: visibility timeouts, ReceiveMessage, FIFO queues, message attributes (accepted and dropped).
 */
export type QueueConsumer = {
  maxReceiveCount: number;
  /** deliveries in flight at once, as an event source mapping's maximum concurrency (default: no bound) */
  concurrency?: number;
  handle(event: SQSEvent): Promise<SQSBatchResponse | undefined | unknown>;
};
type Message = { messageId: string; body: string; queue: string; receives: number; sentAt: number };

const ACCOUNT = '000000000000';

class SqsError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

export class SqsEmulator {
  private server?: Server;
  private url = '';
  private readonly consumers = new Map<string, QueueConsumer>();
  private readonly inFlight = new Set<Promise<void>>();
  private stopped = false;
  /** messages that failed every receive, per queue */
  readonly deadLetters: { queue: string; messageId: string; body: string; error?: string }[] = [];

  constructor(
    private readonly opts: {
      region: string;
      /** deliver messages as they arrive (off: they wait for `drain`) */
      autoDeliver: boolean;
      retryMs?: number;
      log?: (msg: string, extra?: object) => void;
    },
  ) {}

  private readonly waiting: Message[] = [];
  /** per queue: deliveries in flight, and messages waiting for one of them to end (a bounded consumer) */
  private readonly active = new Map<string, number>();
  private readonly backlog = new Map<string, Message[]>();

  /** Register the consumer of a queue (the queue exists once it has one). */
  register(queue: string, consumer: QueueConsumer) {
    this.consumers.set(queue, consumer);
  }

  queueUrl = (queue: string) => `${this.url}/${ACCOUNT}/${queue}`;

  async start(port = 0): Promise<string> {
    this.server = createServer((req, res) => void this.onRequest(req, res));
    await new Promise<void>((ok, fail) => {
      this.server?.once('error', fail);
      this.server?.listen(port, '127.0.0.1', () => ok());
    });
    const addr = this.server.address();
    this.url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : port}`;
    return this.url;
  }

  /** Deliver every waiting message now and wait for all deliveries (and their retries) to finish. */
  async drain(): Promise<void> {
    for (let m = this.waiting.shift(); m; m = this.waiting.shift()) this.deliver(m);
    while (this.inFlight.size) await Promise.all([...this.inFlight]);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all([...this.inFlight]).catch(() => undefined);
    await new Promise<void>((ok) => {
      if (!this.server) return ok();
      this.server.close(() => ok());
      this.server.closeAllConnections();
    });
  }

  private deliver(m: Message) {
    const consumer = this.consumers.get(m.queue);
    if (!consumer) return;
    const busy = this.active.get(m.queue) ?? 0;
    if (consumer.concurrency !== undefined && busy >= consumer.concurrency) {
      const list = this.backlog.get(m.queue) ?? [];
      list.push(m);
      this.backlog.set(m.queue, list);
      return;
    }
    this.active.set(m.queue, busy + 1);
    const run = (async () => {
      m.receives++;
      const event: SQSEvent = {
        Records: [
          {
            messageId: m.messageId,
            receiptHandle: randomUUID(),
            body: m.body,
            attributes: {
              ApproximateReceiveCount: String(m.receives),
              SentTimestamp: String(m.sentAt),
              SenderId: ACCOUNT,
              ApproximateFirstReceiveTimestamp: String(m.sentAt),
            },
            messageAttributes: {},
            md5OfBody: md5(m.body),
            eventSource: 'aws:sqs',
            eventSourceARN: `arn:aws:sqs:${this.opts.region}:${ACCOUNT}:${m.queue}`,
            awsRegion: this.opts.region,
          },
        ],
      };
      let error: string | undefined;
      try {
        const r = (await consumer.handle(event)) as SQSBatchResponse | undefined;
        if (r?.batchItemFailures?.length) error = 'reported as failed';
      } catch (e) {
        error = String(e);
      }
      this.release(m.queue);
      if (!error) return;
      if (m.receives >= consumer.maxReceiveCount || this.stopped) {
        this.deadLetters.push({ queue: m.queue, messageId: m.messageId, body: m.body, error });
        this.opts.log?.('sqs message moved to the dead-letter list', { queue: m.queue, messageId: m.messageId, error });
        return;
      }
      await new Promise((r) => setTimeout(r, this.opts.retryMs ?? 1000));
      if (!this.stopped) this.deliver(m);
    })();
    this.inFlight.add(run);
    void run.finally(() => this.inFlight.delete(run));
  }

  /** A delivery of `queue` ended (its handler, not the wait before a retry): its slot goes to the next waiting message. */
  private release(queue: string) {
    this.active.set(queue, Math.max(0, (this.active.get(queue) ?? 1) - 1));
    const next = this.backlog.get(queue)?.shift();
    if (next) this.deliver(next);
  }

  private send(queue: string, body: string) {
    if (!this.consumers.has(queue)) throw new SqsError('AWS.SimpleQueueService.NonExistentQueue', `The queue ${queue} does not exist`);
    if (typeof body !== 'string' || body.length === 0) throw new SqsError('InvalidParameterValue', 'MessageBody is required');
    if (Buffer.byteLength(body) > 256 * 1024) throw new SqsError('InvalidParameterValue', 'MessageBody is larger than 256 KiB');
    const m: Message = { messageId: randomUUID(), body, queue, receives: 0, sentAt: Date.now() };
    if (this.opts.autoDeliver) setImmediate(() => this.deliver(m));
    else this.waiting.push(m);
    return { MessageId: m.messageId, MD5OfMessageBody: md5(body) };
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse) {
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': randomUUID() });
      res.end(JSON.stringify(body));
    };
    try {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const target = String(req.headers['x-amz-target'] ?? '');
      const input = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
      const queueOf = (url: unknown) => {
        if (typeof url !== 'string') throw new SqsError('InvalidParameterValue', 'QueueUrl is required');
        return url.split('/').filter(Boolean).at(-1) ?? '';
      };
      switch (target) {
        case 'AmazonSQS.SendMessage':
          return reply(200, this.send(queueOf(input.QueueUrl), input.MessageBody as string));
        case 'AmazonSQS.SendMessageBatch': {
          const queue = queueOf(input.QueueUrl);
          const entries = (input.Entries as { Id: string; MessageBody: string }[]) ?? [];
          const Successful = entries.map((e) => ({ Id: e.Id, ...this.send(queue, e.MessageBody) }));
          return reply(200, { Successful, Failed: [] });
        }
        case 'AmazonSQS.GetQueueUrl': {
          const name = String(input.QueueName ?? '');
          if (!this.consumers.has(name)) throw new SqsError('AWS.SimpleQueueService.NonExistentQueue', `The queue ${name} does not exist`);
          return reply(200, { QueueUrl: this.queueUrl(name) });
        }
        default:
          throw new SqsError('InvalidAction', `${target || 'the request'} is not supported by the local SQS emulator`);
      }
    } catch (e) {
      const err = e instanceof SqsError ? e : new SqsError('InternalFailure', String(e));
      reply(err.type === 'InternalFailure' ? 500 : 400, { __type: err.type, message: err.message });
    }
  }
}

const md5 = (s: string) => createHash('md5').update(s, 'utf8').digest('hex');
