import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { ExportQueue } from '../domain/exports.js';

/** The message the export worker takes: just the job's id (the job record holds the request). */
export type ExportMessage = { exportId: string };

/** Export jobs onto the export queue (SQS; locally the stack's SQS emulator). `queueUrl` is read when first needed. */
export class SqsExportQueue implements ExportQueue {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: () => string,
  ) {}

  async send(exportId: string): Promise<void> {
    const body: ExportMessage = { exportId };
    await this.sqs.send(new SendMessageCommand({ QueueUrl: this.queueUrl(), MessageBody: JSON.stringify(body) }));
  }
}
