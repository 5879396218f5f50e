import pRetry, { AbortError } from 'p-retry';

/** Waits `ms` milliseconds. Injected, so tests retry without real timers. */
export type Sleep = (ms: number) => Promise<void>;
export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
export const noSleep: Sleep = async () => undefined;

export type RetryOptions = {
  /** attempts in all, the first included */
  attempts: number;
  /** how long to wait after failed attempt n (1-based) */
  delayMs: (attempt: number) => number;
  sleep?: Sleep;
  /** whether an error is worth another attempt; default: every error */
  retryable?: (error: unknown) => boolean;
  /** told of each failed attempt that will be retried */
  onRetry?: (error: unknown, attempt: number) => void;
};

/** Exponential backoff with full jitter: `base * 2^(attempt-1)`, capped, times a random factor in [0.5, 1.5). */
export const jittered =
  (baseMs: number, capMs: number, random: () => number = Math.random) =>
  (attempt: number) =>
    Math.min(capMs, baseMs * 2 ** (attempt - 1)) * (0.5 + random());

/** Thrown from a retried function to stop at once with `error`, whatever `retryable` says. */
export const stopRetrying = (error: Error) => new AbortError(error);

/**
 * Run `fn` until it resolves, an error is not retryable, or `attempts` are used up; the last error is thrown.
 * The one retry loop of lotledger, over p-retry; the wait between attempts goes through the injected `sleep`.
 * @example await retry(() => send(batch), { attempts: 8, delayMs: jittered(20, 2000), retryable: isThrottle })
 */
export async function retry<T>(fn: (attempt: number) => Promise<T>, o: RetryOptions): Promise<T> {
  const sleep = o.sleep ?? realSleep;
  const retryable = o.retryable ?? (() => true);
  return pRetry(fn, {
    retries: Math.max(0, o.attempts - 1),
    minTimeout: 0,
    maxTimeout: 0,
    randomize: false,
    onFailedAttempt: async ({ error, attemptNumber, retriesLeft }) => {
      if (retriesLeft > 0 && retryable(error)) {
        o.onRetry?.(error, attemptNumber);
        await sleep(o.delayMs(attemptNumber));
      }
    },
    shouldRetry: ({ error }) => retryable(error),
  });
}
