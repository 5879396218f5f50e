import { BatchGetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { AppError } from '../domain/errors.js';

type Item = Record<string, unknown>;

/**
 * BatchGetItem over any number of keys: 100 keys a request, 4 requests in flight, consistent reads, UnprocessedKeys
 * retried with jittered backoff (DynamoDB returns them under load), duplicates asked once.
 */
export async function batchGetAll(doc: DynamoDBDocumentClient, table: string, wanted: Record<string, unknown>[]): Promise<Item[]> {
  const unique = [...new Map(wanted.map((w) => [`${w.pk}|${w.sk}`, w])).values()];
  const chunks: Record<string, unknown>[][] = [];
  for (let i = 0; i < unique.length; i += 100) chunks.push(unique.slice(i, i + 100));
  const out: Item[] = [];
  const one = async (chunk: Record<string, unknown>[]) => {
    let pending: Record<string, unknown>[] | undefined = chunk;
    for (let attempt = 0; pending && pending.length > 0; attempt++) {
      if (attempt > 10) throw new AppError('busy', 'The table kept returning unprocessed keys');
      if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(2000, 20 * 2 ** attempt) * Math.random()));
      const r = await doc.send(new BatchGetCommand({ RequestItems: { [table]: { Keys: pending, ConsistentRead: true } } }));
      out.push(...((r.Responses?.[table] ?? []) as Item[]));
      pending = r.UnprocessedKeys?.[table]?.Keys as Record<string, unknown>[] | undefined;
    }
  };
  const queue = [...chunks];
  await Promise.all(
    Array.from({ length: Math.min(4, queue.length) }, async () => {
      for (let c = queue.shift(); c; c = queue.shift()) await one(c);
    }),
  );
  return out;
}
