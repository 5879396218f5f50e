import { GENESIS_HASH } from './canonical.js';
import { entryHashOk, type LedgerEntry, type LotState } from './ledger.js';

export type ChainCheck = { ok: boolean; entries: number; firstBadSeq?: number; problem?: string };

/**
 * Check a chain page by page, in seq order, holding only the last hash: `add` each page, then `result` against the head.
 * Every hash recomputes, every prevHash links, seqs run 1..n without gaps, and the head matches.
 */
export function chainChecker() {
  let prev = GENESIS_HASH;
  let count = 0;
  let failure: { firstBadSeq: number; problem: string } | undefined;
  return {
    add(entries: readonly LedgerEntry[]) {
      for (const e of entries) {
        count++;
        if (failure) continue;
        if (e.seq !== count) failure = { firstBadSeq: count, problem: `entry ${count} is missing` };
        else if (e.prevHash !== prev) failure = { firstBadSeq: e.seq, problem: `entry ${e.seq} does not link to entry ${e.seq - 1}` };
        else if (!entryHashOk(e)) failure = { firstBadSeq: e.seq, problem: `entry ${e.seq} was changed after it was written` };
        else prev = e.hash;
      }
    },
    result(head: Pick<LotState, 'seq' | 'headHash'> | undefined): ChainCheck {
      if (failure) return { ok: false, entries: count, ...failure };
      if (head && head.seq !== count)
        return { ok: false, entries: count, firstBadSeq: count + 1, problem: `the head says ${head.seq} entries, the table holds ${count}` };
      if (head && head.headHash !== prev)
        return { ok: false, entries: count, firstBadSeq: head.seq, problem: 'the head hash does not match the last entry' };
      return { ok: true, entries: count };
    },
  };
}

/**
 * Check a lot's whole chain at once (see chainChecker).
 * @example verifyChain(await lots.allEntries(k), await lots.getLot(k)) // { ok: true, entries: 3 }
 */
export function verifyChain(entries: LedgerEntry[], head: Pick<LotState, 'seq' | 'headHash'> | undefined): ChainCheck {
  const c = chainChecker();
  c.add(entries);
  return c.result(head);
}
