import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { inject } from 'vitest';
import { ensureBucket, ensureTable } from '../../infra/local/provision.js';
import { S3RVER_CREDENTIALS } from '../../infra/local/s3-local.js';
import { documentClient } from '../../lib/store/document-client.js';

const region = 'us-east-1';
const credentials = S3RVER_CREDENTIALS;

/** A fresh table (same definition as the cloud's) on the run's DynamoDB Local, for one suite. */
export async function freshTable(prefix = 'test') {
  const client = new DynamoDBClient({ endpoint: inject('ddbEndpoint'), region, credentials });
  const tableName = `${prefix}-${randomUUID().slice(0, 8)}`;
  await ensureTable(client, tableName);
  return { client, doc: documentClient(client), tableName };
}

/** A fresh bucket on the run's S3 server. */
export async function freshBucket(prefix = 'test') {
  const s3 = new S3Client({
    endpoint: inject('s3Endpoint'),
    region,
    credentials,
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  const bucket = `${prefix}-${randomUUID().slice(0, 8)}`;
  await ensureBucket(s3, bucket);
  return { s3, bucket };
}
