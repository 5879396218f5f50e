import type { Clock } from '../domain/clock.js';
import type { ExportRequest } from '../domain/exports.js';
import type { LedgerEntry } from '../domain/ledger.js';
import type { EntryDays } from './day-pages.js';
import type { ExportLookup } from './export-lookup.js';
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
};

/** Note the lots an entry puts in the file (its own and a transformation's inputs). */
export const track = (p: Produced, e: LedgerEntry) => {
  p.lots.set(`${e.gtin}|${e.lot}`, { gtin: e.gtin, lot: e.lot });
  for (const i of e.inputs ?? []) p.lots.set(`${i.gtin}|${i.lot}`, { gtin: i.gtin, lot: i.lot });
};

/**
 * One consistent cut: a lot's head is read once, before any of its entries is mapped (ExportLookup.prepare), and only
 * entries up to that head go into the file, so the manifest's heads are the heads the rows were read at, however much
 * ingest appends meanwhile.
 */
export const inCut = (e: LedgerEntry, lookup: Pick<ExportLookup, 'lot'>) => {
  const h = lookup.lot(e.gtin, e.lot);
  return h === undefined || e.seq <= h.seq;
};
