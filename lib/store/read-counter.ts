import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** What a client read while `on`: requests sent, and items DynamoDB read for them. */
export type ReadCounter = { on: boolean; requests: number; items: number };

/**
 * Count, on this client, the items DynamoDB read for each request (Query/Scan ScannedCount, GetItem's item,
 * BatchGetItem's responses): how benchmarks and tests show a read is bounded. Counts only while `on` (true at first).
 */
export function countItemsRead(client: DynamoDBClient): ReadCounter {
  const counter: ReadCounter = { on: true, requests: 0, items: 0 };
  client.middlewareStack.add(
    (next) => async (args) => {
      const out = await next(args);
      if (counter.on) {
        const o = out.output as { ScannedCount?: number; Item?: unknown; Responses?: Record<string, unknown[]> };
        counter.requests++;
        if (o.ScannedCount !== undefined) counter.items += o.ScannedCount;
        else if (o.Item) counter.items += 1;
        else if (o.Responses) counter.items += Object.values(o.Responses).reduce((s, r) => s + r.length, 0);
      }
      return out;
    },
    { step: 'initialize', name: 'countItemsRead' },
  );
  return counter;
}
