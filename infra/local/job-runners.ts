import { randomUUID } from 'node:crypto';
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { LotKey } from '../../lib/domain/ledger.js';
import { JOBS, type Job } from '../jobs.js';
import { lambdaContext } from './lambda-event.js';
import type { LotHeadWrites } from './lot-head-writes.js';

type AnyHandler = (event: unknown, context: Context) => Promise<unknown>;

const load = async (name: string): Promise<AnyHandler> => ((await import(`../../functions/${name}.ts`)) as { handler: AnyHandler }).handler;

/** Does one EventBridge cron field (`*`, `N`, `a/b`, `a,b`) match a value? */
export function cronFieldMatches(field: string, value: number): boolean {
  return field.split(',').some((part) => {
    if (part === '*') return true;
    const [from, step] = part.split('/');
    if (step !== undefined) return value >= Number(from === '*' ? 0 : from) && (value - Number(from === '*' ? 0 : from)) % Number(step) === 0;
    return Number(part) === value;
  });
}

/** Milliseconds until the next UTC minute matching a cron's `minute` and `hour` fields (days are always `*`). */
export function msUntilNext(cron: { minute: string; hour: string }, now: Date): number {
  const t = new Date(now.getTime());
  t.setUTCSeconds(0, 0);
  for (let i = 0; i < 2 * 24 * 60; i++) {
    t.setUTCMinutes(t.getUTCMinutes() + 1);
    if (cronFieldMatches(cron.minute, t.getUTCMinutes()) && cronFieldMatches(cron.hour, t.getUTCHours())) return t.getTime() - now.getTime();
  }
  throw new Error(`cron ${cron.minute} ${cron.hour} never matches`);
}

/** The EventBridge scheduled event a cloud rule would send. */
export const scheduledEvent = (job: Job, at = new Date()) => ({
  version: '0',
  id: randomUUID(),
  'detail-type': 'Scheduled Event',
  source: 'aws.events',
  account: '000000000000',
  time: at.toISOString(),
  region: process.env.AWS_REGION ?? 'us-east-1',
  resources: [`arn:aws:events:us-east-1:000000000000:rule/${job.name}`],
  detail: {},
});

/** A DynamoDB stream batch of lot-head records, as the cloud's filtered event source mapping would deliver it. */
export const lotHeadStreamEvent = (lots: readonly LotKey[]) => ({
  Records: lots.map((l) => ({
    eventSource: 'aws:dynamodb',
    eventName: 'MODIFY' as const,
    dynamodb: {
      Keys: { pk: { S: `LOT#${l.gtin}#${l.lot}` }, sk: { S: 'LOT' } },
      NewImage: { pk: { S: `LOT#${l.gtin}#${l.lot}` }, sk: { S: 'LOT' }, entity: { S: 'lot' }, gtin: { S: l.gtin }, lot: { S: l.lot } },
    },
  })),
});

/** A DynamoDB stream batch of pending-entry records (one per lot), as the sequencer's filtered event source would deliver it. */
export const pendingStreamEvent = (lots: readonly LotKey[]) => ({
  Records: lots.map((l) => ({
    eventSource: 'aws:dynamodb',
    eventName: 'INSERT' as const,
    dynamodb: {
      Keys: { pk: { S: `LOT#${l.gtin}#${l.lot}` }, sk: { S: 'PEND#' } },
      NewImage: { pk: { S: `LOT#${l.gtin}#${l.lot}` }, entity: { S: 'pending' }, gtin: { S: l.gtin }, lot: { S: l.lot } },
    },
  })),
});

/** An SQS event carrying one S3 ObjectCreated notification, as the cloud's bucket → queue → Lambda path delivers it. */
export function s3NotificationAsSqs(bucket: string, key: string, size: number, eTag: string): SQSEvent {
  const s3Event = {
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: process.env.AWS_REGION ?? 'us-east-1',
        eventTime: new Date().toISOString(),
        eventName: 'ObjectCreated:Put',
        s3: {
          s3SchemaVersion: '1.0',
          bucket: { name: bucket, arn: `arn:aws:s3:::${bucket}` },
          object: { key: encodeURIComponent(key).replace(/%2F/g, '/'), size, eTag },
        },
      },
    ],
  };
  return {
    Records: [
      {
        messageId: randomUUID(),
        receiptHandle: randomUUID(),
        body: JSON.stringify(s3Event),
        attributes: {
          ApproximateReceiveCount: '1',
          SentTimestamp: String(Date.now()),
          SenderId: 'local',
          ApproximateFirstReceiveTimestamp: String(Date.now()),
        },
        messageAttributes: {},
        md5OfBody: '',
        eventSource: 'aws:sqs',
        eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:local-ingest',
        awsRegion: process.env.AWS_REGION ?? 'us-east-1',
      },
    ],
  };
}

