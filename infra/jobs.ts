import { anchorSeconds } from '../lib/config.js';
import type { Access, EnvKey } from './routes.js';

/** EventBridge cron fields (UTC): a number, `*`, `a/b` (every b from a) or `a,b` */
export type Cron = { minute: string; hour: string };

/** Seconds an anchor run itself may take: the stream batches for the rest of the anchor interval. */
const ANCHOR_RUN_SECONDS = 30;
/** The anchor job's stream batching window: within LOTLEDGER_ANCHOR_SECONDS, at most Lambda's 300 s. */
export const anchorWindowSeconds = (interval = anchorSeconds()) => Math.max(0, Math.min(interval - ANCHOR_RUN_SECONDS, 300));

/** What every job has: its name, its file under functions/, what it may touch and the env keys it reads. */
type JobBase = { name: string; handler: string; access: Access; env?: readonly EnvKey[] };

/**
 * Functions that are not behind the HTTP API. The CDK stack builds each with its trigger, a dead-letter queue
 * and an alarm on that queue; the local stack runs the same handlers on its own timer or poller.
 */
export type Job = JobBase &
  (
    | {
        kind: 'schedule';
        cron: Cron;
      }
    | {
        kind: 'table-stream';
        /** only stream records whose new image has one of these `entity` values trigger the function */
        entities: readonly string[];
        /** how long the event source mapping gathers records before it invokes (default 1 s) */
        batchWindowSeconds?: number;
        /** a schedule that also invokes the same function with no Records: a safety net for batches lost to the DLQ */
        sweep?: Cron;
        /** one invocation at a time (reserved concurrency 1), for jobs whose output is a chain */
        oneAtATime?: boolean;
      }
    | {
        /** the recall notifier's queue (POST /recalls sends shards to it, NOTIFY_QUEUE_URL); DLQ after maxReceiveCount */
        kind: 'notify-queue';
        batchSize: number;
        maxReceiveCount: number;
        timeoutSeconds: number;
        /** the event source's maximum concurrency: enough notifiers for a national recall, bounded for SES's rate */
        maxConcurrency: number;
      }
    | {
        kind: 'ingest-queue';
        /** S3 key prefix in the ingest bucket whose ObjectCreated events feed the queue */
        prefix: string;
      }
    | {
        /**
         * The consumer of the export queue (the queue routes with `exportQueue: 'send'` put jobs on). The stack builds the
         * queue (its URL is EXPORT_QUEUE_URL), a DLQ after `maxReceiveCount` receives with an alarm, and an SQS event
         * source with `batchSize` and reportBatchItemFailures. Locally the stack's SQS emulator delivers to the handler.
         */
        kind: 'export-queue';
        /** messages per invocation: 1, so each export has the whole timeout */
        batchSize: number;
        /** receives before a message goes to the DLQ */
        maxReceiveCount: number;
        /** the function's timeout; the queue's visibility timeout should be six times this */
        timeoutSeconds: number;
        /** the function's memory; exports stream, so this bounds nothing but speed (Lambda's CPU grows with it) */
        memoryMb: number;
        /**
         * V8's old-space limit (`--max-old-space-size` in NODE_OPTIONS). The export's live data is small and bounded
         * (rows of about three days, one record per lot); without a limit V8 sizes the heap from the machine's memory
         * and lets garbage pile up. `npm run bench` runs its export worker with the same limit.
         */
        maxHeapMb: number;
      }
  );

/** What the recall notifier may do: the only function that reads contact details and sends email and SMS. */
const NOTIFIER_ACCESS: Access = { table: { write: ['recall'] }, recallTopic: 'publish', notifyQueue: 'send', contacts: 'read-and-send' };
const NOTIFIER_ENV: readonly EnvKey[] = [
  'RECALL_TOPIC_ARN',
  'NOTIFY_QUEUE_URL',
  'CONSOLE_URL',
  'RECALLING_FIRM_NAME',
  'RECALLING_FIRM_PHONE',
  'RECALLING_FIRM_EMAIL',
  'SES_CONFIGURATION_SET',
];

