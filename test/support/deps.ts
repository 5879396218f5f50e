import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type Clients, type Deps, makeDeps, need } from '../../functions/deps.js';
import { loadConfig } from '../../lib/config.js';
import { type Clock, fixedClock } from '../../lib/domain/clock.js';
import type { ExportQueue } from '../../lib/domain/exports.js';
import { FakeAlertPublisher } from './alerts.js';
import { ChainingLedgerStore } from './chaining-ledger.js';

/** Clients that reach nothing: a test that forgot to replace a sender fails at once instead of calling AWS. */
const nowhere = { region: 'us-east-1', endpoint: 'http://127.0.0.1:9', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 };

/** The SDK clients of a test: its document client (and S3 client, if it has a bucket), the rest reaching nothing. */
export const testClients = (doc: DynamoDBDocumentClient, s3?: S3Client): Clients => ({
  doc,
  s3: s3 ?? new S3Client(nowhere),
  sns: new SNSClient(nowhere),
  sqs: new SQSClient(nowhere),
});

/**
 * The handlers' Deps over a given table, built by the composition root (makeDeps), with a fixed clock by default and
 * the alerts topic in memory (`FakeAlertPublisher`). `env` adds settings; EXPORT_BUCKET needs `s3`. Each write to
 * the ledger is chained before it returns (ChainingLedgerStore), so a test reads the chain of what it just wrote;
 * `chain: 'deferred'` leaves chaining to the sequencer (`chainAll`, or a job run), as in the cloud.
 */
export function depsFor(
  doc: DynamoDBDocumentClient,
  tableName: string,
  clock: Clock = fixedClock('2026-03-01T12:00:00Z'),
  o: { s3?: S3Client; env?: Record<string, string>; chain?: 'sync' | 'deferred' } = {},
): Deps {
  const d = makeDeps(testClients(doc, o.s3), loadConfig({ TABLE_NAME: tableName, ...o.env }));
  const ledger = o.chain === 'deferred' ? d.ledger : new ChainingLedgerStore(doc, tableName);
  // Synchronous chaining leaves nothing for an export to wait for.
  return { ...d, ledger, clock, alertPublisher: new FakeAlertPublisher(), ...(o.chain === 'deferred' ? {} : { chainTrailMs: 0 }) };
}

/** depsFor with the export bucket, and `queue` standing in for the export queue. */
export const exportDepsFor = (doc: DynamoDBDocumentClient, tableName: string, b: { s3: S3Client; bucket: string }, queue: ExportQueue) => ({
  ...need(depsFor(doc, tableName, undefined, { s3: b.s3, env: { EXPORT_BUCKET: b.bucket } }), 'exportFiles'),
  queue,
});
export type ExportTestDeps = ReturnType<typeof exportDepsFor>;
