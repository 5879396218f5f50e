import type { LedgerEntry, LotKey, LotState } from './ledger.js';

/** One page of a lot's partition: its head (on the page that holds it) and chained entries in seq order; `cursor` resumes. */
export type LotPartitionPage = { head?: LotState; entries: LedgerEntry[]; cursor?: string };

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

/** A lot's head and every chained entry, oldest first, in as few requests as its size allows. */
export async function readLotPartition(ledger: LotPartitions, k: LotKey): Promise<{ head?: LotState; entries: LedgerEntry[] }> {
  const entries: LedgerEntry[] = [];
  const head = await forEachEntryPage(ledger, k, (page) => {
    for (const e of page) entries.push(e);
  });
  return head ? { head, entries } : { entries };
}
