import type { SQSEvent } from 'aws-lambda';

/** The SQS event the export queue delivers to the export worker for one job. */
export const sqsEvent = (exportId: string): SQSEvent => ({
  Records: [
    {
      messageId: `m-${exportId}`,
      receiptHandle: 'r',
      body: JSON.stringify({ exportId }),
      attributes: { ApproximateReceiveCount: '1', SentTimestamp: '0', SenderId: 'x', ApproximateFirstReceiveTimestamp: '0' },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:exports',
      awsRegion: 'us-east-1',
    },
  ],
});
