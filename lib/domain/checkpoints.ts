import type { ChainHead, Link } from './anchors.js';
import { hashOf } from './canonical.js';
import type { LedgerEntry, LotKey } from './ledger.js';

/** One lot's chain head at checkpoint time. */
export type CheckpointLot = ChainHead;

/**
 * A ledger checkpoint: every lot's chain head, written daily to the Object-Lock export bucket. Each names the one
 * before it (key and sha256), and `sha256` is the SHA-256 over the canonical JSON of every other field, so a table
 * rewritten consistently (hashes and heads recomputed) still disagrees with a checkpoint nobody can change.
 */
export type Checkpoint = {
  checkpointVersion: 1;
  createdAt: string;
  previous: Link | null;
  /** the newest anchor when the checkpoint was written, so the next anchor finds its predecessor without a long listing */
  anchor?: Link | null;
  lotCount: number;
  lots: CheckpointLot[];
  /**
   * Lots whose table head no longer agreed with a head the previous checkpoint or a later anchor sealed: for them
   * `lots` carries that sealed head forward instead of recording the table's, so a rewrite is never laundered into a
   * checkpoint and verify keeps reporting it.
   */
  disputed?: LotKey[];
  sha256: string;
};

export interface CheckpointStore {
  /** the newest checkpoint, or undefined before the first one */
  latest(): Promise<{ key: string; checkpoint: Checkpoint } | undefined>;
  write(key: string, checkpoint: Checkpoint): Promise<void>;
}

/** Seal a checkpoint body with its own hash. */
export function sealCheckpoint(body: Omit<Checkpoint, 'sha256'>): Checkpoint {
  return { ...body, sha256: hashOf(body) };
}
/** True when the checkpoint's fields still hash to its `sha256`. */
export function checkpointIntact(cp: Checkpoint): boolean {
  const { sha256, ...rest } = cp;
  return hashOf(rest) === sha256;
}

/** `checkpoints/{iso}.json`: keys sort in time order, so the newest is the last one listed. */
export const checkpointKey = (at: Date) => `checkpoints/${at.toISOString()}.json`;

/** What a head was recorded in: the daily checkpoint or an anchor written after it. */
export type HeadSource = 'checkpoint' | 'anchor';
export type CheckpointReason = `${HeadSource}-${'hash' | 'truncated' | 'vanished'}`;
export type CheckpointFinding = { seq: number; reason: CheckpointReason; problem: string };

/**
 * Compare a lot's entries with its checkpointed head: the entry at the checkpoint's seq must still carry the
 * checkpoint's hash, and the chain may have grown but never shrunk.
 * @example checkAgainstCheckpoint(entries, { gtin, lot, seq: 3, hash }) // undefined when it agrees
 */
export function checkAgainstCheckpoint(
  entries: readonly Pick<LedgerEntry, 'seq' | 'hash'>[],
  cp: CheckpointLot,
  source: HeadSource = 'checkpoint',
): CheckpointFinding | undefined {
  const at = entries.find((e) => e.seq === cp.seq);
  if (!at) {
    const last = entries.reduce((n, e) => Math.max(n, e.seq), 0);
    return {
      seq: last + 1,
      reason: `${source}-truncated`,
      problem: `the ${source} holds ${cp.seq} entries, the table ${last}`,
    };
  }
  if (at.hash !== cp.hash) return { seq: cp.seq, reason: `${source}-hash`, problem: `entry ${cp.seq} has another hash than the ${source} recorded` };
  return undefined;
}

/** A lot the checkpoint (or an anchor) names but the table no longer holds. */
export const vanished = (cp: CheckpointLot, source: HeadSource = 'checkpoint'): CheckpointFinding => ({
  seq: 1,
  reason: `${source}-vanished`,
  problem: `the lot is in the ${source} (${cp.seq} entries) but no longer in the table`,
});

export const lotKeyId = (k: LotKey) => `${k.gtin}|${k.lot}`;
