import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { ExportQueue } from '../domain/exports.js';
import type { FdaQueue } from '../domain/fda-requests.js';

/** The message the export worker takes: just the job's id (the job record holds the request). */
export type ExportMessage = { exportId: string };
/** An FDA request's package to build (issue 14): it rides the export queue and worker. */
export type FdaMessage = { fdaRequestId: string };

/** Export jobs onto the export queue (SQS; locally the stack's SQS emulator). `queueUrl` is read when first needed. */
export class SqsExportQueue implements ExportQueue, FdaQueue {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: () => string,
  ) {}

  async send(exportId: string): Promise<void> {
    const body: ExportMessage = { exportId };
    await this.sqs.send(new SendMessageCommand({ QueueUrl: this.queueUrl(), MessageBody: JSON.stringify(body) }));
  }

  async sendFdaRequest(fdaRequestId: string): Promise<void> {
    const body: FdaMessage = { fdaRequestId };
    await this.sqs.send(new SendMessageCommand({ QueueUrl: this.queueUrl(), MessageBody: JSON.stringify(body) }));
  }
}
