import { type DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';

type Counters = { throttled: number; unprocessed: number; conflicts: number; lostResponses: number };

/** A service-shaped error the SDK's retry strategy recognises. */
const serviceError = (name: string, message: string, status = 400) =>
  Object.assign(new Error(message), { name, $fault: 'client', $metadata: { httpStatusCode: status, attempts: 1, totalRetryDelay: 0 } });

/**
 * Inject the faults DynamoDB Local never produces, through SDK middleware on a client:
 * - throttling (inside the SDK's retry loop, as the real service throttles),
 * - BatchGetItem answers that leave half the keys in UnprocessedKeys,
 * - TransactWriteItems cancelled with TransactionConflict (before it reaches the table),
 * - TransactWriteItems that commit but whose response is lost (after it reached the table).
 * Rates are probabilities per call, drawn from a seeded generator so a failure replays.
 */
export function injectFaults(
  client: DynamoDBClient,
  rates: { throttle?: number; unprocessed?: number; conflict?: number; lostResponse?: number },
  seed = 42,
): Counters {
  let s = seed >>> 0;
  const rand = () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  const counters: Counters = { throttled: 0, unprocessed: 0, conflicts: 0, lostResponses: 0 };

  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as Record<string, unknown>;
      const cmd = context.commandName;
      if (cmd === 'TransactWriteItemsCommand' && rand() < (rates.conflict ?? 0)) {
        counters.conflicts++;
        const n = ((input.TransactItems as unknown[]) ?? []).length;
        throw new TransactionCanceledException({
          message: 'Transaction cancelled, please refer cancellation reasons for specific reasons [TransactionConflict]',
          $metadata: { httpStatusCode: 400 },
          CancellationReasons: Array.from({ length: n }, (_, i) => ({ Code: i === n - 1 ? 'TransactionConflict' : 'None' })),
        });
      }
      if (cmd === 'BatchGetItemCommand' && rand() < (rates.unprocessed ?? 0)) {
        const req = input.RequestItems as Record<string, { Keys: unknown[] } & Record<string, unknown>>;
        const [table, spec] = Object.entries(req)[0] ?? [];
        if (table && spec && spec.Keys.length > 1) {
          counters.unprocessed++;
          const half = Math.ceil(spec.Keys.length / 2);
          const out = await next({ ...args, input: { ...input, RequestItems: { [table]: { ...spec, Keys: spec.Keys.slice(0, half) } } } });
          (out.output as unknown as Record<string, unknown>).UnprocessedKeys = { [table]: { ...spec, Keys: spec.Keys.slice(half) } };
          return out;
        }
      }
      return next(args);
    },
    { step: 'initialize', name: 'faultsBeforeRetry' },
  );

  client.middlewareStack.add(
    (next, context) => async (args) => {
      const cmd = context.commandName;
      if (rand() < (rates.throttle ?? 0)) {
        counters.throttled++;
        throw serviceError('ThrottlingException', 'Rate of requests exceeds the allowed throughput.');
      }
      const out = await next(args);
      if (cmd === 'TransactWriteItemsCommand' && rand() < (rates.lostResponse ?? 0)) {
        counters.lostResponses++;
        throw Object.assign(new Error('socket hang up'), { name: 'TimeoutError', code: 'ECONNRESET', $metadata: {} });
      }
      return out;
    },
    { step: 'deserialize', name: 'faultsInsideRetry' },
  );
  return counters;
}
