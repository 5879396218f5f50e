import { type DynamoDBDocumentClient, QueryCommand, type QueryCommandOutput } from '@aws-sdk/lib-dynamodb';
import type { ListQuery, StorePage } from '../domain/listings.js';
import { fromItem } from './items.js';

type Item = Record<string, unknown>;

/**
 * Up to `limit` items of the list partition `list` in GSI1, newest first (descending `gsi1sk`), starting after the
 * item whose `gsi1sk` is `after`; `last` is the `gsi1sk` of the page's last item when more may follow. A `status`
 * filter may leave pages short, so the read goes on until the page is full or the list ends. `keyOf` gives an item's
 * table key from its id (the part of `gsi1sk` after `#`), which DynamoDB needs to resume a GSI query there.
 */
export async function listingPage<T>(
  doc: DynamoDBDocumentClient,
  table: string,
  list: string,
  q: ListQuery<string>,
  keyOf: (id: string) => { pk: string; sk: string },
): Promise<StorePage<T>> {
  const items: Item[] = [];
  const after = q.after;
  // an instant holds no '#': the id is what follows the first one
  let start: Item | undefined = after === undefined ? undefined : { ...keyOf(after.slice(after.indexOf('#') + 1)), gsi1pk: list, gsi1sk: after };
  do {
    const r: QueryCommandOutput = await doc.send(
      new QueryCommand({
        TableName: table,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :list',
        ExpressionAttributeValues: { ':list': list, ...(q.status ? { ':status': q.status } : {}) },
        ...(q.status ? { FilterExpression: '#status = :status', ExpressionAttributeNames: { '#status': 'status' } } : {}),
        ScanIndexForward: false,
        Limit: q.limit - items.length + 1,
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    items.push(...((r.Items ?? []) as Item[]));
    start = r.LastEvaluatedKey;
  } while (start && items.length <= q.limit);
  // one more than the page was read (when there was one): then the list goes on after the page's last item
  const more = items.length > q.limit;
  const page = items.slice(0, q.limit);
  const last = page.at(-1)?.gsi1sk;
  return { items: page.map((i) => fromItem<T>(i)), ...(more && typeof last === 'string' ? { last } : {}) };
}
