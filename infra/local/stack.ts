import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import { join, resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { type Clients, makeDeps, useDeps } from '../../functions/deps.js';
import { anchorSeconds, loadConfig, loadLocalConfig } from '../../lib/config.js';
import { documentClient } from '../../lib/store/document-client.js';
import { type DynamoDbLocal, startDynamoDbLocal } from './dynamodb-local.js';
import { createApiServer } from './http-server.js';
import { type JobRunner, startJobRunners } from './job-runners.js';
import { LotHeadWrites, lotOfPendingKey } from './lot-head-writes.js';
import { ensureBucket, ensureTable, ensureTopic } from './provision.js';
import { registerQueueConsumers } from './queue-consumers.js';
import { type S3Local, S3RVER_CREDENTIALS, startS3Local } from './s3-local.js';
import { type SesLocal, startSesLocal } from './ses-local.js';
import { SnsEmulator } from './sns-emulator.js';
import { SqsEmulator } from './sqs-emulator.js';

export const LOCAL_REGION = 'us-east-1';
export const LOCAL_NAMES = {
  table: 'lotledger',
  exportBucket: 'lotledger-exports',
  ingestBucket: 'lotledger-ingest',
  recallTopic: 'lotledger-recalls',
  alertsTopic: 'lotledger-alerts',
} as const;

/**
 * `?topic=` of `/_local/notifications`: a topic's name or ARN, or its short name as a caller who knows only the
 * contract would write it (`recall`, `recalls`, `alert`, `alerts`, any case).
 * @example localTopicName('recalls') // 'lotledger-recalls'
 */
export function localTopicName(topic: string): string {
  const short = topic
    .trim()
    .toLowerCase()
    .replace(/^lotledger-/, '')
    .replace(/s$/, '');
  if (short === 'recall') return LOCAL_NAMES.recallTopic;
  if (short === 'alert') return LOCAL_NAMES.alertsTopic;
  return topic;
}

export type LocalStackOptions = {
  /** where the services keep their data; created if missing */
  dataDir: string;
  /** API port; 0 picks a free one */
  port: number;
  host?: string;
  /** run scheduled jobs and the ingest poller (tests switch them off to drive them by hand) */
  runJobs?: boolean;
  /** keep DynamoDB Local's data in memory instead of under dataDir (benchmarks) */
  inMemoryDb?: boolean;
  log?: (msg: string, extra?: object) => void;
  /** serve the built web console (this directory, normally web/dist) at `/` beside the API */
  consoleDir?: string;
};

/** The recalling firm notices name locally unless RECALLING_FIRM_NAME, _PHONE and _EMAIL are set. */
export const LOCAL_FIRM = { name: 'Local Recalling Firm (set RECALLING_FIRM_NAME)', phone: '+1 555 0100', email: 'recalls@lotledger.test' } as const;

export type LocalStack = {
  url: string;
  endpoints: { dynamodb: string; s3: string; sns: string; ses: string };
  /** the SES v2 emulator (aws-ses-v2-local): what was emailed */
  ses: SesLocal;
  env: Record<string, string>;
  sns: SnsEmulator;
  /** the local SQS (export queue): `drain()` delivers waiting messages when jobs are off */
  sqs: SqsEmulator;
  jobs: JobRunner;
  stop(): Promise<void>;
};

/**
 * Start the embedded stack: DynamoDB Local, an S3 server, our SNS emulator, then the table, buckets and topics
 * (idempotently), then the HTTP API on `port`. Handlers find the services only through the standard
 * `AWS_ENDPOINT_URL_*` variables, which this sets in `process.env` before any handler is loaded.
 */
export async function startLocalStack(opts: LocalStackOptions): Promise<LocalStack> {
  const log = opts.log ?? (() => undefined);
  const dataDir = resolve(opts.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const s of stops.reverse()) await s().catch((e) => log('stop failed', { error: String(e) }));
  };
  try {
    const ddb: DynamoDbLocal = await startDynamoDbLocal(opts.inMemoryDb ? {} : { dbPath: join(dataDir, 'dynamodb') });
    stops.push(ddb.stop);
    const s3: S3Local = await startS3Local({ directory: join(dataDir, 's3') });
    stops.push(s3.stop);
    const sns = new SnsEmulator({ region: LOCAL_REGION, stateFile: join(dataDir, 'sns.json'), log });
    const snsUrl = await sns.start(0);
    stops.push(() => sns.stop());
    // The export queue: an SQS JSON-protocol emulator handing each message to the export worker (infra/local/sqs-emulator.ts).
    const sqs = new SqsEmulator({ region: LOCAL_REGION, autoDeliver: opts.runJobs ?? true, log });
    const sqsUrl = await sqs.start(0);
    stops.push(() => sqs.stop());
    const queueEnv = registerQueueConsumers(sqs);
    const ses = await startSesLocal({ file: join(dataDir, 'ses-emails.jsonl'), log });
    stops.push(() => ses.stop());

    const clientCfg = { region: LOCAL_REGION, credentials: S3RVER_CREDENTIALS };
    const ddbClient = new DynamoDBClient({ ...clientCfg, endpoint: ddb.endpoint });
    // s3rver predates flexible checksums: only send them when an operation requires one.
    const s3Client = new S3Client({
      ...clientCfg,
      endpoint: s3.endpoint,
      forcePathStyle: true,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
    const snsClient = new SNSClient({ ...clientCfg, endpoint: snsUrl });
    const sqsClient = new SQSClient({ ...clientCfg, endpoint: sqsUrl });
    const sesClient = new SESv2Client({ ...clientCfg, endpoint: ses.endpoint });
    const lotHeadWrites = new LotHeadWrites().observe(ddbClient);
    // The local stand-in for the stream's pending-entry records: the sequencer's poller drains it every 50 ms.
    const pendingWrites = new LotHeadWrites(lotOfPendingKey, 'lotledgerPendingWrites').observe(ddbClient);
    const clients: Clients = { doc: documentClient(ddbClient), s3: s3Client, sns: snsClient, sqs: sqsClient, ses: sesClient };
    stops.push(async () => {
      for (const c of [clients.doc, ddbClient, s3Client, snsClient, sqsClient, sesClient]) c.destroy();
    });
    const created = await ensureTable(ddbClient, LOCAL_NAMES.table);
    await ensureBucket(s3Client, LOCAL_NAMES.exportBucket);
    await ensureBucket(s3Client, LOCAL_NAMES.ingestBucket);
    const recallTopicArn = await ensureTopic(snsClient, LOCAL_NAMES.recallTopic);
    const alertsTopicArn = await ensureTopic(snsClient, LOCAL_NAMES.alertsTopic);
    log('provisioned', { table: created });

    const server: Server = createApiServer({
      log,
      ...(opts.consoleDir ? { consoleDir: opts.consoleDir } : {}),
      extra: [
        {
          method: 'GET',
          path: '/_local/notifications',
          handle: async (url) => {
            const q = url.searchParams;
            const filter = {
              ...(q.get('topic') ? { topic: localTopicName(q.get('topic') as string) } : {}),
              ...(q.get('audience') ? { audience: q.get('audience') as string } : {}),
              ...(q.get('siteId') ? { siteId: q.get('siteId') as string } : {}),
            };
            return { status: 200, body: { items: sns.inbox(filter) } };
          },
        },
        {
          method: 'GET',
          path: '/_local/emails',
          handle: async (url) => {
            const items = await ses.emails(url.searchParams.get('to') ?? undefined);
            return {
              status: 200,
              body: { items: items.map((e) => ({ to: e.to, subject: e.subject, body: e.body, html: e.html, sentAt: e.sentAt })) },
            };
          },
        },
        {
          method: 'GET',
          path: '/_local/sms',
          handle: async (url) => {
            const items = sns.texts(url.searchParams.get('to') ?? undefined);
            return { status: 200, body: { items: items.map((t) => ({ to: t.phoneNumber, body: t.body, sentAt: t.publishedAt })) } };
          },
        },
      ],
    });
    await new Promise<void>((ok, fail) => {
      server.once('error', fail);
      server.listen(opts.port, opts.host ?? '127.0.0.1', () => ok());
    });
    stops.push(
      () =>
        new Promise<void>((ok) => {
          server.close(() => ok());
          server.closeAllConnections();
        }),
    );
    const addr = server.address();
    const port = typeof addr === 'object' && addr ? addr.port : opts.port;
    const url = `http://${opts.host ?? '127.0.0.1'}:${port}`;
    const env: Record<string, string> = {
      AWS_REGION: LOCAL_REGION,
      AWS_DEFAULT_REGION: LOCAL_REGION,
      // One key pair for every local service: s3rver only accepts its own account's keys; the others accept any.
      AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
      AWS_ENDPOINT_URL_DYNAMODB: ddb.endpoint,
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      AWS_ENDPOINT_URL_SNS: snsUrl,
      AWS_ENDPOINT_URL_SQS: sqsUrl,
      AWS_ENDPOINT_URL_SESV2: ses.endpoint,
      ...queueEnv,
      // s3rver predates flexible checksums: only send them when an operation requires one.
      AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
      AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED',
      TABLE_NAME: LOCAL_NAMES.table,
      EXPORT_BUCKET: LOCAL_NAMES.exportBucket,
      INGEST_BUCKET: LOCAL_NAMES.ingestBucket,
      RECALL_TOPIC_ARN: recallTopicArn,
      ALERTS_TOPIC_ARN: alertsTopicArn,
      // Local only: GS1's own example company prefix (GS1 General Specifications), so labels work from a clean clone.
      GS1_COMPANY_PREFIX: process.env.GS1_COMPANY_PREFIX ?? '0614141',
      // Acknowledgement links point at this server, which serves the console's /ack/{token} page.
      CONSOLE_URL: url,
      RECALLING_FIRM_NAME: process.env.RECALLING_FIRM_NAME ?? LOCAL_FIRM.name,
      RECALLING_FIRM_PHONE: process.env.RECALLING_FIRM_PHONE ?? LOCAL_FIRM.phone,
      RECALLING_FIRM_EMAIL: process.env.RECALLING_FIRM_EMAIL ?? LOCAL_FIRM.email,
      ...(process.env.RECALL_ESCALATE_AFTER ? { RECALL_ESCALATE_AFTER: process.env.RECALL_ESCALATE_AFTER } : {}),
      ...(process.env.RECALL_NOTIFIER_LEASE_SECONDS ? { RECALL_NOTIFIER_LEASE_SECONDS: process.env.RECALL_NOTIFIER_LEASE_SECONDS } : {}),
      ...(process.env.RECALL_FOLLOW_UP_HOURS ? { RECALL_FOLLOW_UP_HOURS: process.env.RECALL_FOLLOW_UP_HOURS } : {}),
      POWERTOOLS_SERVICE_NAME: 'lotledger',
      POWERTOOLS_LOG_LEVEL: loadLocalConfig().LOTLEDGER_LOG_LEVEL,
    };
    // For what still reads the environment: /health's endpoints, and child processes such as the export benchmark.
    Object.assign(process.env, env);
    // The handlers run over this stack's own clients, built by the same composition root as in the cloud.
    useDeps(makeDeps(clients, loadConfig(env)));

    const jobs = startJobRunners({
      enabled: opts.runJobs ?? true,
      log,
      s3: s3Client,
      ingestBucket: LOCAL_NAMES.ingestBucket,
      lotHeads: { writes: lotHeadWrites, pollMs: anchorSeconds() * 1000 },
      pending: { writes: pendingWrites, pollMs: 50 },
    });
    stops.push(() => jobs.stop());

    return {
      url,
      endpoints: { dynamodb: ddb.endpoint, s3: s3.endpoint, sns: snsUrl, ses: ses.endpoint },
      ses,
      env,
      sns,
      sqs,
      jobs,
      stop: stopAll,
    };
  } catch (e) {
    await stopAll();
    throw e;
  }
}
