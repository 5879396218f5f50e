import { AppError } from '../domain/errors.js';
import { jittered, retry, type Sleep } from '../domain/retry.js';

/** DynamoDB kept leaving part of a batch unprocessed (it does so under load) through every resend. */
class KeptUnprocessed extends AppError {
  constructor(what: 'keys' | 'items') {
    super('busy', `The table kept returning unprocessed ${what}`);
  }
}

/**
 * Send a batch, then send again what DynamoDB left unprocessed, with jittered backoff, up to 11 sends in all; then
 * fail with `busy`. `send` returns what was left unprocessed.
 * @example await resendUnprocessed(keys, 'keys', async (ks) => (await doc.send(get(ks))).UnprocessedKeys?.[t]?.Keys)
 */
export async function resendUnprocessed<T>(
  batch: T[],
  what: 'keys' | 'items',
  send: (pending: T[]) => Promise<T[] | undefined>,
  sleep?: Sleep,
): Promise<void> {
  let pending = batch;
  await retry(
    async () => {
      pending = (await send(pending)) ?? [];
      if (pending.length > 0) throw new KeptUnprocessed(what);
    },
    { attempts: 11, delayMs: jittered(20, 1000), sleep, retryable: (e) => e instanceof KeptUnprocessed },
  );
}
