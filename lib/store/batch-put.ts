import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { forEachLimit } from '../domain/concurrency.js';
import type { Sleep } from '../domain/retry.js';
import { resendUnprocessed } from './unprocessed.js';

type Item = Record<string, unknown>;

/**
 * Put items with BatchWriteItem, 25 a request and `concurrency` requests in flight, sending unprocessed items again
 * with jittered backoff (`busy` when they never clear). For bulk loads (benchmark seeds, test fixtures): the ledger's
 * own writes never go this way, and no function is granted BatchWriteItem.
 */
export async function batchPutAll(doc: DynamoDBDocumentClient, table: string, items: readonly Item[], concurrency = 8, sleep?: Sleep): Promise<void> {
  const chunks: Item[][] = [];
  for (let i = 0; i < items.length; i += 25) chunks.push(items.slice(i, i + 25));
  await forEachLimit(chunks, concurrency, (chunk) =>
    resendUnprocessed(
      chunk.map((Item) => ({ PutRequest: { Item } })),
      'items',
      async (requests) => {
        const r = await doc.send(new BatchWriteCommand({ RequestItems: { [table]: requests } }));
        return r.UnprocessedItems?.[table] as { PutRequest: { Item: Item } }[] | undefined;
      },
      sleep,
    ),
  );
}
