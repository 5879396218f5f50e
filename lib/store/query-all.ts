import { type DynamoDBDocumentClient, QueryCommand, type QueryCommandInput, type QueryCommandOutput } from '@aws-sdk/lib-dynamodb';

type Item = Record<string, unknown>;

/**
 * Every item a query matches, following LastEvaluatedKey page by page; with `enough`, it stops after the first page
 * at which `enough(itemsSoFar)` holds (pair it with a `Limit` to read only what is needed).
 */
export async function queryAll(
  doc: DynamoDBDocumentClient,
  table: string,
  q: Omit<QueryCommandInput, 'TableName'>,
  enough?: (items: readonly Item[]) => boolean,
): Promise<Item[]> {
  const out: Item[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const r: QueryCommandOutput = await doc.send(new QueryCommand({ ...q, TableName: table, ...(start ? { ExclusiveStartKey: start } : {}) }));
    out.push(...((r.Items ?? []) as Item[]));
    start = r.LastEvaluatedKey;
  } while (start && !enough?.(out));
  return out;
}
