import { describe, expect, it } from 'vitest';
import { JOBS } from '../../infra/jobs.js';
import type { Clock } from '../../lib/domain/clock.js';
import { AppError } from '../../lib/domain/errors.js';
import { type ExportDeps, type ExportFormat, ExportRequest, requestExport } from '../../lib/domain/exports.js';
import { noSleep } from '../../lib/domain/retry.js';
import { EXPORT_LEASE_MS, ExportBusyError, runExport } from '../../lib/exports/run-export.js';
import { ledgerWith, life, memoryRunDeps, pendingJob } from '../support/exports.js';

/** A clock the test moves. */
const movableClock = (iso: string) => {
  let t = Date.parse(iso);
  const clock: Clock = { now: () => new Date(t) };
  const advance = (ms: number) => {
    t += ms;
  };
  return { clock, advance };
};

async function setup(id: string) {
  const d = memoryRunDeps(await ledgerWith(life()));
  const time = movableClock('2026-03-02T09:00:00Z');
  d.clock = time.clock;
  const job = pendingJob(id, { format: 'fsma204-csv', from: '2026-03-01', to: '2026-03-01' });
  await d.jobs.create(job);
  return { d, job, time };
}

describe('export attempts (SQS delivers at least once)', () => {
  it('holds a lease longer than the export worker may run, and a visibility timeout longer than the lease', () => {
    const job = JOBS.find((j) => j.kind === 'export-queue');
    if (job?.kind !== 'export-queue') throw new Error('no export-queue job');
    expect(EXPORT_LEASE_MS).toBeGreaterThan(job.timeoutSeconds * 1000);
    // the stack sets the queue's visibility timeout to six times the function timeout (test/infra/stack.test.ts)
    expect(job.timeoutSeconds * 6 * 1000).toBeGreaterThan(EXPORT_LEASE_MS);
  });

  it('runs a job once when two deliveries arrive together: the second is told to retry later', async () => {
    // Prepare
    const { d, job } = await setup('X-twice');
    let opened = 0;
    const open = d.exportFiles.open.bind(d.exportFiles);
    const putJson = d.exportFiles.putJson.bind(d.exportFiles);
    d.exportFiles = {
      putJson,
      open: (k, t) => {
        opened++;
        return open(k, t);
      },
    };
    // Act
    const [a, b] = await Promise.allSettled([runExport(d, job.exportId), runExport(d, job.exportId)]);
    // Assess
    expect(a).toMatchObject({ status: 'fulfilled', value: { status: 'complete', attempts: 1 } });
    expect(b.status).toBe('rejected');
    expect((b as PromiseRejectedResult).reason).toBeInstanceOf(ExportBusyError);
    expect(opened).toBe(1);
    expect(d.jobs.history).toEqual(['pending', 'running', 'complete']);
    // A later redelivery finds it complete and does nothing.
    expect(await runExport(d, job.exportId)).toMatchObject({ status: 'complete', attempts: 1 });
    expect(opened).toBe(1);
  });

  it('leaves a running attempt alone until its lease ends, then takes the job over', async () => {
    // Prepare: an attempt that started and died (its worker crashed) without finishing
    const { d, job, time } = await setup('X-crash');
    const started = time.clock.now();
    await d.jobs.save({
      ...job,
      status: 'running',
      attempts: 1,
      startedAt: started.toISOString(),
      leaseUntil: new Date(started.getTime() + EXPORT_LEASE_MS).toISOString(),
    });
    // Act + Assess: within the lease, busy
    time.advance(EXPORT_LEASE_MS - 1000);
    await expect(runExport(d, job.exportId)).rejects.toBeInstanceOf(ExportBusyError);
    // Act + Assess: after it, the next delivery runs it to the end
    time.advance(2000);
    const done = await runExport(d, job.exportId);
    expect(done).toMatchObject({ status: 'complete', attempts: 2, rowCount: 12 });
    expect(done?.leaseUntil).toBeUndefined();
    expect(d.bucketMem.objects.has(job.key)).toBe(true);
  });

  it('does not let an attempt that lost its lease overwrite the outcome of the one that took over', async () => {
    // Prepare: attempt 1 is claimed; attempt 2 takes over after the lease; attempt 1 then finishes late
    const { d, job, time } = await setup('X-late');
    const finishLate: Array<() => void> = [];
    const first = d.jobs.finish.bind(d.jobs);
    let hold = true;
    d.jobs.finish = async (j) => {
      if (hold && j.attempts === 1) await new Promise<void>((res) => finishLate.push(res));
      return first(j);
    };
    const one = runExport(d, job.exportId);
    while (finishLate.length === 0) await new Promise((r) => setTimeout(r, 1));
    time.advance(EXPORT_LEASE_MS + 1000);
    hold = false;
    // Act
    const two = await runExport(d, job.exportId);
    finishLate[0]?.();
    const late = await one;
    // Assess
    expect(two).toMatchObject({ status: 'complete', attempts: 2 });
    expect(late).toMatchObject({ status: 'complete', attempts: 2 });
    expect((await d.jobs.get(job.exportId))?.attempts).toBe(2);
  });
});

/** An error shaped as the SDK gives a throttled DynamoDB call. */
const throttled = () =>
  Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), {
    name: 'ThrottlingException',
    $retryable: { throttling: true },
    $metadata: { httpStatusCode: 400 },
  });

