import { expectedHeads, readAnchorTrail } from './anchor-trail.js';
import { type AnchorStore, anchorsAfterTime, type ChainHead, latestAnchor } from './anchors.js';
import { type Checkpoint, type CheckpointLot, type CheckpointStore, checkpointKey, lotKeyId, sealCheckpoint } from './checkpoints.js';
import type { Clock } from './clock.js';
import type { LotKey } from './ledger.js';
import type { LotStore } from './lots.js';

export type CheckpointDeps = {
  ledger: Pick<LotStore, 'allGtins' | 'lotsOfGtin' | 'entriesByRef'>;
  exportFiles: CheckpointStore & AnchorStore;
  clock: Clock;
};

/**
 * Write a checkpoint of every lot's chain head, chained to the previous checkpoint. A head is recorded only when the
 * chain still agrees with every head the previous checkpoint and the anchors after it sealed (the entry at each sealed
 * seq still carries the sealed hash; one BatchGetItem of those entries per GTIN); otherwise, and for a lot they name
 * that the table lost, the newest sealed head is carried forward and the lot is listed as `disputed`. So a consistent
 * rewrite made after an anchor and before the checkpoint is not recorded by it: verify goes on reporting it.
 * @example const { key, lots, sha256 } = await writeCheckpoint(d)
 */
export async function writeCheckpoint(
  d: CheckpointDeps,
): Promise<{ key: string; lots: number; sha256: string; previous: Checkpoint['previous']; disputed: LotKey[] }> {
  const prev = await d.exportFiles.latest();
  const expected = expectedHeads(prev, await readAnchorTrail(d.exportFiles, prev));
  const lots: CheckpointLot[] = [];
  const disputed: LotKey[] = [];
  const seen = new Set<string>();
  for (const gtin of (await d.ledger.allGtins()).sort()) {
    const heads = (await d.ledger.lotsOfGtin(gtin)).sort((a, b) => (a.lot < b.lot ? -1 : a.lot > b.lot ? 1 : 0));
    const sealed = heads.flatMap((l) => (expected.get(lotKeyId(l)) ?? []).map((e) => e.head));
    const found = new Map(
      (
        await d.ledger.entriesByRef(
          gtin,
          sealed.map((h) => ({ lot: h.lot, seq: h.seq })),
        )
      ).map((e) => [JSON.stringify([e.lot, e.seq]), e.hash]),
    );
    for (const l of heads) {
      seen.add(lotKeyId(l));
      const mine = (expected.get(lotKeyId(l)) ?? []).map((e) => e.head);
      const agrees = mine.every((h) => found.get(JSON.stringify([h.lot, h.seq])) === h.hash);
      if (agrees) lots.push({ gtin: l.gtin, lot: l.lot, seq: l.seq, hash: l.headHash });
      else {
        lots.push(newestOf(mine));
        disputed.push({ gtin: l.gtin, lot: l.lot });
      }
    }
  }
  for (const [id, heads] of expected) {
    if (seen.has(id) || heads.length === 0) continue;
    const head = newestOf(heads.map((e) => e.head));
    lots.push(head);
    disputed.push({ gtin: head.gtin, lot: head.lot });
  }
  lots.sort((a, b) => compareKeys(a, b));
  disputed.sort(compareKeys);
  const at = d.clock.now();
  const anchor = await latestAnchor(d.exportFiles, prev ? anchorsAfterTime(prev.checkpoint.createdAt) : undefined, prev?.checkpoint.anchor);
  const checkpoint = sealCheckpoint({
    checkpointVersion: 1,
    createdAt: at.toISOString(),
    previous: prev ? { key: prev.key, sha256: prev.checkpoint.sha256 } : null,
    anchor: anchor ? { key: anchor.key, sha256: anchor.anchor.sha256 } : null,
    lotCount: lots.length,
    lots,
    ...(disputed.length ? { disputed } : {}),
  });
  const key = checkpointKey(at);
  await d.exportFiles.write(key, checkpoint);
  return { key, lots: lots.length, sha256: checkpoint.sha256, previous: checkpoint.previous, disputed };
}

/** The sealed head with the highest seq (the latest one recorded). */
const newestOf = (heads: ChainHead[]): ChainHead => heads.reduce((a, b) => (b.seq > a.seq ? b : a));
const compareKeys = (a: LotKey, b: LotKey) => (a.gtin < b.gtin ? -1 : a.gtin > b.gtin ? 1 : a.lot < b.lot ? -1 : a.lot > b.lot ? 1 : 0);
