import { utcDaysFor } from '../domain/exports.js';
import { type KdeGap, kdeGaps } from '../domain/fsma-kdes.js';
import { type Cte, fsmaRows } from '../domain/fsma204.js';
import { cteInstant, entryMatches, inDates, pagesByDay } from './day-pages.js';
import { type ExportRun, inCut, track } from './export-run.js';
import type { FsmaWriter, GapRow, GlossaryFacts } from './fsma-writers.js';

/**
 * A row waiting to be sorted, kept small: its sort keys, its arrival number, the writer's encoding and, when the writer
 * takes them, its KDE gaps (shared objects; the gap rows are made when they are written).
 */
type Pending<E> = { time: number; eventId: string; n: number; encoded: E; gaps?: { cte: Cte; lot: string; gtin: string; of: readonly KdeGap[] } };

const byTime = <E>(a: Pending<E>, b: Pending<E>) => a.time - b.time || (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : a.n - b.n);

/**
 * FSMA rows sorted by Event Time (the instant) then Event ID, without holding the whole range: GSI3 hands entries over
 * by UTC day of `occurredAt`, and a row's time is its entry's `occurredAt` or later (a transfer's receipt), so once UTC
 * day D is read every row before D+1 00:00Z is complete and goes out sorted. Rows of about a day are held at once.
 * Each row's KDE gaps are counted (the manifest) and, for a writer that takes them, go with it (the xlsx `KDE Gaps` tab).
 */
export async function writeFsma<E>(run: ExportRun, writer: FsmaWriter<E>): Promise<void> {
  const { request: r, lookup, produced } = run;
  let pending: Pending<E>[] = [];
  let n = 0;
  const flush = async (before: number | undefined) => {
    let ready: Pending<E>[];
    if (before === undefined) {
      ready = pending;
      pending = [];
    } else {
      ready = [];
      const later: Pending<E>[] = [];
      for (const p of pending) (p.time < before ? ready : later).push(p);
      pending = later;
    }
    if (ready.length === 0) return;
    ready.sort(byTime);
    for (let i = 0; i < ready.length; i += 1000) {
      const chunk = ready.slice(i, i + 1000);
      await writer.write(chunk.map((p) => p.encoded));
      if (!writer.takesGaps) continue;
      const gaps: GapRow[] = [];
      for (const p of chunk) {
        const g = p.gaps;
        if (g) for (const k of g.of) gaps.push({ eventId: p.eventId, cte: g.cte, lot: g.lot, gtin: g.gtin, missing: k.missing, why: k.why });
      }
      if (gaps.length) await writer.gaps(gaps);
    }
    produced.rowCount += ready.length;
  };
  const days = utcDaysFor(r.from, r.to);
  for await (const { index, page } of pagesByDay(run.days, r)) {
    if (page === undefined) {
      const day = days[index];
      if (day !== undefined) await flush(Date.parse(`${day}T00:00:00Z`) + 86_400_000);
      continue;
    }
    await lookup.prepare(page);
    for (const e of page) {
      if (!entryMatches(e, r) || !inCut(e, run.cut)) continue;
      const rows = fsmaRows(e, lookup).filter((row) => inDates(cteInstant(e, row.cte === 'Receiving'), r));
      if (rows.length === 0) continue;
      track(produced, e);
      for (const row of rows) {
        const gaps = kdeGaps(row);
        produced.kdeGaps += gaps.length;
        const p: Pending<E> = { time: row.time, eventId: row.eventId, n: n++, encoded: writer.encode(row) };
        if (gaps.length && writer.takesGaps) p.gaps = { cte: row.cte, lot: e.lot, gtin: e.gtin, of: gaps };
        pending.push(p);
      }
    }
  }
  await flush(undefined);
  await writer.end();
}

/** What the xlsx Glossary states about the request and the file, once every row is written. */
export function glossaryFacts(run: ExportRun): GlossaryFacts {
  const { request: r, lookup, produced } = run;
  const generatedAt = run.clock.now().toISOString();
  const gtins = [...new Set([...produced.lots.values()].map((l) => l.gtin))].sort();
  const products = gtins.map((g) => ({ gtin: g, description: lookup.product(g)?.description ?? '' }));
  const units = [...new Set(gtins.map((g) => lookup.product(g)?.unit).filter((u): u is string => u !== undefined))].sort();
  return {
    from: r.from,
    to: r.to,
    gtins: [...(r.gtin && !r.lot ? [r.gtin] : []), ...(r.gtins ?? [])],
    lots: [...(r.gtin && r.lot ? [{ gtin: r.gtin, lot: r.lot }] : []), ...(r.lots ?? [])],
    products,
    lotCount: produced.lots.size,
    units,
    kdeGaps: produced.kdeGaps,
    requestedBy: run.requestedBy,
    requestedAt: run.requestedAt,
    generatedAt,
    ...(run.reference ? { reference: run.reference } : {}),
  };
}
