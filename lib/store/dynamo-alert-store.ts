import { type DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { AlertRecord, AlertStore } from '../domain/expiry-ports.js';
import { written } from './conditional.js';
import { fromItem } from './items.js';

const alertKey = (alertId: string) => ({ pk: `ALERT#${alertId}`, sk: 'ALERT' });
/** Pending alerts are listed in GSI1 by creation time (the retry sweep reads only them); published ones leave it. */
const PENDING = 'ALERTS#PENDING';

/** Conditions, named. */
const COND = {
  absent: 'attribute_not_exists(pk)',
  claimable: '#status = :pending AND (attribute_not_exists(leaseUntil) OR leaseUntil < :now)',
  pending: '#status = :pending',
} as const;

/** Alert records (expiry and QA) in the single table: created once by a conditional put, never deleted. */
export class DynamoAlertStore implements AlertStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async create(a: AlertRecord): Promise<boolean> {
    return written(
      this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...alertKey(a.alertId), entity: 'alert', ...a, gsi1pk: PENDING, gsi1sk: `${a.createdAt}#${a.alertId}` },
          ConditionExpression: COND.absent,
        }),
      ),
    );
  }

  async get(alertId: string): Promise<AlertRecord | undefined> {
    const r = await this.doc.send(new GetCommand({ TableName: this.table, Key: alertKey(alertId), ConsistentRead: true }));
    return r.Item ? fromItem<AlertRecord>(r.Item) : undefined;
  }

  async claim(alertId: string, now: string, leaseUntil: string): Promise<boolean> {
    return written(
      this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: alertKey(alertId),
          UpdateExpression: 'SET leaseUntil = :until ADD attempts :one',
          ConditionExpression: COND.claimable,
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':until': leaseUntil, ':now': now, ':pending': 'pending', ':one': 1 },
        }),
      ),
    );
  }

  async markPublished(alertId: string, messageId: string, at: string): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: alertKey(alertId),
        UpdateExpression: 'SET #status = :published, publishedAt = :at, messageId = :mid REMOVE leaseUntil, lastError, gsi1pk, gsi1sk',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':published': 'published', ':at': at, ':mid': messageId },
      }),
    );
  }

  async release(alertId: string, error: string): Promise<void> {
    // Published meanwhile: nothing to give back.
    await written(
      this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: alertKey(alertId),
          UpdateExpression: 'SET lastError = :err REMOVE leaseUntil',
          ConditionExpression: COND.pending,
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':err': error, ':pending': 'pending' },
        }),
      ),
    );
  }

  async pending(limit: number): Promise<AlertRecord[]> {
    const r = await this.doc.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': PENDING },
        Limit: limit,
      }),
    );
    return (r.Items ?? []).map((i) => fromItem<AlertRecord>(i));
  }
}
