import type { Clock } from '../domain/clock.js';
import { mapLimit } from '../domain/concurrency.js';
import type { ExportRequest } from '../domain/exports.js';
import type { LedgerEntry } from '../domain/ledger.js';
import type { EntryDays } from './day-pages.js';
import type { ExportLookup, ExportSources } from './export-lookup.js';
import type { ByteSink } from './fsma-writers.js';

/** What an export has put in its file so far: rows (or events), every lot they name (for the manifest), KDE gaps. */
export type Produced = { rowCount: number; lots: Map<string, { gtin: string; lot: string }>; kdeGaps: number };

/** One attempt at writing a format's file: what was asked, where entries come from, the lookup, the file and the tally. */
export type ExportRun = {
  request: ExportRequest;
  days: EntryDays;
  lookup: ExportLookup;
  out: ByteSink;
  produced: Produced;
  clock: Clock;
  /** who asked and when (the Glossary's request facts) */
  requestedBy: string;
  requestedAt: string;
  /** the FDA request's reference, when the export is part of one */
  reference?: string;
  /** the cut of the ledger the file is read at */
  cut: LedgerCut;
};

/** Note the lots an entry puts in the file (its own and a transformation's inputs). */
export const track = (p: Produced, e: LedgerEntry) => {
  p.lots.set(`${e.gtin}|${e.lot}`, { gtin: e.gtin, lot: e.lot });
  for (const i of e.inputs ?? []) p.lots.set(`${i.gtin}|${i.lot}`, { gtin: i.gtin, lot: i.lot });
};

/** A chain position: the entry's seq and hash. */
export type ChainPoint = { seq: number; hash: string };

/**
 * One consistent cut of the ledger (CONTRACT.md, Exports; issue 14): the export takes the instant it starts, `at`, and
 * writes only entries recorded up to it, however much ingest appends (or backdates) while it reads; the manifest then
 * names, for each lot, the last link of its chain at `at` (see resolveCutHeads), so the heads are the ones the rows
 * were read at. `admit` also keeps the last link seen of each lot, which is usually that head already.
 */
export class LedgerCut {
  private readonly seen = new Map<string, ChainPoint>();
  constructor(readonly at: string) {}

  /** Whether the entry is in the cut; notes it as its lot's latest link seen. */
  admit(e: LedgerEntry): boolean {
    if (e.recordedAt > this.at) return false;
    const k = `${e.gtin}|${e.lot}`;
    const cur = this.seen.get(k);
    if (!cur || e.seq > cur.seq) this.seen.set(k, { seq: e.seq, hash: e.hash });
    return true;
  }

  lastSeen = (gtin: string, lot: string) => this.seen.get(`${gtin}|${lot}`);
}

/** Entries recorded up to `at`, the same comparison as LedgerCut (recordedAt is an ISO instant in UTC). */
export const inCut = (e: LedgerEntry, cut: LedgerCut) => cut.admit(e);

/**
 * The manifest's heads: for each lot in the file, the last link of its chain recorded up to the cut. That is the last
 * link the export saw when the lot's head (read during the export) is that very link; otherwise (the lot moved after
 * the cut, or its latest links are outside the date range) the chain is read backwards from its head to the cut.
 */
export async function resolveCutHeads(
  sources: Pick<ExportSources, 'lastEntryAt'>,
  lookup: Pick<ExportLookup, 'lot'>,
  cut: LedgerCut,
  produced: Produced,
): Promise<{ gtin: string; lot: string; seq: number; hash: string }[]> {
  const lots = [...produced.lots.values()].sort((a, b) => (a.gtin < b.gtin ? -1 : a.gtin > b.gtin ? 1 : a.lot < b.lot ? -1 : a.lot > b.lot ? 1 : 0));
  return mapLimit(lots, 16, async (l) => {
    const seen = cut.lastSeen(l.gtin, l.lot);
    const head = lookup.lot(l.gtin, l.lot);
    if (seen && head && head.seq === seen.seq) return { ...l, ...seen };
    const below = (head?.seq ?? Number.MAX_SAFE_INTEGER - 1) + 1;
    const found = sources.lastEntryAt ? await sources.lastEntryAt(l, cut.at, below) : undefined;
    const point = found ? { seq: found.seq, hash: found.hash } : (seen ?? (head ? { seq: head.seq, hash: head.hash } : { seq: 0, hash: '' }));
    return { ...l, ...point };
  });
}
