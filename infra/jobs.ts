import type { Access } from './routes.js';

/**
 * Functions that are not behind the HTTP API. The CDK stack builds each with its trigger, a dead-letter queue
 * and an alarm on that queue; the local stack runs the same handlers on its own timer or poller.
 */
export type Job =
  | {
      kind: 'schedule';
      name: string;
      handler: string;
      /** EventBridge cron fields (UTC) */
      cron: { minute: string; hour: string };
      access: Access;
      env?: readonly ('EXPORT_BUCKET' | 'INGEST_BUCKET' | 'RECALL_TOPIC_ARN' | 'ALERTS_TOPIC_ARN' | 'EXPORT_QUEUE_URL')[];
    }
  | {
      kind: 'ingest-queue';
      name: string;
      handler: string;
      /** S3 key prefix in the ingest bucket whose ObjectCreated events feed the queue */
      prefix: string;
      access: Access;
      env?: readonly ('EXPORT_BUCKET' | 'INGEST_BUCKET' | 'RECALL_TOPIC_ARN' | 'ALERTS_TOPIC_ARN' | 'EXPORT_QUEUE_URL')[];
    };

export const JOBS: readonly Job[] = [
  {
    kind: 'schedule',
    name: 'daily-ledger-verify',
    handler: 'verify-ledger-job',
    cron: { minute: '15', hour: '2' },
    access: { table: 'read', alertsTopic: 'publish' },
    env: ['ALERTS_TOPIC_ARN'],
  },
  {
    kind: 'ingest-queue',
    name: 'batch-file-ingest',
    handler: 'ingest-file',
    prefix: 'incoming/',
    access: { table: 'ledger-write', ingestBucket: ['read', 'put'] },
    env: ['INGEST_BUCKET'],
  },
];
