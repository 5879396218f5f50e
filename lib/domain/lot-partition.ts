import type { LedgerEntry, LotKey, LotState, UnchainedEntry } from './ledger.js';

/**
 * One page of a lot's partition: its head (on the page that holds it), chained entries in seq order, and the entries
 * accepted but not chained yet that the page met (acceptance order); `cursor` resumes.
 */
export type LotPartitionPage = {
  head?: LotState;
  entries: LedgerEntry[];
  pending?: UnchainedEntry[];
  /** the `reportedAt` of each warranty claim on the lot the page met (claims count as defect returns) */
  claims?: string[];
  cursor?: string;
};

/** Reads a lot's head and chain together, page by page (one request a page). */
export interface LotPartitions {
  lotPartition(k: LotKey, opts?: { cursor?: string }): Promise<LotPartitionPage>;
}

/** Stream a lot's chained entries to `visit`, one page at a time; the head, when the lot has one. */
export async function forEachEntryPage(ledger: LotPartitions, k: LotKey, visit: (entries: LedgerEntry[]) => void): Promise<LotState | undefined> {
  let head: LotState | undefined;
  let cursor: string | undefined;
  do {
    const page = await ledger.lotPartition(k, cursor === undefined ? {} : { cursor });
    head ??= page.head;
    visit(page.entries);
    cursor = page.cursor;
  } while (cursor !== undefined);
  return head;
}

/**
 * A lot's head, every chained entry (oldest first) and the entries accepted but not chained yet, in as few requests as
 * its size allows. An entry the sequencer chained while the pages were read shows once, as chained.
 */
export async function readLotPartition(
  ledger: LotPartitions,
  k: LotKey,
): Promise<{ head?: LotState; entries: LedgerEntry[]; pending: UnchainedEntry[]; claims: string[] }> {
  const entries: LedgerEntry[] = [];
  const pending: UnchainedEntry[] = [];
  const claims: string[] = [];
  let head: LotState | undefined;
  let cursor: string | undefined;
  do {
    const page = await ledger.lotPartition(k, cursor === undefined ? {} : { cursor });
    head ??= page.head;
    for (const e of page.entries) entries.push(e);
    for (const e of page.pending ?? []) pending.push(e);
    for (const c of page.claims ?? []) claims.push(c);
    cursor = page.cursor;
  } while (cursor !== undefined);
  const chained = new Set(entries.map((e) => JSON.stringify([e.eventId, e.role ?? null])));
  const unchained = pending.filter((e) => !chained.has(JSON.stringify([e.eventId, e.role ?? null])));
  return head ? { head, entries, pending: unchained, claims } : { entries, pending: unchained, claims };
}
