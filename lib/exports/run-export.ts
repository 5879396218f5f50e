import type { Clock } from '../domain/clock.js';
import { AppError } from '../domain/errors.js';
import type { ExportJob, ExportJobStore, ExportManifest } from '../domain/exports.js';
import { jittered, realSleep, retry, type Sleep } from '../domain/retry.js';
import { isTransientError } from '../domain/transient-errors.js';
import type { EntryDays } from './day-pages.js';
import { ExportLookup, type ExportSources } from './export-lookup.js';
import { LedgerCut, type Produced, resolveCutHeads } from './export-run.js';
import { writerOf } from './formats.js';
import type { ByteSink } from './fsma-writers.js';

export type StreamingObject = ByteSink & { end(): Promise<{ bytes: number; sha256: string }>; abort(): Promise<void> };

export type RunExportDeps = {
  exports: ExportJobStore;
  /** the export bucket: streaming uploads and JSON puts */
  exportFiles: { open(key: string, contentType: string): StreamingObject; putJson(key: string, value: unknown): Promise<unknown> };
  /** ledger entries by UTC day (GSI3), filtered loosely by gtin/lot */
  days: EntryDays;
  sources: ExportSources;
  clock: Clock;
  /** waits between tries of an attempt; tests pass one that resolves at once */
  sleep?: Sleep;
  /** how long chaining may trail acceptance: the export waits that long past its cut before reading (0 where writes chain at once) */
  chainTrailMs: number;
};

/**
 * Wait until every movement accepted up to the cut is chained (chaining trails acceptance by at most `chainTrailMs`),
 * so rows and manifest heads read the same prefix of every chain however the sequencer interleaves with the export.
 */
export async function settleCut(d: { clock: Clock; sleep?: Sleep; chainTrailMs: number }, at: string): Promise<void> {
  const wait = Math.min(d.chainTrailMs, Date.parse(at) + d.chainTrailMs - d.clock.now().getTime());
  if (wait > 0) await (d.sleep ?? realSleep)(wait);
}

/** Tries within one attempt when storage fails transiently; the file is written again from the start each time. */
const PRODUCE_ATTEMPTS = 3;

/** Readable reason for a failed job, without internals of AWS errors. */
const reasonOf = (e: unknown) =>
  e instanceof AppError ? e.message : `export failed: ${(e as Error).name ?? 'Error'}: ${(e as Error).message ?? String(e)}`;

/**
 * How long an attempt owns a job: longer than the export worker's timeout (900 s in infra/jobs.ts; a test pins it), so
 * an attempt still running is never joined by a second one, and one that died is taken over by the next delivery.
 */
export const EXPORT_LEASE_MS = 16 * 60_000;

/** Another attempt is running the job: the message goes back to the queue and is retried after that attempt's end. */
export class ExportBusyError extends Error {
  override readonly name = 'ExportBusyError';
}

/**
 * Run one export job: pending/failed → running → complete (file, then manifest beside it) or failed with a readable
 * error. A complete job is left alone, so a redelivered message does nothing twice; a job another attempt is running
 * (SQS delivers at least once) throws {@link ExportBusyError}, so two workers never write the same file at once.
 * A transient error (throttling, `busy`, a 5xx, the network) is tried again within the attempt; if it persists the job
 * is handed back as `pending` with its lease released and the error rethrown, so the queue's redelivery runs it again.
 * Only a permanent error marks the job failed: an AppError is not retried, anything else (a bug, a refused request)
 * is rethrown so the queue retries it and in the end parks it in its DLQ. An attempt whose lease was taken over does
 * not overwrite the later attempt's outcome.
 * @example await runExport(d, 'X-0123')
 */
export async function runExport(d: RunExportDeps, exportId: string): Promise<ExportJob | undefined> {
  const job = await d.exports.get(exportId);
  if (!job || job.status === 'complete') return job;
  const now = d.clock.now();
  const started = now.toISOString();
  const running: ExportJob = {
    ...job,
    status: 'running',
    attempts: job.attempts + 1,
    startedAt: started,
    updatedAt: started,
    leaseUntil: new Date(now.getTime() + EXPORT_LEASE_MS).toISOString(),
  };
  delete running.error;
  if (!(await d.exports.claim(running, job.attempts, started))) {
    throw new ExportBusyError(`Export ${exportId} is being run by another attempt (or just was); retry later`);
  }
  const { leaseUntil: _, ...attempt } = running;
  const tries = { delayMs: jittered(500, 10_000), retryable: isTransientError, ...(d.sleep ? { sleep: d.sleep } : {}) };
  try {
    const done = await retry(() => produce(d, attempt), { ...tries, attempts: PRODUCE_ATTEMPTS });
    if (await d.exports.finish(done)) return done;
    return d.exports.get(exportId);
  } catch (e) {
    const updatedAt = d.clock.now().toISOString();
    const transient = isTransientError(e);
    const outcome: ExportJob = transient
      ? { ...attempt, status: 'pending', error: `retrying: ${reasonOf(e)}`, updatedAt }
      : { ...attempt, status: 'failed', error: reasonOf(e), updatedAt };
    await retry(() => d.exports.finish(outcome), { ...tries, attempts: PRODUCE_ATTEMPTS });
    if (e instanceof AppError && !transient) return undefined;
    throw e;
  }
}

async function produce(d: RunExportDeps, job: ExportJob): Promise<ExportJob> {
  const r = job.request;
  const lookup = new ExportLookup(d.sources);
  const produced: Produced = { rowCount: 0, lots: new Map(), kdeGaps: 0 };
  const cut = new LedgerCut(d.clock.now().toISOString());
  await settleCut(d, cut.at);
  const format = writerOf(job.format);
  const contentType = format.contentType;
  const file = d.exportFiles.open(job.key, contentType);
  let result: { bytes: number; sha256: string };
  try {
    await format.write({
      request: r,
      days: d.days,
      lookup,
      out: file,
      produced,
      clock: d.clock,
      requestedBy: job.requestedBy,
      requestedAt: job.createdAt,
      cut,
    });
    result = await file.end();
  } catch (e) {
    await file.abort();
    throw e;
  }
  const generatedAt = d.clock.now().toISOString();
  const manifest: ExportManifest = {
    manifestVersion: 1,
    exportId: job.exportId,
    format: job.format,
    request: r,
    requestedBy: job.requestedBy,
    generatedAt,
    bucket: job.bucket,
    key: job.key,
    contentType,
    rowCount: produced.rowCount,
    bytes: result.bytes,
    sha256: result.sha256,
    kdeGaps: produced.kdeGaps,
    lots: await resolveCutHeads(d.sources, lookup, cut, produced),
  };
  await d.exportFiles.putJson(job.manifestKey, manifest);
  return {
    ...job,
    status: 'complete',
    rowCount: produced.rowCount,
    bytes: result.bytes,
    sha256: result.sha256,
    kdeGaps: produced.kdeGaps,
    completedAt: generatedAt,
    updatedAt: generatedAt,
  };
}
