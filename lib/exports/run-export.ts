import type { Clock } from '../domain/clock.js';
import { epcisDocumentFrame, epcisEvents } from '../domain/epcis.js';
import { AppError } from '../domain/errors.js';
import { CONTENT_TYPE, type ExportJob, type ExportJobStore, type ExportManifest, type ExportRequest, utcDaysFor } from '../domain/exports.js';
import { fsmaRows } from '../domain/fsma204.js';
import type { LedgerEntry } from '../domain/ledger.js';
import { localDate } from '../domain/movement.js';
import { ExportLookup, type ExportSources } from './export-lookup.js';
import { type ByteSink, type EncodedRow, FsmaCsvWriter, type FsmaWriter, FsmaXlsxWriter } from './fsma-writers.js';

export type StreamingObject = ByteSink & { end(): Promise<{ bytes: number; sha256: string }>; abort(): Promise<void> };

export type RunExportDeps = {
  exports: ExportJobStore;
  /** the export bucket: streaming uploads and JSON puts */
  exportFiles: { open(key: string, contentType: string): StreamingObject; putJson(key: string, value: unknown): Promise<unknown> };
  /** ledger entries by UTC day (GSI3), filtered loosely by gtin/lot */
  days: {
    entriesOfDay(day: string, filter: { gtin?: string; lot?: string }): AsyncIterable<LedgerEntry[]>;
    /** whether the day has any ledger entry at all (a one-item read), so a long sparse range skips its empty days fast */
    anyOnDay(day: string): Promise<boolean>;
  };
  sources: ExportSources;
  clock: Clock;
};

/** Does the entry fall in the request: its local date in range, and its lot (or, for a transform, an input) asked for. */
export function entryMatches(e: LedgerEntry, r: Pick<ExportRequest, 'from' | 'to' | 'gtin' | 'lot'>): boolean {
  const date = localDate(e.occurredAt);
  if (date < r.from || date > r.to) return false;
  if (r.gtin === undefined) return true;
  const hit = (gtin: string, lot: string) => gtin === r.gtin && (r.lot === undefined || lot === r.lot);
  return hit(e.gtin, e.lot) || (e.type === 'transform' && e.role !== 'input' && (e.inputs ?? []).some((i) => hit(i.gtin, i.lot)));
}

type Produced = { rowCount: number; lots: Map<string, { gtin: string; lot: string }> };

/** Days probed ahead for any entry at all: each probe is a one-item Query, so many can be in flight. */
const PROBE_AHEAD = 32;

/**
 * Every page of each UTC day, in day order, then `{ page: undefined }` when the day is done. Ranges are often long
 * and mostly empty (a year asked for, a few weeks with movements), so the next days are first probed, many at once, for
 * any entry; an empty day costs only its probe. Of the days that have entries, the first page of the next `depth` is
 * already being fetched (each holds at most two pages), so memory stays bounded however dense the days are.
 */
async function* pagesByDay(d: RunExportDeps, r: ExportRequest, depth = 3): AsyncGenerator<{ index: number; page: LedgerEntry[] | undefined }> {
  const days = utcDaysFor(r.from, r.to);
  const filter = { ...(r.gtin ? { gtin: r.gtin } : {}), ...(r.lot ? { lot: r.lot } : {}) };
  /** each probed day: its probe, and its answer once it came (so read-ahead can look without waiting) */
  const probes = new Map<number, { answer: Promise<boolean>; has?: boolean }>();
  const probe = (i: number) => {
    const day = days[i];
    if (day === undefined || probes.has(i)) return;
    const p: { answer: Promise<boolean>; has?: boolean } = { answer: d.days.anyOnDay(day) };
    p.answer.then(
      (v) => {
        p.has = v;
      },
      () => undefined, // awaited below; keep an early failure from counting as unhandled meanwhile
    );
    probes.set(i, p);
  };
  const opened = new Map<number, { it: AsyncIterator<LedgerEntry[]>; first: Promise<IteratorResult<LedgerEntry[]>> }>();
  const open = (i: number) => {
    const day = days[i];
    if (day === undefined || opened.has(i)) return;
    const it = d.days.entriesOfDay(day, filter)[Symbol.asyncIterator]();
    const first = it.next();
    first.catch(() => undefined);
    opened.set(i, { it, first });
  };
  for (let i = 0; i < days.length; i++) {
    for (let j = i; j < Math.min(days.length, i + PROBE_AHEAD); j++) probe(j);
    const any = await probes.get(i)?.answer;
    probes.delete(i);
    if (any) {
      open(i);
      // Read ahead only into days already known to have entries.
      for (let j = i + 1, ahead = 0; j < days.length && ahead < depth - 1 && probes.has(j); j++) {
        if (probes.get(j)?.has !== true) continue;
        open(j);
        ahead++;
      }
      const cur = opened.get(i);
      if (cur) for (let res = await cur.first; !res.done; res = await cur.it.next()) yield { index: i, page: res.value };
      opened.delete(i);
    }
    yield { index: i, page: undefined };
  }
}

/** A row waiting to be sorted, kept small: its sort keys, its arrival number and the writer's encoding of it. */
type Pending = { date: string; eventId: string; n: number; encoded: EncodedRow };

/**
 * FSMA rows sorted by Event Date then Event ID, without holding the whole range: GSI3 hands entries over by UTC day,
 * and an event's local date is within one day of its UTC date, so once UTC day D is read every row dated D-1 or earlier
 * is complete and goes out sorted. Bound: rows of about three days are held at once (one small record each).
 */
