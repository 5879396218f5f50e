import { type DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * A fault injector for a DynamoDB client (or a DocumentClient over it: they share one middleware stack) that gives
 * the conflicts and throttling DynamoDB Local never gives, at the rate the real service would.
 *
 * The conflict model is DynamoDB's documented rule ("Transaction conflict handling"):
 * - a TransactWriteItems that names an item which another TransactWriteItems still in flight names is cancelled
 *   with TransactionCanceledException, reason `TransactionConflict` on that item, and writes nothing;
 * - a PutItem, UpdateItem or DeleteItem of an item an in-flight transaction names fails with
 *   TransactionConflictException;
 * - a TransactGetItems of an item any in-flight write names is cancelled the same way.
 * Plain reads (GetItem, BatchGetItem, Query) never conflict. "In flight" is from the moment the call leaves the
 * client to the moment its answer returns; `minLatencyMs` stretches that to the service's own transaction latency
 * (DynamoDB Local answers faster than the cloud, which would make overlaps rarer than they are), and a refusal takes
 * that long too, as the round trip to the service would. So N writers
 * on one item conflict as often as their calls overlap, which is what N concurrent writers on a hot lot see.
 * With `conflictProbability` below 1 an overlap conflicts only with that probability (a softer model).
 *
 * Throttling models one partition's write budget (`partitionWcu` write units a second per partition key, each
 * item write costing ceil(size / 1 KB) units, doubled inside a transaction as DynamoDB bills it): a write that
 * would overdraw its partition fails with ProvisionedThroughputExceededException (or ThrottlingException) inside
 * the SDK's retry loop, as the real service throttles, so the SDK's own backoff runs first.
 *
 * Random draws come from a generator seeded with `seed`, so the same seed replays the same draws; which calls
 * overlap still depends on timing, as on the real service.
 */
export type ConflictSimOptions = {
  seed?: number;
  /** chance that an overlap conflicts; 1 (the default) is DynamoDB's rule, 0 turns conflicts off */
  conflictProbability?: number;
  /** every transaction holds its items at least this long, as the service's own latency would (default 0) */
  minLatencyMs?: number;
  /** one partition's write budget; no throttling when absent */
  /**
   * `alsoRandomly`: the chance that any write is throttled anyway (a seeded draw), so a test sees throttling however
   * slowly a loaded machine writes: the budget alone throttles only a fast enough writer.
   */
  throttle?: { partitionWcu: number; alsoRandomly?: number; error?: 'ProvisionedThroughputExceededException' | 'ThrottlingException' };
  /** the table's key attributes (the single table's `pk`, `sk` by default) */
  keyAttributes?: readonly string[];
};

export type ConflictSimCounters = {
  /** TransactWriteItems calls seen */
  transactions: number;
  /** TransactWriteItems cancelled with TransactionConflict */
  conflicts: number;
  /** single-item writes failed with TransactionConflictException */
  writeConflicts: number;
  /** TransactGetItems cancelled */
  readConflicts: number;
  /** writes failed for the partition's write budget (each SDK attempt counts) */
  throttled: number;
  /** the most transactions ever in flight on one item at once (including the one refused) */
  peakOverlap: number;
};

type Touch = { key: string; partition: string; wcu: number };

/** The simulator on one client: live counters, and how to take it off again. */
export type ConflictSim = { counters: ConflictSimCounters; uninstall(): void };

