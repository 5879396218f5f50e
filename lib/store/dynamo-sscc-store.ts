import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { SsccRecord, SsccStore } from '../domain/labels.js';
import { written } from './conditional.js';
import { fromItem } from './items.js';

const COUNTER = { pk: 'LABEL#SSCC_COUNTER', sk: 'COUNTER' } as const;
const recordKey = (sscc: string) => ({ pk: `LABEL#SSCC#${sscc}`, sk: 'SSCC' });
const requestKey = (key: string) => ({ pk: `LABEL#SSCC_REQUEST#${key}`, sk: 'REQUEST' });
const notThere = 'attribute_not_exists(pk)';

/**
 * SSCCs in the single table. The serial reference comes from one counter item, raised with an atomic `ADD` (DynamoDB
 * applies concurrent updates of one item one after another), so no two callers ever get the same number; a number
 * whose label was never recorded is simply skipped, never reused. Records are written once and never replaced.
 */
export class DynamoSsccStore implements SsccStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async next(): Promise<number> {
    const r = await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: COUNTER,
        UpdateExpression: 'ADD #n :one SET entity = :e',
        ExpressionAttributeNames: { '#n': 'n' },
        ExpressionAttributeValues: { ':one': 1, ':e': 'sscc-counter' },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    const n = r.Attributes?.n;
    if (typeof n !== 'number') throw new Error('the SSCC counter did not return a number');
    return n;
  }

  async put(record: SsccRecord): Promise<boolean> {
    return written(
      this.doc.send(
        new PutCommand({ TableName: this.table, Item: { ...recordKey(record.sscc), entity: 'sscc', ...record }, ConditionExpression: notThere }),
      ),
    );
  }

  async get(sscc: string): Promise<SsccRecord | undefined> {
    const r = await this.doc.send(new GetCommand({ TableName: this.table, Key: recordKey(sscc), ConsistentRead: true }));
    return r.Item ? fromItem<SsccRecord>(r.Item) : undefined;
  }

  async claimKey(key: string, requestHash: string, sscc: string): Promise<{ sscc: string; requestHash: string }> {
    const mine = { sscc, requestHash };
    if (
      await written(
        this.doc.send(
          new PutCommand({ TableName: this.table, Item: { ...requestKey(key), entity: 'sscc-request', ...mine }, ConditionExpression: notThere }),
        ),
      )
    )
      return mine;
    const r = await this.doc.send(new GetCommand({ TableName: this.table, Key: requestKey(key), ConsistentRead: true }));
    return { sscc: String(r.Item?.sscc), requestHash: String(r.Item?.requestHash) };
  }
}
