import type { Clock } from './clock.js';
import { forEachLimit } from './concurrency.js';
import { type LedgerEntry, type LotKey, type LotMeta, lotId, type PendingEntry, sealEntry } from './ledger.js';
import { realSleep, type Sleep } from './retry.js';

/** One pending entry as the sequencer seals it: the chained entry, and the pending item it replaces. */
export type Sealed = { entry: LedgerEntry; pending: PendingEntry };

/** What the sequencer needs of the ledger store. */
export interface ChainStore {
  /** the lot's chain head and its oldest pending entries (up to `limit`), in acceptance order, in one consistent read */
  unchainedOf(k: LotKey, limit: number): Promise<{ head?: Pick<LotMeta, 'seq' | 'headHash' | 'headAt'>; pending: PendingEntry[] }>;
  /** all or nothing: move the head from `expectedSeq` to `head`, put each entry, delete its pending item; false on a lost race */
  seal(k: LotKey, expectedSeq: number, head: Pick<LotMeta, 'seq' | 'headHash' | 'headAt'>, sealed: Sealed[]): Promise<boolean>;
  /** lots that have pending entries (the sweep's list; may lag behind and may name lots already chained) */
  unchainedLots(): Promise<LotKey[]>;
}

/**
 * Entries sealed in one transaction at most: each takes up to 3 actions (the entry, the pending item's delete, the
 * event record of an entry with serials) and the meta one more: 91 of DynamoDB's 100.
 */
export const SEAL_BATCH = 30;
/** How long chaining may trail acceptance (CONTRACT.md, Ledger: readers see every movement accepted more than 2 s earlier). */
export const CHAIN_TRAIL_MS = 2000;
/** ... and at most about this many bytes of entries, well inside the 4 MB a transaction may carry (each entry is written twice: put, and the pending item it replaces). */
export const SEAL_BYTES = 1_500_000;
/** Lost races in a row before a chaining run gives up (the next trigger or sweep goes on). */
const MAX_LOST = 25;

/**
 * What the sequencer needs: the store and, in the deployed job and the local poller, the clock that stamps each entry's
 * `recordedAt` with the time it is sealed (without one, as in tests on a fixed clock, it keeps its acceptance stamp).
 */
export type ChainDeps = { ledger: ChainStore; clock?: Clock };

/**
 * Chain a lot's pending entries: read its head and oldest pending entries, seal them in that order as seq head+1,
 * head+2, ... each linked by prevHash, and commit them with the head's move, guarded by the seq read. A lost race
 * (another sequencer moved the head) reads again and goes on; run again, it finds nothing to do. Returns how many it chained.
 * @example await chainLot({ ledger }, { gtin, lot }) // 3
 */
export async function chainLot(d: ChainDeps, k: LotKey): Promise<number> {
  let chained = 0;
  let lost = 0;
  for (;;) {
    const { head, pending } = await d.ledger.unchainedOf(k, SEAL_BATCH);
    if (!head || pending.length === 0) return chained;
    const batch = withinBytes(pending);
    let seq = head.seq;
    let prev = head.headHash;
    // recordedAt never goes down along a chain (an entry accepted earlier may be sealed after a later one from another
    // site), and with a clock it is the time of sealing: so "recorded up to T" is always a prefix of the chain and, once
    // T has passed (and the seal transactions in flight at T have landed), a prefix no later seal can grow. The
    // exports' consistent cut relies on both: an entry accepted before T but sealed after it is outside the cut, in
    // the rows and in the manifest's heads alike, however late the sequencer runs.
    const sealedAt = d.clock?.now().toISOString() ?? '';
    let at = head.headAt ?? '';
    if (sealedAt > at) at = sealedAt;
    const sealed = batch.map((p): Sealed => {
      seq += 1;
      at = p.entry.recordedAt > at ? p.entry.recordedAt : at;
      const entry = sealEntry({ ...p.entry, recordedAt: at, seq, prevHash: prev });
      prev = entry.hash;
      return { entry, pending: p };
    });
    if (await d.ledger.seal(k, head.seq, { seq, headHash: prev, headAt: at }, sealed)) {
      chained += sealed.length;
      lost = 0;
      if (pending.length < SEAL_BATCH && batch.length === pending.length) return chained;
    } else if (++lost >= MAX_LOST) {
      throw new Error(`lot ${lotId(k)}: the chain head kept moving (${MAX_LOST} lost races); the next run goes on`);
    }
  }
}

/** The oldest pending entries that fit in one transaction's bytes (always at least one). */
function withinBytes(pending: PendingEntry[]): PendingEntry[] {
  let bytes = 0;
  const out: PendingEntry[] = [];
  for (const p of pending) {
    bytes += 2 * JSON.stringify(p).length;
    if (out.length > 0 && bytes > SEAL_BYTES) break;
    out.push(p);
  }
  return out;
}

/** Lots chained at once by one run. */
const LOTS_AT_ONCE = 4;

/** Chain each of these lots (each once, a few at a time). Returns the entries chained. */
export async function chainLots(d: ChainDeps, lots: readonly LotKey[]): Promise<number> {
  const unique = [...new Map(lots.map((l) => [lotId(l), { gtin: l.gtin, lot: l.lot }])).values()];
  let n = 0;
  await forEachLimit(unique, LOTS_AT_ONCE, async (k) => {
    n += await chainLot(d, k);
  });
  return n;
}

/** Chain every lot the unchained index lists: the safety net behind the stream (and the local poller). */
export async function sweepUnchained(d: ChainDeps): Promise<number> {
  return chainLots(d, await d.ledger.unchainedLots());
}

/**
 * A read that may meet movements accepted but not chained yet, read again (backing off from 50 ms) while it does, for
 * at most `chainTrailMs` and a little more; then it answers with what it last read. Without `chainTrailMs` (tests that
 * chain as they write) it reads once. The trace's movements and a serial's history use it, so a read right after a
 * write lists the write (CONTRACT.md lets only the movements list, verify and exports trail). `first`: what the
 * caller has read already, instead of a first read here.
 * @example await readUntilChained(d, () => serialMovements(...), (m) => m.all.length > m.chained.length)
 */
export async function readUntilChained<T>(
  d: { chainTrailMs?: number; sleep?: Sleep },
  read: () => Promise<T>,
  unchained: (value: T) => boolean,
  first?: T,
): Promise<T> {
  let value = first === undefined ? await read() : first;
  if (!d.chainTrailMs) return value;
  const until = Date.now() + d.chainTrailMs + 500;
  for (let wait = 50; unchained(value) && Date.now() < until; wait = Math.min(wait * 2, 400)) {
    await (d.sleep ?? realSleep)(wait);
    value = await read();
  }
  return value;
}
