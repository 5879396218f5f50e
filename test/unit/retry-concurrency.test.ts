import { describe, expect, it } from 'vitest';
import { forEachLimit, mapLimit } from '../../lib/domain/concurrency.js';
import { jittered, retry, stopRetrying } from '../../lib/domain/retry.js';

describe('retry', () => {
  it('retries until the function succeeds, sleeping the injected delays', async () => {
    const slept: number[] = [];
    let calls = 0;
    const r = await retry(
      async () => {
        calls++;
        if (calls < 3) throw new Error('throttled');
        return 'ok';
      },
      { attempts: 5, delayMs: (n) => n * 10, sleep: async (ms) => void slept.push(ms) },
    );
    expect(r).toBe('ok');
    expect(calls).toBe(3);
    expect(slept).toEqual([10, 20]);
  });

  it('throws the last error once the attempts are used up, without a final sleep', async () => {
    const slept: number[] = [];
    let calls = 0;
    const run = retry(
      async () => {
        calls++;
        throw new Error(`fail ${calls}`);
      },
      { attempts: 3, delayMs: () => 1, sleep: async (ms) => void slept.push(ms) },
    );
    await expect(run).rejects.toThrow('fail 3');
    expect(slept).toHaveLength(2);
  });

  it('stops at once on an error that is not retryable, or on stopRetrying', async () => {
    let calls = 0;
    const slept: number[] = [];
    const sleep = async (ms: number) => void slept.push(ms);
    await expect(
      retry(
        async () => {
          calls++;
          throw new Error('validation');
        },
        { attempts: 5, delayMs: () => 1, sleep, retryable: (e) => (e as Error).message !== 'validation' },
      ),
    ).rejects.toThrow('validation');
    expect(calls).toBe(1);
    await expect(
      retry(
        async () => {
          throw stopRetrying(new Error('final'));
        },
        { attempts: 5, delayMs: () => 1, sleep },
      ),
    ).rejects.toThrow('final');
    expect(slept).toEqual([]);
  });

  it('jittered backoff doubles up to its cap and stays within [0.5, 1.5) of it', () => {
    const low = jittered(10, 100, () => 0);
    const high = jittered(10, 100, () => 0.999);
    expect([1, 2, 3, 4, 5].map(low)).toEqual([5, 10, 20, 40, 50]);
    expect(high(10)).toBeLessThan(150);
  });
});

describe('mapLimit', () => {
  it('keeps the order of its items and never runs more than width at once', async () => {
    let inFlight = 0;
    let most = 0;
    const out = await mapLimit([5, 1, 4, 2, 3], 2, async (n) => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((r) => setTimeout(r, n));
      inFlight--;
      return n * 2;
    });
    expect(out).toEqual([10, 2, 8, 4, 6]);
    expect(most).toBe(2);
  });

  it('rejects with the first error after the others settle', async () => {
    const done: number[] = [];
    await expect(
      forEachLimit([1, 2, 3], 3, async (n) => {
        if (n === 2) throw new Error('boom');
        await new Promise((r) => setTimeout(r, 5));
        done.push(n);
      }),
    ).rejects.toThrow('boom');
    expect(done.sort()).toEqual([1, 3]);
  });
});