/** Lot heads that fail `times` times with `error`, then answer; `heal` ends the failures. */
function failingHeads(d: Awaited<ReturnType<typeof setup>>['d'], times: number, error: () => Error) {
  const real = d.sources.heads;
  let calls = 0;
  let left = times;
  d.sources = {
    ...d.sources,
    heads: async (keys) => {
      calls++;
      if (left-- > 0) throw error();
      return real(keys);
    },
  };
  return {
    calls: () => calls,
    heal: () => {
      left = 0;
    },
  };
}

describe('export attempts meeting transient errors', () => {
  it('tries a busy batch-get again within the attempt and completes, never marking the job failed', async () => {
    // Prepare
    const { d, job } = await setup('X-busy-once');
    d.sleep = noSleep;
    const heads = failingHeads(d, 2, () => new AppError('busy', 'The table kept returning unprocessed keys'));
    // Act
    const done = await runExport(d, job.exportId);
    // Assess
    expect(done).toMatchObject({ status: 'complete', attempts: 1, rowCount: 12 });
    expect(heads.calls()).toBeGreaterThan(2);
    expect(d.jobs.history).toEqual(['pending', 'running', 'complete']);
  });

  it('writes the file again after an S3 5xx while it streams', async () => {
    // Prepare
    const { d, job } = await setup('X-s3-500');
    d.sleep = noSleep;
    const open = d.exportFiles.open.bind(d.exportFiles);
    let opened = 0;
    d.exportFiles = {
      putJson: d.exportFiles.putJson.bind(d.exportFiles),
      open: (k, t) => {
        const file = open(k, t);
        if (++opened > 1) return file;
        return {
          ...file,
          end: async () => {
            throw Object.assign(new Error('We encountered an internal error. Please try again.'), {
              name: 'InternalError',
              $metadata: { httpStatusCode: 500 },
            });
          },
        };
      },
    };
    // Act
    const done = await runExport(d, job.exportId);
    // Assess
    expect(done).toMatchObject({ status: 'complete', attempts: 1, rowCount: 12 });
    expect(opened).toBe(2);
    expect(d.bucketMem.objects.has(job.key)).toBe(true);
  });

  it('hands a job whose storage keeps throttling back to the queue as pending, and the next delivery completes it', async () => {
    // Prepare
    const { d, job } = await setup('X-throttled');
    d.sleep = noSleep;
    const heads = failingHeads(d, Number.POSITIVE_INFINITY, throttled);
    // Act + Assess: the attempt gives up, the message goes back, the job is not failed and holds no lease
    await expect(runExport(d, job.exportId)).rejects.toMatchObject({ name: 'ThrottlingException' });
    const handedBack = await d.jobs.get(job.exportId);
    expect(handedBack).toMatchObject({ status: 'pending', attempts: 1 });
    expect(handedBack?.error).toMatch(/^retrying: export failed: ThrottlingException/);
    expect(handedBack?.leaseUntil).toBeUndefined();
    expect(d.jobs.history).not.toContain('failed');
    // Act + Assess: the redelivery, once DynamoDB recovered, claims it at once and completes it
    heads.heal();
    expect(await runExport(d, job.exportId)).toMatchObject({ status: 'complete', attempts: 2, rowCount: 12 });
    expect((await d.jobs.get(job.exportId))?.error).toBeUndefined();
  });

  it('marks a job failed for good on a permanent error, and on a format it does not know', async () => {
    // Prepare
    const { d, job } = await setup('X-bad-data');
    failingHeads(d, Number.POSITIVE_INFINITY, () => new AppError('validation_failed', 'Lot head is malformed'));
    const odd = { ...pendingJob('X-odd', { format: 'fsma204-csv', from: '2026-03-01', to: '2026-03-01' }), format: 'pdf' as ExportFormat };
    await d.jobs.create(odd);
    // Act
    const bad = await runExport(d, job.exportId);
    const unknown = await runExport(d, odd.exportId);
    // Assess
    expect(bad).toBeUndefined();
    expect(await d.jobs.get(job.exportId)).toMatchObject({ status: 'failed', error: 'Lot head is malformed' });
    expect(unknown).toBeUndefined();
    expect(await d.jobs.get(odd.exportId)).toMatchObject({ status: 'failed', error: 'Unknown export format pdf' });
    expect(d.bucketMem.objects.has(odd.key)).toBe(false);
  });

  it('answers a retried POST with the same Idempotency-Key with the handed-back job, queued again, never a failed one', async () => {
    // Prepare
    const { d } = await setup('X-unused');
    d.sleep = noSleep;
    const sent: string[] = [];
    const api: ExportDeps = {
      exports: d.jobs,
      queue: { send: async (id) => void sent.push(id) },
      exportFiles: { bucket: 'mem', presignGet: async (k) => `https://mem/${k}`, readJson: async () => undefined },
      clock: d.clock,
      newToken: () => 'token',
    };
    const request = ExportRequest.parse({ format: 'fsma204-csv', from: '2026-03-01', to: '2026-03-01' });
    const first = await requestExport(api, request, 'ana', 'march');
    const heads = failingHeads(d, Number.POSITIVE_INFINITY, throttled);
    await expect(runExport(d, first.exportId)).rejects.toMatchObject({ name: 'ThrottlingException' });
    // Act
    const again = await requestExport(api, request, 'ana', 'march');
    // Assess
    expect(again).toMatchObject({ exportId: first.exportId, status: 'pending' });
    expect(sent).toEqual([first.exportId, first.exportId]);
    heads.heal();
    expect(await runExport(d, first.exportId)).toMatchObject({ status: 'complete', attempts: 2 });
    expect(await requestExport(api, request, 'ana', 'march')).toMatchObject({ status: 'complete' });
    expect(sent).toHaveLength(2);
  });
});
