import { readAnchorTrail } from './anchor-trail.js';
import { type AnchorStore, anchorKey, anchorsAfterTime, type ChainHead, headId, type Link, latestAnchor, sealAnchor } from './anchors.js';
import type { CheckpointStore } from './checkpoints.js';
import type { Clock } from './clock.js';
import type { LotKey, LotState } from './ledger.js';
import type { LotStore } from './lots.js';

export type AnchorDeps = {
  /** the current heads of these lots (missing lots are left out) */
  heads: (lots: LotKey[]) => Promise<Pick<LotState, 'gtin' | 'lot' | 'seq' | 'headHash'>[]>;
  ledger: Pick<LotStore, 'allGtins' | 'lotsOfGtin'>;
  exportFiles: Pick<CheckpointStore, 'latest'> & AnchorStore;
  clock: Clock;
};
export type AnchorResult = { key: string | null; heads: number; previous: Link | null };

const byLot = (a: ChainHead, b: ChainHead) => (a.gtin < b.gtin ? -1 : a.gtin > b.gtin ? 1 : a.lot < b.lot ? -1 : a.lot > b.lot ? 1 : 0);
const headOf = (l: Pick<LotState, 'gtin' | 'lot' | 'seq' | 'headHash'>): ChainHead => ({ gtin: l.gtin, lot: l.lot, seq: l.seq, hash: l.headHash });
const same = (a: ChainHead | undefined, b: ChainHead) => a?.seq === b.seq && a.hash === b.hash;

/**
 * Anchor the chain heads of the lots that changed: read their current heads (so a late or repeated stream record
 * never anchors an old head), leave out the heads the newest anchor (or the checkpoint) already holds, and write the
 * rest as one sealed anchor chained to the newest one. Nothing left: nothing written, so a redelivered batch is a no-op.
 * Without `changed` (the schedule's safety net) it compares every lot head with everything anchored since the checkpoint.
 * @example await writeAnchor(d, [{ gtin, lot }]) // { key: 'anchors/2026-03-01T12:00:00.000Z.json', heads: 1, previous }
 */
export async function writeAnchor(d: AnchorDeps, changed?: readonly LotKey[]): Promise<AnchorResult> {
  const cp = await d.exportFiles.latest();
  const since = cp ? anchorsAfterTime(cp.checkpoint.createdAt) : undefined;
  const newest = await latestAnchor(d.exportFiles, since, cp?.checkpoint.anchor);
  const known = new Map<string, ChainHead>();
  for (const l of cp?.checkpoint.lots ?? []) known.set(headId(l), l);
  let current: ChainHead[];
  if (changed) {
    const unique = [...new Map(changed.map((k) => [headId(k), { gtin: k.gtin, lot: k.lot }])).values()];
    current = unique.length ? (await d.heads(unique)).map(headOf) : [];
    for (const h of newest?.anchor.heads ?? []) known.set(headId(h), h);
  } else {
    current = [];
    for (const gtin of await d.ledger.allGtins()) current.push(...(await d.ledger.lotsOfGtin(gtin)).map(headOf));
    for (const a of (await readAnchorTrail(d.exportFiles, cp)).anchors) for (const h of a.anchor.heads) known.set(headId(h), h);
  }
  const heads = current.filter((h) => !same(known.get(headId(h)), h)).sort(byLot);
  const previous = newest ? { key: newest.key, sha256: newest.anchor.sha256 } : null;
  if (heads.length === 0) return { key: null, heads: 0, previous };
  const at = d.clock.now();
  const key = anchorKey(at);
  // Keys are the chain's order: an anchor must sort after the one it names (a clock stepping back must not fork it).
  if (previous && key <= previous.key) throw new Error(`anchor ${key} would not sort after ${previous.key}; the clock is behind`);
  await d.exportFiles.writeAnchor(key, sealAnchor({ anchorVersion: 1, createdAt: at.toISOString(), previous, heads }));
  return { key, heads: heads.length, previous };
}
