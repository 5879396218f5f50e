import { utcDaysFor } from '../domain/exports.js';
import { fsmaRows } from '../domain/fsma204.js';
import { entryMatches, pagesByDay } from './day-pages.js';
import { type ExportRun, track } from './export-run.js';
import type { EncodedRow, FsmaWriter, GlossaryFacts } from './fsma-writers.js';

/** A row waiting to be sorted, kept small: its sort keys, its arrival number and the writer's encoding of it. */
type Pending = { date: string; eventId: string; n: number; encoded: EncodedRow };

/**
 * FSMA rows sorted by Event Date then Event ID, without holding the whole range: GSI3 hands entries over by UTC day,
 * and an event's local date is within one day of its UTC date, so once UTC day D is read every row dated D-1 or earlier
 * is complete and goes out sorted. Bound: rows of about three days are held at once (one small record each).
 */
export async function writeFsma(run: ExportRun, writer: FsmaWriter): Promise<void> {
  const { request: r, lookup, produced } = run;
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
  for await (const { index, page } of pagesByDay(run.days, r)) {
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
    ...(r.gtin ? { gtin: r.gtin } : {}),
    ...(r.lot ? { lot: r.lot } : {}),
    products,
    lots: produced.lots.size,
    units,
    generatedAt,
  };
}