export type JobRunner = {
  /** run a scheduled job now, as its daily timer would */
  runSchedule(name: string): Promise<unknown>;
  /** look for new batch files once and process them; resolves when done */
  pollIngest(): Promise<number>;
  /** run a table-stream job now, as a stream batch would (its handlers read what they need from the table) */
  runStream(name: string): Promise<unknown>;
  /** hand the lot heads written since the last run to the lot-head stream jobs now, as the anchor poller does */
  pollLotHeads(): Promise<void>;
  /** hand the lots with pending entries written since the last run to the sequencer now, as its poller does */
  pollPending(): Promise<void>;
  stop(): Promise<void>;
};

/**
 * The local stand-in for EventBridge rules and the S3 → SQS → Lambda path: daily timers for schedule jobs, and a poller
 * that hands each new object under an ingest job's prefix to its handler as an SQS event. Handlers are the same files.
 */
export function startJobRunners(opts: {
  enabled: boolean;
  log: (msg: string, extra?: object) => void;
  /** the stack's S3 client and ingest bucket, listed for new batch files */
  s3: S3Client;
  ingestBucket: string;
  pollMs?: number;
  streamPollMs?: number;
  /** the lot heads written through the stack's DynamoDB client, and how often to hand them on (the anchor interval) */
  lotHeads?: { writes: LotHeadWrites; pollMs: number };
  /** the pending entries written through the stack's client, and how often to hand them to the sequencer */
  pending?: { writes: LotHeadWrites; pollMs: number };
  jobs?: readonly Job[];
}): JobRunner {
  const jobs = opts.jobs ?? JOBS;
  const timers: NodeJS.Timeout[] = [];
  const seen = new Map<string, string>(); // key -> etag handed over successfully
  let stopped = false;
  let polling: Promise<number> | undefined;

  const runSchedule = async (name: string) => {
    const job = jobs.find((j) => j.name === name && j.kind === 'schedule');
    if (!job) throw new Error(`No scheduled job ${name}`);
    return (await load(job.handler))(scheduledEvent(job), lambdaContext(job.handler, 900_000));
  };

  const runStream = async (name: string) => {
    const job = jobs.find((j) => j.name === name && j.kind === 'table-stream');
    if (!job) throw new Error(`No table-stream job ${name}`);
    return (await load(job.handler))({ Records: [] }, lambdaContext(job.handler, 900_000));
  };

  /** Jobs fed by lot-head records run off LotHeadWrites at the anchor interval instead of the 250 ms outbox poll. */
  const onLotHeads = (j: Job) => j.kind === 'table-stream' && j.entities.includes('lot') && opts.lotHeads !== undefined;
  let lotHeadRun: Promise<void> | undefined;
  const lotHeadsOnce = async () => {
    const writes = opts.lotHeads?.writes;
    const lots = writes?.drain() ?? [];
    if (!writes || lots.length === 0) return;
    for (const job of jobs.filter(onLotHeads))
      await (await load(job.handler))(lotHeadStreamEvent(lots), lambdaContext(job.handler, 900_000)).catch((e: unknown) => {
        for (const l of lots) writes.add(l); // as a failed stream batch is retried
        opts.log('stream job failed', { job: job.name, error: String(e) });
      });
  };
  const pollLotHeads = () => {
    lotHeadRun ??= lotHeadsOnce().finally(() => {
      lotHeadRun = undefined;
    });
    return lotHeadRun;
  };

  /** Jobs fed by pending-entry records (the sequencer) run off the pending writes every `pending.pollMs`. */
  const onPending = (j: Job) => j.kind === 'table-stream' && j.entities.includes('pending') && opts.pending !== undefined;
  let pendingRun: Promise<void> | undefined;
  const pendingOnce = async () => {
    const writes = opts.pending?.writes;
    const lots = writes?.drain() ?? [];
    if (!writes || lots.length === 0) return;
    for (const job of jobs.filter(onPending))
      await (await load(job.handler))(pendingStreamEvent(lots), lambdaContext(job.handler, 900_000)).catch((e: unknown) => {
        for (const l of lots) writes.add(l); // as a failed stream batch is retried
        opts.log('stream job failed', { job: job.name, error: String(e) });
      });
  };
  const pollPending = () => {
    pendingRun ??= pendingOnce().finally(() => {
      pendingRun = undefined;
    });
    return pendingRun;
  };

  const pollOnce = async (): Promise<number> => {
    const { s3, ingestBucket: bucket } = opts;
    let handed = 0;
    for (const job of jobs) {
      if (job.kind !== 'ingest-queue') continue;
      let token: string | undefined;
      do {
        const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: job.prefix, ContinuationToken: token }));
        for (const o of page.Contents ?? []) {
          if (!o.Key || o.Key.endsWith('/') || seen.get(o.Key) === o.ETag) continue;
          const res = (await (
            await load(job.handler)
          )(s3NotificationAsSqs(bucket, o.Key, o.Size ?? 0, o.ETag ?? ''), lambdaContext(job.handler, 900_000))) as SQSBatchResponse | undefined;
          if (!res?.batchItemFailures?.length) seen.set(o.Key, o.ETag ?? '');
          else opts.log('batch file failed; will retry', { key: o.Key });
          handed++;
        }
        token = page.NextContinuationToken;
      } while (token && !stopped);
    }
    return handed;
  };

  const pollIngest = () => {
    polling ??= pollOnce().finally(() => {
      polling = undefined;
    });
    return polling;
  };

  if (opts.enabled) {
    for (const job of jobs) {
      if (job.kind === 'schedule') {
        const arm = () => {
          const t = setTimeout(
            async () => {
              await runSchedule(job.name).catch((e) => opts.log('scheduled job failed', { job: job.name, error: String(e) }));
              if (!stopped) arm();
            },
            msUntilNext(job.cron, new Date()),
          );
          t.unref();
          timers.push(t);
        };
        arm();
      }
    }
    // DynamoDB Local has streams, but a poll of the outbox is simpler and just as prompt for one developer's stack.
    for (const job of jobs) {
      if (job.kind !== 'table-stream' || onLotHeads(job) || onPending(job)) continue;
      const tick = async () => {
        await runStream(job.name).catch((e) => opts.log('stream job failed', { job: job.name, error: String(e) }));
        if (!stopped) {
          const t = setTimeout(tick, opts.streamPollMs ?? 250);
          t.unref();
          timers.push(t);
        }
      };
      void tick();
    }
    const lotHeads = opts.lotHeads;
    if (lotHeads && jobs.some(onLotHeads)) {
      // First the safety net (no Records) for heads written while the stack was down, then the interval poller.
      for (const job of jobs.filter(onLotHeads))
        void load(job.handler)
          .then((h) => h(scheduledEvent(job), lambdaContext(job.handler, 900_000)))
          .catch((e) => opts.log('stream job failed', { job: job.name, error: String(e) }));
      const t = setInterval(() => void pollLotHeads(), lotHeads.pollMs);
      t.unref();
      timers.push(t);
    }
    const pending = opts.pending;
    if (pending && jobs.some(onPending)) {
      // The sweep (no Records) first, for entries accepted while the stack was down, and then as its schedule says.
      const sweep = () => {
        for (const job of jobs.filter(onPending))
          void load(job.handler)
            .then((h) => h(scheduledEvent(job), lambdaContext(job.handler, 900_000)))
            .catch((e) => opts.log('stream job failed', { job: job.name, error: String(e) }));
      };
      sweep();
      const swept = setInterval(sweep, 60_000);
      swept.unref();
      timers.push(swept);
      const t = setInterval(() => void pollPending(), pending.pollMs);
      t.unref();
      timers.push(t);
    }
    if (jobs.some((j) => j.kind === 'ingest-queue')) {
      const tick = async () => {
        await pollIngest().catch((e) => opts.log('ingest poll failed', { error: String(e) }));
        if (!stopped) {
          const t = setTimeout(tick, opts.pollMs ?? 2000);
          t.unref();
          timers.push(t);
        }
      };
      void tick();
    }
  }

  return {
    runSchedule,
    pollIngest,
    runStream,
    pollLotHeads,
    pollPending,
    stop: async () => {
      stopped = true;
      for (const t of timers) clearTimeout(t);
      await polling?.catch(() => undefined);
      await lotHeadRun;
      await pendingRun;
    },
  };
}
