import { type AnchorSummary, type AnchorTrail, anchorSummary, type ExpectedHead, expectedHeads } from './anchor-trail.js';
import { type Checkpoint, type CheckpointReason, checkAgainstCheckpoint, checkpointIntact, lotKeyId, vanished } from './checkpoints.js';
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
  anchors?: AnchorSummary;
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
  anchors?: AnchorSummary;
};
/** The latest checkpoint, when verification should compare against it too. */
export type VerifyCheckpoint = { key: string; checkpoint: Checkpoint };

const summary = (c: VerifyCheckpoint): CheckpointSummary => ({
  key: c.key,
  createdAt: c.checkpoint.createdAt,
  lots: c.checkpoint.lotCount,
  intact: checkpointIntact(c.checkpoint),
});

/** The first head of `expected` the entries disagree with. */
const againstHeads = (entries: Parameters<typeof checkAgainstCheckpoint>[0], expected: readonly ExpectedHead[]) => {
  for (const e of expected) {
    const c = checkAgainstCheckpoint(entries, e.head, e.source);
    if (c) return c;
  }
  return undefined;
};

/** Verify one lot's chain against its head and, when given, the latest checkpoint and the anchors written after it. */
export async function verifyLot(d: Pick<LotDeps, 'ledger'>, k: LotKey, cp?: VerifyCheckpoint, trail?: AnchorTrail): Promise<LotVerifyReport> {
  const expected = expectedHeads(cp, trail).get(lotKeyId(k)) ?? [];
  const anchors = trail ? { anchors: anchorSummary(trail) } : {};
  const lot = await d.ledger.getLot(k);
  if (!lot) {
    if (!expected[0]) await requireLot(d, k);
    const first = expected[0] as ExpectedHead;
    const v = vanished(first.head, first.source);
    return {
      ok: false,
      entries: 0,
      head: '',
      seq: 0,
      problem: v.problem,
      firstBadSeq: v.seq,
      reason: v.reason,
      ...(cp ? { checkpoint: summary(cp) } : {}),
      ...anchors,
    };
  }
  const entries = await d.ledger.allEntries(k);
  const r = verifyChain(entries, lot);
  const c = r.ok ? againstHeads(entries, expected) : undefined;
  const intact = (cp ? checkpointIntact(cp.checkpoint) : true) && (trail?.intact ?? true);
  return {
    ok: r.ok && !c && intact,
    entries: r.entries,
    head: lot.headHash,
    seq: lot.seq,
    ...(r.problem ? { problem: r.problem, reason: 'chain' as const } : c ? { problem: c.problem, reason: c.reason } : {}),
    ...(r.firstBadSeq ? { firstBadSeq: r.firstBadSeq } : c ? { firstBadSeq: c.seq } : {}),
    ...(cp ? { checkpoint: summary(cp) } : {}),
    ...anchors,
  };
}

/** Verify every lot (of one GTIN, when given), a few lots at a time; with a checkpoint, also every lot it names. */
export async function verifyAll(d: Pick<LotDeps, 'ledger'>, gtin?: string, cp?: VerifyCheckpoint, trail?: AnchorTrail): Promise<VerifyAllReport> {
  const gtins = gtin ? [gtin] : await d.ledger.allGtins();
  const report: VerifyAllReport = { ok: true, lots: 0, entries: 0, failures: [] };
  const expected = expectedHeads(cp, trail, gtin);
  for (const g of gtins)
    await forEachLimit(await d.ledger.lotsOfGtin(g), 8, async (lot) => {
      const entries = await d.ledger.allEntries(lot);
      const r = verifyChain(entries, lot);
      report.lots++;
      report.entries += r.entries;
      const heads = expected.get(lotKeyId(lot)) ?? [];
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
      const c = againstHeads(entries, heads);
      if (c) report.failures.push({ gtin: lot.gtin, lot: lot.lot, seq: c.seq, problem: c.problem, reason: c.reason });
    });
  // Lots the checkpoint or an anchor names that the table no longer lists.
  for (const [first] of expected.values()) {
    if (!first) continue;
    const v = vanished(first.head, first.source);
    report.failures.push({ gtin: first.head.gtin, lot: first.head.lot, seq: v.seq, problem: v.problem, reason: v.reason });
  }
  if (cp) report.checkpoint = summary(cp);
  if (trail) report.anchors = anchorSummary(trail);
  report.ok = report.failures.length === 0 && (report.checkpoint?.intact ?? true) && (report.anchors?.intact ?? true);
  report.failures.sort((a, b) => a.gtin.localeCompare(b.gtin) || a.lot.localeCompare(b.lot));
  return report;
}
