import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { S3Client } from '@aws-sdk/client-s3';
import middy from '@middy/core';
import type { Context, S3Event, SQSEvent, SQSRecord } from 'aws-lambda';
import { loadConfig } from '../lib/config.js';
import { ingestFile } from '../lib/domain/ingest-file.js';
import { S3FileStore } from '../lib/store/s3-file-store.js';
import { deps, logger } from './deps.js';

const processor = new BatchProcessor(EventType.SQS);
let files: S3FileStore | undefined;

/** One SQS message = one S3 notification; a failure returns just that message to the queue (and, in the end, its DLQ). */
async function onRecord(record: SQSRecord): Promise<void> {
  const { INGEST_BUCKET } = loadConfig(['INGEST_BUCKET']);
  files ??= new S3FileStore(new S3Client({}), INGEST_BUCKET);
  const event = JSON.parse(record.body) as Partial<S3Event> & { Event?: string };
  if (event.Event === 's3:TestEvent') return;
  for (const r of event.Records ?? []) {
    const key = decodeURIComponent(r.s3.object.key.replace(/\+/g, ' '));
    const report = await ingestFile({ ...deps(), files }, key);
    if (typeof report === 'string') logger.info('batch file not processed', { key, outcome: report });
    else
      logger.info('batch file processed', {
        key,
        records: report.records,
        accepted: report.accepted,
        duplicates: report.duplicates,
        rejected: report.rejected,
      });
  }
}

export const handler = middy((event: SQSEvent, context: Context) => processPartialResponse(event, onRecord, processor, { context })).use(
  injectLambdaContext(logger, { resetKeys: true }),
);
