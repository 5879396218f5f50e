import type { Context } from 'aws-lambda';
import { JOBS, type Job } from '../jobs.js';
import { lambdaContext } from './lambda-event.js';
import type { SqsEmulator } from './sqs-emulator.js';

type AnyHandler = (event: unknown, context: Context) => Promise<unknown>;
const load = async (name: string): Promise<AnyHandler> => ((await import(`../../functions/${name}.ts`)) as { handler: AnyHandler }).handler;

/** The local queue behind each queue-fed job kind; its URL goes into the env key the senders read. */
export const LOCAL_QUEUES = {
  'export-queue': { queue: 'lotledger-exports', env: 'EXPORT_QUEUE_URL' },
  'notify-queue': { queue: 'lotledger-notify', env: 'NOTIFY_QUEUE_URL' },
} as const;

/** Notifier runs in flight at once on the local stack (the cloud's event source allows maxConcurrency). */
const LOCAL_NOTIFIERS = 4;

/**
 * Register every `export-queue` job of JOBS as the consumer of its local queue on the SQS emulator (the stand-in for
 * the cloud's SqsEventSource); returns the env the senders need (`EXPORT_QUEUE_URL`).
 */
export function registerQueueConsumers(sqs: SqsEmulator, jobs: readonly Job[] = JOBS): Record<string, string> {
  const env: Record<string, string> = {};
  for (const job of jobs) {
    if (job.kind !== 'export-queue' && job.kind !== 'notify-queue') continue;
    const q = LOCAL_QUEUES[job.kind];
    sqs.register(q.queue, {
      maxReceiveCount: job.maxReceiveCount,
      // the notifier as its event source bounds it, and no more than this machine's few cores can use
      ...(job.kind === 'notify-queue' ? { concurrency: Math.min(job.maxConcurrency, LOCAL_NOTIFIERS) } : {}),
      handle: async (event) => (await load(job.handler))(event, lambdaContext(job.handler, job.timeoutSeconds * 1000)),
    });
    env[q.env] = sqs.queueUrl(q.queue);
  }
  return env;
}
