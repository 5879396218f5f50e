import type { ExportRequest, ExportScope } from '../domain/exports.js';
import { scopeOf, utcDaysFor } from '../domain/exports.js';
import type { LedgerEntry } from '../domain/ledger.js';
import { localDate } from '../domain/movement.js';

/** Ledger entries by UTC day (GSI3), filtered loosely by gtin/lot. */
export type EntryDays = {
  entriesOfDay(day: string, filter: { gtin?: string; lot?: string }): AsyncIterable<LedgerEntry[]>;
  /** whether the day has any ledger entry at all (a one-item read), so a long sparse range skips its empty days fast */
  anyOnDay(day: string): Promise<boolean>;
};

/** Scopes per request object, so a million entries do not rebuild the sets. */
const scopes = new WeakMap<object, ExportScope>();

/** Is the local date of `instant` (in its own offset) within the request's `from`..`to`? */
export const inDates = (instant: string, r: Pick<ExportRequest, 'from' | 'to'>): boolean => {
  const date = localDate(instant);
  return date >= r.from && date <= r.to;
};

/**
 * The instant a CTE of the entry happened at, when it is not the entry's own: a transfer's Receiving (and its EPCIS
 * receiving event) on `receivedAt`, its Shipping on `occurredAt`. So each is exported on its own day: a transfer
 * shipped one evening and received the next morning is shipped in the first day's export and received in the second's.
 */
export const cteInstant = (e: LedgerEntry, receiving: boolean): string =>
  receiving && e.type === 'transfer' && e.receivedAt ? e.receivedAt : e.occurredAt;

/**
 * Does the entry fall in the request: its local date in range (for a transfer, its shipment's or its receipt's), and
 * its lot (or, for a transform, an input) asked for. A receipt is found only when its entry is in the days read: on
 * the shipment's UTC day, which the reader covers one day either side of the range.
 */
export function entryMatches(e: LedgerEntry, r: Pick<ExportRequest, 'from' | 'to' | 'gtin' | 'lot' | 'gtins' | 'lots'>): boolean {
  if (!inDates(e.occurredAt, r) && !(e.type === 'transfer' && e.receivedAt && inDates(e.receivedAt, r))) return false;
  let scope = scopes.get(r);
  if (!scope) {
    scope = scopeOf(r);
    scopes.set(r, scope);
  }
  if (scope.all) return true;
  const s = scope;
  const hit = (gtin: string, lot: string) => s.gtins.has(gtin) || s.lots.has(`${gtin}|${lot}`);
  return hit(e.gtin, e.lot) || (e.role === 'output' && (e.inputs ?? []).some((i) => hit(i.gtin, i.lot)));
}

/** The loose filter the day reader runs in DynamoDB: only when the request names exactly one GTIN (and maybe one lot). */
function dayFilter(r: ExportRequest): { gtin?: string; lot?: string } {
  const s = scopeOf(r);
  if (s.gtins.size === 1 && s.lots.size === 0) return { gtin: [...s.gtins][0] as string };
  if (s.gtins.size === 0 && s.lots.size === 1) {
    const [gtin, lot] = ([...s.lots][0] as string).split('|') as [string, string];
    return { gtin, lot };
  }
  return {};
}

/** Days probed ahead for any entry at all: each probe is a one-item Query, so many can be in flight. */
const PROBE_AHEAD = 32;

/**
 * Every page of each UTC day, in day order, then `{ page: undefined }` when the day is done. Ranges are often long
 * and mostly empty (a year asked for, a few weeks with movements), so the next days are first probed, many at once, for
 * any entry; an empty day costs only its probe. Of the days that have entries, the first page of the next `depth` is
 * already being fetched (each holds at most two pages), so memory stays bounded however dense the days are.
 */
export async function* pagesByDay(
  source: EntryDays,
  r: ExportRequest,
  depth = 3,
): AsyncGenerator<{ index: number; page: LedgerEntry[] | undefined }> {
  const days = utcDaysFor(r.from, r.to);
  const filter = dayFilter(r);
  /** each probed day: its probe, and its answer once it came (so read-ahead can look without waiting) */
  const probes = new Map<number, { answer: Promise<boolean>; has?: boolean }>();
  const probe = (i: number) => {
    const day = days[i];
    if (day === undefined || probes.has(i)) return;
    const p: { answer: Promise<boolean>; has?: boolean } = { answer: source.anyOnDay(day) };
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
    const it = source.entriesOfDay(day, filter)[Symbol.asyncIterator]();
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
