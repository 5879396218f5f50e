import { BatchGetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { forEachLimit } from '../domain/concurrency.js';
import type { Sleep } from '../domain/retry.js';
import { resendUnprocessed } from './unprocessed.js';

type Item = Record<string, unknown>;

/**
 * BatchGetItem over any number of keys: 100 keys a request, 4 requests in flight, consistent reads, UnprocessedKeys
 * sent again with jittered backoff (DynamoDB returns them under load; `busy` when they never clear), duplicates asked once.
 */
export async function batchGetAll(doc: DynamoDBDocumentClient, table: string, wanted: Record<string, unknown>[], sleep?: Sleep): Promise<Item[]> {
  const unique = [...new Map(wanted.map((w) => [`${w.pk}|${w.sk}`, w])).values()];
  const chunks: Record<string, unknown>[][] = [];
  for (let i = 0; i < unique.length; i += 100) chunks.push(unique.slice(i, i + 100));
  const out: Item[] = [];
  await forEachLimit(chunks, 4, (chunk) =>
    resendUnprocessed(
      chunk,
      'keys',
      async (keys) => {
        const r = await doc.send(new BatchGetCommand({ RequestItems: { [table]: { Keys: keys, ConsistentRead: true } } }));
        out.push(...((r.Responses?.[table] ?? []) as Item[]));
        return r.UnprocessedKeys?.[table]?.Keys as Record<string, unknown>[] | undefined;
      },
      sleep,
    ),
  );
  return out;
}
