import { describe, expect, it } from 'vitest';
import { JOBS } from '../../infra/jobs.js';
import type { Clock } from '../../lib/domain/clock.js';
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
