import { utcDaysFor } from '../domain/exports.js';
import { kdeGaps } from '../domain/fsma-kdes.js';
import { fsmaRows } from '../domain/fsma204.js';
import { entryMatches, pagesByDay } from './day-pages.js';
import { type ExportRun, inCut, track } from './export-run.js';
import type { EncodedRow, FsmaWriter, GapRow, GlossaryFacts } from './fsma-writers.js';

/** A row waiting to be sorted, kept small: its sort keys, its arrival number, the writer's encoding and its gaps. */
type Pending = { time: number; eventId: string; n: number; encoded: EncodedRow; gaps?: GapRow[] };

const byTime = (a: Pending, b: Pending) => a.time - b.time || (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : a.n - b.n);

/**
 * FSMA rows sorted by Event Time (the instant) then Event ID, without holding the whole range: GSI3 hands entries over
 * by UTC day of `occurredAt`, and a row's time is its entry's `occurredAt` or later (a transfer's receipt), so once UTC
 * day D is read every row before D+1 00:00Z is complete and goes out sorted. Rows of about a day are held at once.
 * Each row's KDE gaps go with it (the xlsx `KDE Gaps` tab, the manifest's gap count).
 */
export async function writeFsma(run: ExportRun, writer: FsmaWriter): Promise<void> {
  const { request: r, lookup, produced } = run;
  let pending: Pending[] = [];
  let n = 0;
  const flush = async (before: number | undefined) => {
    const ready: Pending[] = [];
    const later: Pending[] = [];
    for (const p of pending) (before === undefined || p.time < before ? ready : later).push(p);
    pending = later;
    if (ready.length === 0) return;
    ready.sort(byTime);
    for (let i = 0; i < ready.length; i += 1000) {
      const chunk = ready.slice(i, i + 1000);
      await writer.write(chunk.map((p) => p.encoded));
      const gaps = chunk.flatMap((p) => p.gaps ?? []);
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
      const rows = fsmaRows(e, lookup);
      if (rows.length === 0) continue;
      track(produced, e);
      for (const row of rows) {
        const gaps = kdeGaps(row).map((g) => ({ eventId: row.eventId, cte: row.cte, lot: e.lot, gtin: e.gtin, missing: g.missing, why: g.why }));
        produced.kdeGaps += gaps.length;
        pending.push({ time: row.time, eventId: row.eventId, n: n++, encoded: writer.encode(row), ...(gaps.length ? { gaps } : {}) });
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
