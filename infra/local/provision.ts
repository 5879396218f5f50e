import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import { BucketAlreadyOwnedByYou, CreateBucketCommand, HeadBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { CreateTopicCommand, type SNSClient } from '@aws-sdk/client-sns';
import { TABLE } from '../../lib/table-schema.js';

/** The table as the CDK stack defines it (keys, GSIs, streams), for DynamoDB Local. */
export function tableDefinition(name: string): CreateTableCommandInput {
  const attrs = new Set<string>([TABLE.partitionKey, TABLE.sortKey]);
  for (const i of TABLE.indexes) {
    attrs.add(i.partitionKey);
    attrs.add(i.sortKey);
  }
  return {
    TableName: name,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [...attrs].map((a) => ({ AttributeName: a, AttributeType: 'S' })),
    KeySchema: [
      { AttributeName: TABLE.partitionKey, KeyType: 'HASH' },
      { AttributeName: TABLE.sortKey, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: TABLE.indexes.map((i) => ({
      IndexName: i.name,
      KeySchema: [
        { AttributeName: i.partitionKey, KeyType: 'HASH' },
        { AttributeName: i.sortKey, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    })),
    StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
  };
}

/** Create the table unless it exists. Safe to call on every start. */
export async function ensureTable(ddb: DynamoDBClient, name: string): Promise<'created' | 'exists'> {
  try {
    await ddb.send(new DescribeTableCommand({ TableName: name }));
    return 'exists';
  } catch (e) {
    if (!(e instanceof ResourceNotFoundException)) throw e;
  }
  try {
    await ddb.send(new CreateTableCommand(tableDefinition(name)));
  } catch (e) {
    // Two starts racing: the other one created it.
    if ((e as Error).name !== 'ResourceInUseException') throw e;
  }
  return 'created';
}

/** Create a bucket unless it exists. */
export async function ensureBucket(s3: S3Client, bucket: string): Promise<void> {
  try {
    await s3.send(new HeadBucketCommand({ Bucket: bucket }));
    return;
  } catch {
    // not there yet
  }
  try {
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  } catch (e) {
    if (!(e instanceof BucketAlreadyOwnedByYou) && (e as Error).name !== 'BucketAlreadyExists') throw e;
  }
}

/** CreateTopic is idempotent by name in SNS and in our emulator; returns the ARN. */
export async function ensureTopic(sns: SNSClient, name: string): Promise<string> {
  const r = await sns.send(new CreateTopicCommand({ Name: name }));
  if (!r.TopicArn) throw new Error(`CreateTopic ${name} returned no ARN`);
  return r.TopicArn;
}