async function produceFsma(d: RunExportDeps, r: ExportRequest, lookup: ExportLookup, writer: FsmaWriter, produced: Produced) {
  let pending: Pending[] = [];
  let n = 0;
  const flush = async (upTo: string | undefined) => {
    const ready: Pending[] = [];
    const later: Pending[] = [];
    for (const p of pending) (upTo === undefined || p.date <= upTo ? ready : later).push(p);
    pending = later;
    if (ready.length === 0) return;
    ready.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : a.n - b.n));
    for (let i = 0; i < ready.length; i += 1000) await writer.write(ready.slice(i, i + 1000).map((p) => p.encoded));
    produced.rowCount += ready.length;
  };
  const days = utcDaysFor(r.from, r.to);
  for await (const { index, page } of pagesByDay(d, r)) {
    if (page === undefined) {
      if (index > 0) await flush(days[index - 1]);
      continue;
    }
    await lookup.prepare(page);
    for (const e of page) {
      if (!entryMatches(e, r)) continue;
      const rows = fsmaRows(e, lookup);
      if (rows.length === 0) continue;
      track(produced, e);
      for (const row of rows) pending.push({ date: row['Event Date'], eventId: row['Event ID'], n: n++, encoded: writer.encode(row) });
    }
  }
  await flush(undefined);
  await writer.end();
}

const track = (p: Produced, e: LedgerEntry) => {
  p.lots.set(`${e.gtin}|${e.lot}`, { gtin: e.gtin, lot: e.lot });
  for (const i of e.inputs ?? []) p.lots.set(`${i.gtin}|${i.lot}`, { gtin: i.gtin, lot: i.lot });
};

/** EPCIS events in GSI3 (instant) order, streamed into the document between its head and tail. */
async function produceEpcis(d: RunExportDeps, r: ExportRequest, lookup: ExportLookup, out: ByteSink, produced: Produced) {
  const frame = epcisDocumentFrame(d.clock.now().toISOString());
  await out.write(frame.head);
  for await (const { page } of pagesByDay(d, r)) {
    if (page === undefined) continue;
    await lookup.prepare(page);
    for (const e of page) {
      if (!entryMatches(e, r)) continue;
      const events = epcisEvents(e, lookup);
      if (events.length === 0) continue;
      track(produced, e);
      for (const ev of events) await out.write(`${produced.rowCount++ === 0 ? '' : ','}${JSON.stringify(ev)}`);
    }
  }
  await out.write(frame.tail);
}

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
 * Errors other than AppError are rethrown after the job is marked failed, so the queue retries them (and in the end
 * parks them in its DLQ). An attempt whose lease was taken over does not overwrite the later attempt's outcome.
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
  try {
    const done = await produce(d, attempt);
    if (await d.exports.finish(done)) return done;
    return d.exports.get(exportId);
  } catch (e) {
    const failedAt = d.clock.now().toISOString();
    await d.exports.finish({ ...attempt, status: 'failed', error: reasonOf(e), updatedAt: failedAt });
    if (e instanceof AppError) return undefined;
    throw e;
  }
}

async function produce(d: RunExportDeps, job: ExportJob): Promise<ExportJob> {
  const r = job.request;
  const lookup = new ExportLookup(d.sources);
  const produced: Produced = { rowCount: 0, lots: new Map() };
  const contentType = CONTENT_TYPE[job.format];
  const file = d.exportFiles.open(job.key, contentType);
  let result: { bytes: number; sha256: string };
  try {
    if (job.format === 'epcis-jsonld') await produceEpcis(d, r, lookup, file, produced);
    else {
      const writer =
        job.format === 'fsma204-csv'
          ? new FsmaCsvWriter(file)
          : new FsmaXlsxWriter(file, () => glossaryFacts(r, lookup, produced, d.clock.now().toISOString()));
      await produceFsma(d, r, lookup, writer, produced);
    }
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
    lots: [...produced.lots.values()]
      .sort((a, b) => (a.gtin < b.gtin ? -1 : a.gtin > b.gtin ? 1 : a.lot < b.lot ? -1 : a.lot > b.lot ? 1 : 0))
      .map((l) => {
        const h = lookup.lot(l.gtin, l.lot);
        return { gtin: l.gtin, lot: l.lot, seq: h?.seq ?? 0, hash: h?.hash ?? '' };
      }),
  };
  await d.exportFiles.putJson(job.manifestKey, manifest);
  return {
    ...job,
    status: 'complete',
    rowCount: produced.rowCount,
    bytes: result.bytes,
    sha256: result.sha256,
    completedAt: generatedAt,
    updatedAt: generatedAt,
  };
}

function glossaryFacts(r: ExportRequest, lookup: ExportLookup, produced: Produced, generatedAt: string) {
  const gtins = [...new Set([...produced.lots.values()].map((l) => l.gtin))].sort();
  const products = gtins.map((g) => ({ gtin: g, description: lookup.product(g)?.description ?? '' }));
  const units = [...new Set(gtins.map((g) => lookup.product(g)?.unit).filter((u): u is string => u !== undefined))].sort();
  return {
    from: r.from,
    to: r.to,
    ...(r.gtin ? { gtin: r.gtin } : {}),
    ...(r.lot ? { lot: r.lot } : {}),
    products,
    lots: produced.lots.size,
    units,
    generatedAt,
  };
}