/** Install the simulator on `client`. */
export function simulateConflicts(client: DynamoDBClient | DynamoDBDocumentClient, opts: ConflictSimOptions = {}): ConflictSim {
  // a DocumentClient shares its DynamoDBClient's stack, so either takes the same middleware
  const stack = client.middlewareStack as DynamoDBClient['middlewareStack'];
  const rand = seeded(opts.seed ?? 1);
  const p = opts.conflictProbability ?? 1;
  const keyAttrs = opts.keyAttributes ?? ['pk', 'sk'];
  const counters: ConflictSimCounters = { transactions: 0, conflicts: 0, writeConflicts: 0, readConflicts: 0, throttled: 0, peakOverlap: 0 };
  // item key -> transactional writes in flight on it; and writes of any kind in flight (for TransactGetItems)
  const txWrites = new Map<string, number>();
  const anyWrites = new Map<string, number>();
  const buckets = new Map<string, { tokens: number; at: number }>();
  const hold = (m: Map<string, number>, keys: string[], by: 1 | -1) => {
    for (const k of keys) {
      const n = (m.get(k) ?? 0) + by;
      if (n > 0) m.set(k, n);
      else m.delete(k);
    }
  };
  const overlaps = (m: Map<string, number>, keys: string[]) => keys.findIndex((k) => (m.get(k) ?? 0) > 0);
  const conflicts = () => p >= 1 || rand() < p;

  const touchesOf = (cmd: string, input: Record<string, unknown>): Touch[] | undefined => {
    const table = (t: unknown) => String(t ?? '');
    const one = (tableName: unknown, item: unknown, transactional: boolean): Touch => {
      const rec = (item ?? {}) as Record<string, unknown>;
      const parts = keyAttrs.map((a) => scalar(rec[a]));
      return {
        key: `${table(tableName)}|${parts.join('|')}`,
        partition: `${table(tableName)}|${parts[0]}`,
        wcu: Math.max(1, Math.ceil(approxSize(rec) / 1024)) * (transactional ? 2 : 1),
      };
    };
    if (cmd === 'TransactWriteItemsCommand' || cmd === 'TransactGetItemsCommand') {
      return ((input.TransactItems as Record<string, { TableName?: unknown; Item?: unknown; Key?: unknown }>[]) ?? []).map((action) => {
        const a = Object.values(action)[0] ?? {};
        return one(a.TableName, a.Item ?? a.Key, true);
      });
    }
    if (cmd === 'PutItemCommand') return [one(input.TableName, input.Item, false)];
    if (cmd === 'UpdateItemCommand' || cmd === 'DeleteItemCommand') return [one(input.TableName, input.Key, false)];
    return undefined;
  };

  const cancelled = (n: number, at: number) =>
    new TransactionCanceledException({
      message: 'Transaction cancelled, please refer cancellation reasons for specific reasons [TransactionConflict]',
      $metadata: { httpStatusCode: 400 },
      CancellationReasons: Array.from({ length: n }, (_, i) => ({ Code: i === at ? 'TransactionConflict' : 'None' })),
    });

  stack.add(
    ((next: (a: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: { input: Record<string, unknown> }) => {
      const cmd = context.commandName ?? '';
      const touches = touchesOf(cmd, args.input);
      if (!touches) return next(args);
      const keys = touches.map((t) => t.key);
      const refuse = async (e: Error) => {
        if (opts.minLatencyMs) await sleep(opts.minLatencyMs);
        throw e;
      };
      if (cmd === 'TransactGetItemsCommand') {
        const at = overlaps(anyWrites, keys);
        if (at >= 0 && conflicts()) {
          counters.readConflicts++;
          return refuse(cancelled(keys.length, at));
        }
        return next(args);
      }
      if (cmd === 'TransactWriteItemsCommand') {
        counters.transactions++;
        const peak = Math.max(0, ...keys.map((k) => txWrites.get(k) ?? 0)) + 1;
        counters.peakOverlap = Math.max(counters.peakOverlap, peak);
        const at = overlaps(txWrites, keys);
        if (at >= 0 && conflicts()) {
          counters.conflicts++;
          return refuse(cancelled(keys.length, at));
        }
      } else if (overlaps(txWrites, keys) >= 0 && conflicts()) {
        counters.writeConflicts++;
        return refuse(serviceError('TransactionConflictException', 'Transaction is ongoing for the item'));
      }
      const transactional = cmd === 'TransactWriteItemsCommand';
      const started = performance.now();
      if (transactional) hold(txWrites, keys, 1);
      hold(anyWrites, keys, 1);
      try {
        return await next(args);
      } finally {
        const left = (opts.minLatencyMs ?? 0) - (performance.now() - started);
        if (transactional && left > 0) await sleep(left);
        if (transactional) hold(txWrites, keys, -1);
        hold(anyWrites, keys, -1);
      }
    }) as never,
    { step: 'initialize', name: 'conflictSimulator', priority: 'high' },
  );

  if (opts.throttle) {
    const { partitionWcu, alsoRandomly = 0, error = 'ProvisionedThroughputExceededException' } = opts.throttle;
    stack.add(
      ((next: (a: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: { input: Record<string, unknown> }) => {
        const cmd = context.commandName ?? '';
        if (cmd === 'TransactGetItemsCommand') return next(args);
        // the input is marshalled by now (`{ S: ... }`); touchesOf reads either shape
        const touches = touchesOf(cmd, args.input);
        if (!touches) return next(args);
        const now = performance.now();
        const need = new Map<string, number>();
        for (const t of touches) need.set(t.partition, (need.get(t.partition) ?? 0) + t.wcu);
        const short = [...need].some(([part, wcu]) => refill(buckets, part, partitionWcu, now).tokens < wcu);
        if (short || (alsoRandomly > 0 && rand() < alsoRandomly)) {
          counters.throttled++;
          throw serviceError(error, 'The level of configured provisioned throughput for the table was exceeded.');
        }
        for (const [part, wcu] of need) (buckets.get(part) as { tokens: number }).tokens -= wcu;
        return next(args);
      }) as never,
      { step: 'deserialize', name: 'throttleSimulator' },
    );
  }
  return {
    counters,
    uninstall: () => {
      stack.remove('conflictSimulator');
      stack.remove('throttleSimulator');
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A token bucket per partition: `rate` units a second, holding at most one second's worth. */
function refill(buckets: Map<string, { tokens: number; at: number }>, part: string, rate: number, now: number) {
  const b = buckets.get(part) ?? { tokens: rate, at: now };
  b.tokens = Math.min(rate, b.tokens + ((now - b.at) / 1000) * rate);
  b.at = now;
  buckets.set(part, b);
  return b;
}

/** A key attribute's value, marshalled (`{ S: 'x' }`) or not. */
function scalar(v: unknown): string {
  if (v && typeof v === 'object') {
    const [val] = Object.values(v as Record<string, unknown>);
    return String(val);
  }
  return String(v);
}

/** Roughly an item's stored size: the length of its JSON (names and values), enough to bill write units. */
const approxSize = (item: Record<string, unknown>) => JSON.stringify(item).length;

/** A service-shaped error the SDK's retry strategy classifies by name, as it would the real one. */
const serviceError = (name: string, message: string) =>
  Object.assign(new Error(message), { name, $fault: 'client', $metadata: { httpStatusCode: 400, attempts: 1, totalRetryDelay: 0 } });

/** mulberry32: a small seeded generator in [0, 1). */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
