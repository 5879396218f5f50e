import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context, S3Event, SQSEvent, SQSRecord } from 'aws-lambda';
import { type FileStore, ingestFile } from '../lib/domain/ingest-file.js';
import type { QaDeps } from '../lib/domain/quality.js';
import type { LedgerDeps } from '../lib/domain/record-movement.js';
import { withOwnLogger } from '../lib/http/own-logger.js';
import { type Deps, deps, need, withQaCheck } from './deps.js';

/** One SQS message = one S3 notification; a failure returns just that message to the queue (and, in the end, its DLQ). */
export const makeIngestFile = (d: QaDeps & Omit<LedgerDeps, 'afterAccepted'> & { ingestFiles: FileStore } & Pick<Deps, 'logger'>) => {
  const own = withQaCheck(withOwnLogger(d));
  const { logger } = own;
  const processor = new BatchProcessor(EventType.SQS);
  const onRecord = async (record: SQSRecord): Promise<void> => {
    const event = JSON.parse(record.body) as Partial<S3Event> & { Event?: string };
    if (event.Event === 's3:TestEvent') return;
    for (const r of event.Records ?? []) {
      const key = decodeURIComponent(r.s3.object.key.replace(/\+/g, ' '));
      const report = await ingestFile(own, key);
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
  };
  return middy((event: SQSEvent, context: Context) => processPartialResponse(event, onRecord, processor, { context })).use(
    injectLambdaContext(logger, { resetKeys: true }),
  );
};
export const handler = makeIngestFile(need(deps(), 'ingestFiles'));
