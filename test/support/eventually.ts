/**
 * Run `check` until it stops throwing, or rethrow its last error after `timeoutMs`. For what the contract lets
 * trail acceptance (chaining, up to 2 s): passes at once when it is already true, as in a design that chains on
 * acceptance, and waits when it is not.
 */
export async function eventually<T>(check: () => Promise<T>, opts: { timeoutMs?: number; intervalMs?: number } = {}): Promise<T> {
  const deadline = performance.now() + (opts.timeoutMs ?? 5000);
  for (;;) {
    try {
      return await check();
    } catch (e) {
      if (performance.now() >= deadline) throw e;
      await new Promise((r) => setTimeout(r, opts.intervalMs ?? 100));
    }
  }
}
