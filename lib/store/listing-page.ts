import { type DynamoDBDocumentClient, QueryCommand, type QueryCommandOutput } from '@aws-sdk/lib-dynamodb';

type Item = Record<string, unknown>;

/** One page of a list kept in GSI1 under one partition (`gsi1pk`), sorted by `gsi1sk` = `{instant}#{id}`. */
export type ListingPage = { items: Item[]; last?: string };

/**
 * Up to `limit` items of the list partition `list` in GSI1, newest first (descending `gsi1sk`), starting after the
 * item whose `gsi1sk` is `after`; `last` is the `gsi1sk` of the page's last item when more may follow. `filter`, a
 * FilterExpression over the items, may leave pages short, so the read goes on until the page is full or the list ends.
 * `keyOf` gives an item's table key from its `gsi1sk`, which DynamoDB needs to resume a GSI query there.
 */
export async function listingPage(
  doc: DynamoDBDocumentClient,
  table: string,
  o: {
    list: string;
    limit: number;
    after?: string;
    keyOf: (gsi1sk: string) => { pk: string; sk: string };
    filter?: { expression: string; names?: Record<string, string>; values: Record<string, unknown> };
  },
): Promise<ListingPage> {
  const items: Item[] = [];
  let start: Item | undefined = o.after === undefined ? undefined : { ...o.keyOf(o.after), gsi1pk: o.list, gsi1sk: o.after };
  do {
    const r: QueryCommandOutput = await doc.send(
      new QueryCommand({
        TableName: table,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :list',
        ExpressionAttributeValues: { ':list': o.list, ...(o.filter?.values ?? {}) },
        ...(o.filter ? { FilterExpression: o.filter.expression } : {}),
        ...(o.filter?.names ? { ExpressionAttributeNames: o.filter.names } : {}),
        ScanIndexForward: false,
        Limit: o.limit - items.length + 1,
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    items.push(...((r.Items ?? []) as Item[]));
    start = r.LastEvaluatedKey;
  } while (start && items.length <= o.limit);
  // one more than the page was read (when there was one): then the list goes on after the page's last item
  const more = items.length > o.limit;
  const page = items.slice(0, o.limit);
  const last = page.at(-1)?.gsi1sk;
  return { items: page, ...(more && typeof last === 'string' ? { last } : {}) };
}
