import { type DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** What one client sent: HTTP requests (SDK retries included), calls per command, and how calls failed. */
export type CallCounts = {
  requests: number;
  calls: Record<string, number>;
  /** cancelled transactions by reason (`ConditionalCheckFailed`, `TransactionConflict`, ...), each reason once a call */
  cancelled: Record<string, number>;
  /** other errors by name (`TransactionConflictException`, `ProvisionedThroughputExceededException`, ...) */
  failed: Record<string, number>;
};

const empty = (): CallCounts => ({ requests: 0, calls: {}, cancelled: {}, failed: {} });
const bump = (r: Record<string, number>, k: string) => {
  r[k] = (r[k] ?? 0) + 1;
};

/**
 * Count what a client sends, through middleware on its stack (a DocumentClient shares its DynamoDBClient's), so
 * every store built over it is counted. `take()` returns the counts so far and starts again from zero.
 */
export function countCalls(client: DynamoDBClient | DynamoDBDocumentClient) {
  const stack = client.middlewareStack as DynamoDBClient['middlewareStack'];
  let counts = empty();
  stack.add(
    (next, context) => async (args) => {
      const cmd = (context.commandName ?? 'unknown').replace(/Command$/, '');
      bump(counts.calls, cmd);
      try {
        return await next(args);
      } catch (e) {
        if (e instanceof TransactionCanceledException) {
          const codes = new Set((e.CancellationReasons ?? []).map((r) => r.Code).filter((c) => c && c !== 'None'));
          for (const c of codes) bump(counts.cancelled, c as string);
        } else bump(counts.failed, (e as Error).name);
        throw e;
      }
    },
    { step: 'initialize', name: 'benchCountCalls', priority: 'high' },
  );
  stack.add(
    (next) => async (args) => {
      counts.requests++;
      return next(args);
    },
    { step: 'finalizeRequest', name: 'benchCountRequests' },
  );
  return {
    take(): CallCounts {
      const c = counts;
      counts = empty();
      return c;
    },
    remove() {
      stack.remove('benchCountCalls');
      stack.remove('benchCountRequests');
    },
  };
}

/** `a 3, b 1` for a report line; `none` when empty. */
export const tally = (r: Record<string, number>) =>
  Object.entries(r)
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${k} ${n}`)
    .join(', ') || 'none';

/** Counts of several phases added up. */
export function sumCounts(cs: CallCounts[]): CallCounts {
  const out = empty();
  for (const c of cs) {
    out.requests += c.requests;
    for (const key of ['calls', 'cancelled', 'failed'] as const) for (const [k, n] of Object.entries(c[key])) out[key][k] = (out[key][k] ?? 0) + n;
  }
  return out;
}