export const JOBS: readonly Job[] = [
  {
    kind: 'schedule',
    name: 'daily-ledger-verify',
    handler: 'verify-ledger-job',
    cron: { minute: '15', hour: '2' },
    // Reads the latest checkpoint (ListBucket + GetObject) to compare the chains with it.
    access: { table: 'read', alertsTopic: 'publish', exportBucket: ['read'] },
    env: ['ALERTS_TOPIC_ARN', 'EXPORT_BUCKET'],
  },
  {
    // The fan-out: one message per shard of recipients; writes their notices and sends them (topic, email, SMS).
    kind: 'notify-queue',
    name: 'recall-notifier',
    handler: 'recall-notifier',
    batchSize: 1,
    maxReceiveCount: 5,
    timeoutSeconds: 300,
    maxConcurrency: 50,
    access: NOTIFIER_ACCESS,
    env: NOTIFIER_ENV,
  },
  {
    // The outbox: retries, follow-ups and reroutes, sent as soon as they are written.
    kind: 'table-stream',
    name: 'recall-notice-publisher',
    handler: 'recall-notifier',
    entities: ['notice'],
    access: NOTIFIER_ACCESS,
    env: NOTIFIER_ENV,
  },
  {
    // Sweeper: notices whose retry came due later, and shards whose message or run was lost.
    kind: 'schedule',
    name: 'recall-notice-sweeper',
    handler: 'recall-notifier',
    cron: { minute: '0/5', hour: '*' },
    access: NOTIFIER_ACCESS,
    env: NOTIFIER_ENV,
  },
  {
    kind: 'schedule',
    name: 'recall-follow-ups',
    handler: 'recall-follow-ups-job',
    cron: { minute: '30', hour: '*' },
    // Class I non-responders are reported on the alerts topic.
    access: { table: { write: ['recall'] }, alertsTopic: 'publish' },
    env: ['ALERTS_TOPIC_ARN'],
  },
  {
    kind: 'ingest-queue',
    name: 'batch-file-ingest',
    handler: 'ingest-file',
    prefix: 'incoming/',
    // alertsTopic: a defect return in a file may trigger the QA hold and its alert, as through POST /movements
    access: { table: { write: ['ledger', 'alert'] }, ingestBucket: ['read', 'put'], alertsTopic: 'publish' },
    env: ['INGEST_BUCKET', 'ALERTS_TOPIC_ARN'],
  },
  {
    // Daily expiry check: alerts for lots expiring soon or expired with stock, and a retry of any pending alert.
    // `ledger`: a pending QA alert's retry puts its lot on hold (lot meta, pending entry, stock heads), as the
    // defect return that raised it would have.
    kind: 'schedule',
    name: 'daily-expiry-check',
    handler: 'expiry-check-job',
    cron: { minute: '0', hour: '5' },
    access: { table: { write: ['alert', 'meta', 'ledger'] }, alertsTopic: 'publish' },
    env: ['ALERTS_TOPIC_ARN'],
  },
  {
    // Exports (POST /exports queues them): file + manifest streamed into the Object-Lock export bucket, PutObject only.
    kind: 'export-queue',
    name: 'export-worker',
    handler: 'export-worker',
    batchSize: 1,
    maxReceiveCount: 3,
    timeoutSeconds: 900,
    memoryMb: 1024,
    maxHeapMb: 128,
    access: { table: { write: ['export'] }, exportBucket: ['put'] },
    env: ['EXPORT_BUCKET'],
  },
  {
    // The ledger's sequencer: chains the entries accepted on the sell path (pending items) into each lot's hash chain
    // within about a second (the contract allows 2 s); the schedule every minute sweeps whatever a lost batch left.
    // The only function that deletes: the pending items it chains, in the transaction that writes their entries.
    kind: 'table-stream',
    name: 'ledger-chain',
    handler: 'chain-ledger-job',
    entities: ['pending'],
    batchWindowSeconds: 0,
    sweep: { minute: '*', hour: '*' },
    access: { table: { write: ['ledger'], delete: ['pending'] } },
  },
  {
    // Heads of lots whose chain moved, into the Object-Lock bucket within LOTLEDGER_ANCHOR_SECONDS (anchors/{iso}.json).
    kind: 'table-stream',
    name: 'ledger-anchor',
    handler: 'anchor-job',
    entities: ['lot'],
    batchWindowSeconds: anchorWindowSeconds(),
    sweep: { minute: '45', hour: '*' },
    oneAtATime: true,
    access: { table: 'read', exportBucket: ['put', 'read'] },
    env: ['EXPORT_BUCKET'],
  },
  {
    // Every lot's chain head into the Object-Lock bucket, before the nightly verify (02:15) compares against it.
    kind: 'schedule',
    name: 'daily-ledger-checkpoint',
    handler: 'checkpoint-job',
    cron: { minute: '0', hour: '2' },
    access: { table: 'read', exportBucket: ['put', 'read'] },
    env: ['EXPORT_BUCKET'],
  },
];
