import { describe, expect, it } from 'vitest';
import { ApiError } from '../../cli/api-client.js';
import { startExport } from '../../cli/commands/export.js';

/** An API whose POSTs answer from a script, recording the headers each one carried. */
function scripted(answers: Array<() => unknown>) {
  const sent: Record<string, string>[] = [];
  return {
    sent,
    post: async <T>(_path: string, _body: unknown, headers: Record<string, string> = {}): Promise<T> => {
      sent.push(headers);
      const next = answers.shift();
      if (!next) throw new Error('no more answers');
      return next() as T;
    },
  };
}

const body = { format: 'fsma204-csv', from: '2026-03-01', to: '2026-03-31' };

describe('lotledger export: starting the job', () => {
  it('tries again after a 503 or an unreachable API, with the same Idempotency-Key every time', async () => {
    const api = scripted([
      () => {
        throw new ApiError(503, { error: { code: 'busy', message: 'The export queue did not take the job; try again' } });
      },
      () => {
        throw new Error('cannot reach the lotledger API');
      },
      () => ({ exportId: 'X-1' }),
    ]);
    expect(await startExport(api, body, { backoffMs: 1 })).toEqual({ exportId: 'X-1' });
    expect(api.sent).toHaveLength(3);
    const keys = new Set(api.sent.map((h) => h['idempotency-key']));
    expect(keys.size).toBe(1);
    expect([...keys][0]).toMatch(/^cli-[0-9a-f-]{36}$/);
  });

  it('gives up after the last try, and never retries a request the API refused as bad', async () => {
    const busy = () => {
      throw new ApiError(503, { error: { code: 'busy' } });
    };
    const tired = scripted([busy, busy, busy]);
    await expect(startExport(tired, body, { backoffMs: 1 })).rejects.toMatchObject({ status: 503 });
    expect(tired.sent).toHaveLength(3);
    const refused = scripted([
      () => {
        throw new ApiError(400, { error: { code: 'validation_failed', details: [{ path: 'to', message: 'must not be before from' }] } });
      },
    ]);
    await expect(startExport(refused, body, { backoffMs: 1 })).rejects.toMatchObject({ status: 400 });
    expect(refused.sent).toHaveLength(1);
  });
});
