import {
  type Checkpoint,
  type CheckpointLot,
  type CheckpointReason,
  checkAgainstCheckpoint,
  checkpointIntact,
  lotKeyId,
  vanished,
} from './checkpoints.js';
import { forEachLimit } from './concurrency.js';
import type { LotKey } from './ledger.js';
import { type LotDeps, requireLot } from './lots.js';
import { verifyChain } from './verify-chain.js';

/** `head` is the hash at the head of the lot's chain (what the next entry's prevHash must be); `seq` its number. */
export type LotVerifyReport = {
  ok: boolean;
  entries: number;
  head: string;
  seq: number;
  problem?: string;
  firstBadSeq?: number;
  /** why it failed: `chain` (hashes or links), or a disagreement with the latest checkpoint */
  reason?: VerifyReason;
  checkpoint?: CheckpointSummary;
};
export type VerifyReason = 'chain' | CheckpointReason;
/** The checkpoint a verification also compared against (absent before the first checkpoint). */
export type CheckpointSummary = { key: string; createdAt: string; lots: number; intact: boolean };
export type VerifyAllReport = {
  ok: boolean;
  lots: number;
  entries: number;
  failures: { gtin: string; lot: string; seq: number; problem?: string; reason?: VerifyReason }[];
  checkpoint?: CheckpointSummary;
};
/** The latest checkpoint, when verification should compare against it too. */
export type VerifyCheckpoint = { key: string; checkpoint: Checkpoint };

const summary = (c: VerifyCheckpoint): CheckpointSummary => ({
  key: c.key,
  createdAt: c.checkpoint.createdAt,
  lots: c.checkpoint.lotCount,
  intact: checkpointIntact(c.checkpoint),
});

/** Verify one lot's chain against its head and, when given, the latest checkpoint. */
export async function verifyLot(d: Pick<LotDeps, 'ledger'>, k: LotKey, cp?: VerifyCheckpoint): Promise<LotVerifyReport> {
  const inCheckpoint = cp?.checkpoint.lots.find((l) => l.gtin === k.gtin && l.lot === k.lot);
  const lot = await d.ledger.getLot(k);
  if (!lot) {
    if (!inCheckpoint || !cp) await requireLot(d, k);
    const v = vanished(inCheckpoint as CheckpointLot);
    return {
      ok: false,
      entries: 0,
      head: '',
      seq: 0,
      problem: v.problem,
      firstBadSeq: v.seq,
      reason: v.reason,
      ...(cp ? { checkpoint: summary(cp) } : {}),
    };
  }
  const entries = await d.ledger.allEntries(k);
  const r = verifyChain(entries, lot);
  const c = r.ok && inCheckpoint ? checkAgainstCheckpoint(entries, inCheckpoint) : undefined;
  const intact = cp ? checkpointIntact(cp.checkpoint) : true;
  return {
    ok: r.ok && !c && intact,
    entries: r.entries,
    head: lot.headHash,
    seq: lot.seq,
    ...(r.problem ? { problem: r.problem, reason: 'chain' as const } : c ? { problem: c.problem, reason: c.reason } : {}),
    ...(r.firstBadSeq ? { firstBadSeq: r.firstBadSeq } : c ? { firstBadSeq: c.seq } : {}),
    ...(cp ? { checkpoint: summary(cp) } : {}),
  };
}

/** Verify every lot (of one GTIN, when given), a few lots at a time; with a checkpoint, also every lot it names. */
export async function verifyAll(d: Pick<LotDeps, 'ledger'>, gtin?: string, cp?: VerifyCheckpoint): Promise<VerifyAllReport> {
  const gtins = gtin ? [gtin] : await d.ledger.allGtins();
  const report: VerifyAllReport = { ok: true, lots: 0, entries: 0, failures: [] };
  const expected = new Map<string, CheckpointLot>();
  for (const l of cp?.checkpoint.lots ?? []) if (!gtin || l.gtin === gtin) expected.set(lotKeyId(l), l);
  for (const g of gtins)
    await forEachLimit(await d.ledger.lotsOfGtin(g), 8, async (lot) => {
      const entries = await d.ledger.allEntries(lot);
      const r = verifyChain(entries, lot);
      report.lots++;
      report.entries += r.entries;
      const inCheckpoint = expected.get(lotKeyId(lot));
      expected.delete(lotKeyId(lot));
      if (!r.ok) {
        report.failures.push({
          gtin: lot.gtin,
          lot: lot.lot,
          seq: r.firstBadSeq ?? 0,
          ...(r.problem ? { problem: r.problem } : {}),
          reason: 'chain',
        });
        return;
      }
      const c = inCheckpoint ? checkAgainstCheckpoint(entries, inCheckpoint) : undefined;
      if (c) report.failures.push({ gtin: lot.gtin, lot: lot.lot, seq: c.seq, problem: c.problem, reason: c.reason });
    });
  // Lots the checkpoint names that the table no longer lists.
  for (const l of expected.values()) {
    const v = vanished(l);
    report.failures.push({ gtin: l.gtin, lot: l.lot, seq: v.seq, problem: v.problem, reason: v.reason });
  }
  if (cp) report.checkpoint = summary(cp);
  report.ok = report.failures.length === 0 && (report.checkpoint?.intact ?? true);
  report.failures.sort((a, b) => a.gtin.localeCompare(b.gtin) || a.lot.localeCompare(b.lot));
  return report;
}
