import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { loadConfig } from '../lib/config.js';
import type { ExportDeps } from '../lib/domain/exports.js';
import type { RunExportDeps } from '../lib/exports/run-export.js';
import { SqsExportQueue } from '../lib/notify/sqs-export-queue.js';
import { DynamoEntryReader, DynamoExportStore } from '../lib/store/dynamo-export-store.js';
import { S3ExportFiles } from '../lib/store/s3-export-files.js';
import { type Deps, deps } from './deps.js';

/** The export and checkpoint handlers' dependencies: the shared ones plus the export bucket, queue and job store. */
export type ExportHandlerDeps = Deps &
  ExportDeps &
  RunExportDeps & {
    bucketFiles: S3ExportFiles;
    checkpoints: S3ExportFiles;
  };

/** Build the export dependencies over given clients; tests pass their own table, bucket and queue. */
export function exportDepsFrom(base: Deps, s3: S3Client, bucket: string, queue: ExportDeps['queue']): ExportHandlerDeps {
  const files = new S3ExportFiles(s3, bucket);
  const reader = new DynamoEntryReader(base.doc, base.tableName);
  return {
    ...base,
    exports: new DynamoExportStore(base.doc, base.tableName),
    queue,
    files,
    bucket: files,
    bucketFiles: files,
    checkpoints: files,
    days: reader,
    sources: { master: base.master, heads: (lots) => reader.heads(lots) },
  };
}

let cached: ExportHandlerDeps | undefined;
/** Built once per cold start. EXPORT_BUCKET is required; EXPORT_QUEUE_URL is read only when a job is queued. */
export const exportDeps = (): ExportHandlerDeps => {
  if (cached) return cached;
  const { EXPORT_BUCKET } = loadConfig(['EXPORT_BUCKET']);
  const sqs = new SQSClient({});
  cached = exportDepsFrom(deps(), new S3Client({}), EXPORT_BUCKET, new SqsExportQueue(sqs, () => loadConfig(['EXPORT_QUEUE_URL']).EXPORT_QUEUE_URL));
  return cached;
};
