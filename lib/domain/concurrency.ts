import pLimit from 'p-limit';

/**
 * Run `fn` over `items` with at most `width` calls in flight; results keep the order of `items`. The first error
 * rejects the whole call (after the calls in flight settle). The one worker pool of lotledger, over p-limit.
 * @example const lots = await mapLimit(keys, 8, (k) => store.getLot(k))
 */
export async function mapLimit<T, R>(items: readonly T[], width: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const limit = pLimit(Math.max(1, width));
  const settled = await Promise.allSettled(items.map((item, i) => limit(() => fn(item, i))));
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<R>).value);
}

/** `mapLimit` for side effects only. */
export async function forEachLimit<T>(items: readonly T[], width: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  await mapLimit(items, width, fn);
}

/**
 * Run `fn` over `starts` and over every item an `fn` call hands to `more`, with at most `width` calls in flight: a
 * work queue that grows as it goes (a graph walk reading each node as soon as it is found). The first error stops new
 * calls and rejects the whole run once the calls in flight settle.
 */
export async function crawlLimit<T>(starts: readonly T[], width: number, fn: (item: T, more: (item: T) => void) => Promise<void>): Promise<void> {
  const limit = pLimit(Math.max(1, width));
  const settled: Promise<void>[] = [];
  let failure: { error: unknown } | undefined;
  const more = (item: T) => {
    if (failure) return;
    settled.push(
      limit(() => (failure ? undefined : fn(item, more))).catch((error: unknown) => {
        failure ??= { error };
      }),
    );
  };
  for (const s of starts) more(s);
  for (let i = 0; i < settled.length; i++) await settled[i];
  if (failure) throw failure.error;
}
