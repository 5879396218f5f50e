import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

type Item = Record<string, unknown>;

/**
 * Put items with BatchWriteItem, 25 a request and `concurrency` requests in flight, sending unprocessed items again
 * until none is left. For bulk loads (benchmark seeds, test fixtures): the ledger's own writes never go this way, and
 * no function is granted BatchWriteItem.
 */
export async function batchPutAll(doc: DynamoDBDocumentClient, table: string, items: readonly Item[], concurrency = 8): Promise<void> {
  const chunks: Item[][] = [];
  for (let i = 0; i < items.length; i += 25) chunks.push(items.slice(i, i + 25));
  await Promise.all(
    Array.from({ length: Math.min(concurrency, chunks.length) }, async () => {
      for (let c = chunks.shift(); c; c = chunks.shift()) {
        let pending: Item[] | undefined = c.map((Item) => ({ PutRequest: { Item } }));
        while (pending?.length) {
          const r = await doc.send(new BatchWriteCommand({ RequestItems: { [table]: pending as never } }));
          pending = r.UnprocessedItems?.[table] as Item[] | undefined;
        }
      }
    }),
  );
}
