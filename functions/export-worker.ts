import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { type FdaPackageDeps, runFdaPackage } from '../lib/exports/fda-package.js';
import { type RunExportDeps, runExport } from '../lib/exports/run-export.js';
import { withOwnLogger } from '../lib/http/own-logger.js';
import type { ExportMessage, FdaMessage } from '../lib/notify/sqs-export-queue.js';
import { type Deps, deps, need } from './deps.js';

/**
 * The export queue's consumer: one message = one export job. A job that fails for a reason a retry may cure (S3, DynamoDB)
 * is marked failed and its message returned to the queue (partial batch response); after the queue's maxReceiveCount
 * it lands in the DLQ. A job failing on its own terms (AppError) is marked failed and not retried. A batch whose every
 * record failed is answered with all of them as failures (not an exception), so the local emulator and SQS agree.
 */
export const makeExportWorker = (d: RunExportDeps & Pick<FdaPackageDeps, 'fda'> & Pick<Deps, 'logger'>) => {
  const own = withOwnLogger(d);
  const { logger } = own;
  const processor = new BatchProcessor(EventType.SQS);
  const onRecord = async (record: SQSRecord) => {
    let msg: Partial<ExportMessage & FdaMessage>;
    try {
      msg = JSON.parse(record.body) as Partial<ExportMessage & FdaMessage>;
    } catch {
      logger.error('export message is not JSON; dropped', { messageId: record.messageId });
      return;
    }
    if (typeof msg.fdaRequestId === 'string') {
      const r = await runFdaPackage(own, msg.fdaRequestId);
      logger.info('FDA request package processed', { requestId: msg.fdaRequestId, status: r?.status ?? 'failed-or-missing', version: r?.version });
      return;
    }
    if (typeof msg.exportId !== 'string') {
      logger.error('export message has no exportId; dropped', { messageId: record.messageId });
      return;
    }
    const job = await runExport(own, msg.exportId);
    logger.info('export processed', { exportId: msg.exportId, status: job?.status ?? 'failed-or-missing', rowCount: job?.rowCount });
  };
  return middy((event: SQSEvent, context: Context) =>
    processPartialResponse(event, onRecord, processor, { context, throwOnFullBatchFailure: false }),
  ).use(injectLambdaContext(logger, { resetKeys: true }));
};
export const handler = makeExportWorker(need(deps(), 'exportFiles'));
