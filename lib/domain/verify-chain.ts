import { GENESIS_HASH } from './canonical.js';
import { entryHashOk, type LedgerEntry, type LotState } from './ledger.js';

export type ChainCheck = { ok: boolean; entries: number; firstBadSeq?: number; problem?: string };

/**
 * Check a lot's chain: every hash recomputes, every prevHash links, seqs run 1..n without gaps, and the head matches.
 * @example verifyChain(await lots.allEntries(k), await lots.getLot(k)) // { ok: true, entries: 3 }
 */
export function verifyChain(entries: LedgerEntry[], head: Pick<LotState, 'seq' | 'headHash'> | undefined): ChainCheck {
  let prev = GENESIS_HASH;
  for (const [i, e] of entries.entries()) {
    const expectedSeq = i + 1;
    if (e.seq !== expectedSeq) return { ok: false, entries: entries.length, firstBadSeq: expectedSeq, problem: `entry ${expectedSeq} is missing` };
    if (e.prevHash !== prev)
      return { ok: false, entries: entries.length, firstBadSeq: e.seq, problem: `entry ${e.seq} does not link to entry ${e.seq - 1}` };
    if (!entryHashOk(e))
      return { ok: false, entries: entries.length, firstBadSeq: e.seq, problem: `entry ${e.seq} was changed after it was written` };
    prev = e.hash;
  }
  if (head && head.seq !== entries.length)
    return {
      ok: false,
      entries: entries.length,
      firstBadSeq: entries.length + 1,
      problem: `the head says ${head.seq} entries, the table holds ${entries.length}`,
    };
  if (head && head.headHash !== prev)
    return { ok: false, entries: entries.length, firstBadSeq: head.seq, problem: 'the head hash does not match the last entry' };
  return { ok: true, entries: entries.length };
}
