import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { FdaRequest, FdaRequestStore } from '../domain/fda-requests.js';
import { written } from './conditional.js';
import { fromItem } from './items.js';
import { queryAll } from './query-all.js';

/** FDA requests in the single table (`EXPORT#FDA#{id}` / `FDA`, the export item kind), listed through GSI1 (`FDAREQ`). */
const keyOf = (id: string) => ({ pk: `EXPORT#FDA#${id}`, sk: 'FDA' });
const LIST = 'FDAREQ';

export class DynamoFdaRequestStore implements FdaRequestStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  private item(r: FdaRequest) {
    return { ...keyOf(r.requestId), entity: 'fda-request', gsi1pk: LIST, gsi1sk: `${r.createdAt}#${r.requestId}`, ...r };
  }

  create(r: FdaRequest): Promise<boolean> {
    return written(this.doc.send(new PutCommand({ TableName: this.table, Item: this.item(r), ConditionExpression: 'attribute_not_exists(pk)' })));
  }

  async get(id: string): Promise<FdaRequest | undefined> {
    const r = await this.doc.send(new GetCommand({ TableName: this.table, Key: keyOf(id), ConsistentRead: true }));
    return r.Item ? strip(fromItem<FdaRequest & Record<string, unknown>>(r.Item)) : undefined;
  }

  async save(r: FdaRequest): Promise<void> {
    await this.doc.send(new PutCommand({ TableName: this.table, Item: this.item(r) }));
  }

  replace(r: FdaRequest, updatedAt: string): Promise<boolean> {
    return written(
      this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: this.item(r),
          ConditionExpression: 'updatedAt = :u',
          ExpressionAttributeValues: { ':u': updatedAt },
        }),
      ),
    );
  }

  async list(): Promise<FdaRequest[]> {
    const items = await queryAll(this.doc, this.table, {
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :l',
      ExpressionAttributeValues: { ':l': LIST },
    });
    return items.map((i) => strip(fromItem<FdaRequest & Record<string, unknown>>(i)));
  }
}

function strip(r: FdaRequest & Record<string, unknown>): FdaRequest {
  const { gsi1pk: _a, gsi1sk: _b, entity: _c, ...rest } = r;
  return rest as FdaRequest;
}
