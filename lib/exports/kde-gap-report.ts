import { z } from 'zod';
import type { Clock } from '../domain/clock.js';
import { kdeGaps } from '../domain/fsma-kdes.js';
import { type Cte, columnAt, compareRows, fsmaRows } from '../domain/fsma204.js';
import { decodeCursor, encodeCursor } from '../domain/paging.js';
import { cteInstant, type EntryDays, entryMatches, inDates, pagesByDay } from './day-pages.js';
import { ExportLookup, type ExportSources } from './export-lookup.js';
import { inCut, LedgerCut } from './export-run.js';

/** One FSMA 204 row that lacks required KDEs (CONTRACT.md, GET /compliance/kde-gaps). */
export type KdeGapItem = { eventId: string; cte: Cte; gtin: string; lot: string; eventTime: string; missing: string[]; why: string };
export type KdeGapReport = { items: KdeGapItem[]; total: number; nextCursor?: string };

const EVENT_TIME = columnAt('Event Time');

const Position = z.strictObject({ offset: z.number().int().min(0) });

/**
 * The rows of FTL movements dated `from`..`to` (optionally of one GTIN) that lack a required KDE, in Event Time order:
 * one item per row, naming every missing KDE and the CFR paragraphs that ask for them. Paged by `limit` over the whole
 * list (`total` counts all of it); the same rows as the export's `KDE Gaps` tab.
 * @example await kdeGapReport({ days, sources }, { from: '2026-03-01', to: '2026-03-31' }) // { items: [...], total: 3 }
 */
export async function kdeGapReport(
  d: { days: EntryDays; sources: ExportSources; clock: Clock },
  q: { from: string; to: string; gtin?: string; limit?: number; cursor?: string },
): Promise<KdeGapReport> {
  const request = { format: 'fsma204-csv' as const, from: q.from, to: q.to, ...(q.gtin ? { gtin: q.gtin } : {}) };
  const lookup = new ExportLookup(d.sources);
  const cut = new LedgerCut(d.clock.now().toISOString());
  const items: (KdeGapItem & { time: number })[] = [];
  for await (const { page } of pagesByDay(d.days, request)) {
    if (page === undefined) continue;
    await lookup.prepare(page);
    for (const e of page) {
      if (!entryMatches(e, request) || !inCut(e, cut)) continue;
      for (const row of fsmaRows(e, lookup)) {
        if (!inDates(cteInstant(e, row.cte === 'Receiving'), request)) continue;
        const gaps = kdeGaps(row);
        if (gaps.length === 0) continue;
        items.push({
          eventId: row.eventId,
          cte: row.cte,
          gtin: e.gtin,
          lot: e.lot,
          eventTime: row.values[EVENT_TIME] ?? e.occurredAt,
          time: row.time,
          missing: gaps.map((g) => g.missing),
          why: [...new Set(gaps.map((g) => g.why))].join('; '),
        });
      }
    }
  }
  items.sort(compareRows);
  const offset = q.cursor ? decodeCursor(Position, q.cursor).offset : 0;
  const limit = q.limit ?? 1000;
  const pageItems = items.slice(offset, offset + limit).map(({ time: _, ...item }) => item);
  return {
    items: pageItems,
    total: items.length,
    ...(offset + limit < items.length ? { nextCursor: encodeCursor({ offset: offset + limit }) } : {}),
  };
}
