import { type AnchorStore, anchorIntact, anchorsAfterTime, type ChainHead, headId, type StoredAnchor } from './anchors.js';
import type { Checkpoint, HeadSource } from './checkpoints.js';
import { mapLimit } from './concurrency.js';

/** The anchors written after the latest checkpoint, read once per verification, and whether their chain holds. */
export type AnchorTrail = { anchors: StoredAnchor[]; intact: boolean; problem?: string };
/** What a verification reports of the anchors it compared against. */
export type AnchorSummary = { count: number; latest: string | null; intact: boolean; problem?: string };
/** A head some sealed document recorded, and which kind of document. */
export type ExpectedHead = { head: ChainHead; source: HeadSource };

/** Anchors read at a time. */
const READ_WIDTH = 8;

/**
 * Read the anchors written after the checkpoint (every anchor when there is none) and check their seals and their
 * chain: each names the one listed before it, and the first names an intact anchor (or none, only when the
 * checkpoint knew of no anchor either).
 * @example const trail = await readAnchorTrail(exportFiles, await exportFiles.latest())
 */
export async function readAnchorTrail(store: AnchorStore, cp?: { checkpoint: Checkpoint }): Promise<AnchorTrail> {
  const keys = await store.anchorKeys(cp ? anchorsAfterTime(cp.checkpoint.createdAt) : undefined);
  const read = await mapLimit(keys, READ_WIDTH, async (key) => ({ key, anchor: await store.readAnchor(key) }));
  const anchors: StoredAnchor[] = [];
  for (const a of read) {
    if (!a.anchor) return { anchors, intact: false, problem: `anchor ${a.key} is listed but cannot be read` };
    anchors.push({ key: a.key, anchor: a.anchor });
  }
  const problem = await chainProblem(store, anchors, cp?.checkpoint.anchor ?? null);
  return problem ? { anchors, intact: false, problem } : { anchors, intact: true };
}

async function chainProblem(store: AnchorStore, anchors: StoredAnchor[], known: Checkpoint['anchor'] | null): Promise<string | undefined> {
  for (const [i, { key, anchor }] of anchors.entries()) {
    if (!anchorIntact(anchor)) return `anchor ${key} does not hash to its sha256`;
    const before = anchors[i - 1];
    if (before) {
      if (anchor.previous?.key !== before.key || anchor.previous.sha256 !== before.anchor.sha256)
        return `anchor ${key} does not name ${before.key} as its previous`;
      continue;
    }
    if (!anchor.previous) {
      if (known) return `anchor ${key} starts a new chain, but ${known.key} came before it`;
      continue;
    }
    const prev = await store.readAnchor(anchor.previous.key);
    if (!prev || !anchorIntact(prev) || prev.sha256 !== anchor.previous.sha256)
      return `anchor ${key} names ${anchor.previous.key}, which is missing or differs`;
  }
  return undefined;
}

/** The summary a verification report carries. */
export const anchorSummary = (t: AnchorTrail): AnchorSummary => ({
  count: t.anchors.length,
  latest: t.anchors.at(-1)?.key ?? null,
  intact: t.intact,
  ...(t.problem ? { problem: t.problem } : {}),
});

/**
 * Every head a lot's chain must still agree with, per lot: the checkpoint's, then each anchor's in order. Every one
 * is checked, not only the newest: a forger who rewrote a chain and let it be anchored again still disagrees with
 * the heads anchored before the rewrite.
 */
export function expectedHeads(
  cp: { checkpoint: Checkpoint } | undefined,
  trail: AnchorTrail | undefined,
  gtin?: string,
): Map<string, ExpectedHead[]> {
  const out = new Map<string, ExpectedHead[]>();
  const add = (head: ChainHead, source: HeadSource) => {
    if (gtin !== undefined && head.gtin !== gtin) return;
    const id = headId(head);
    const list = out.get(id) ?? [];
    if (!list.some((e) => e.head.seq === head.seq && e.head.hash === head.hash)) list.push({ head, source });
    out.set(id, list);
  };
  for (const l of cp?.checkpoint.lots ?? []) add(l, 'checkpoint');
  for (const a of trail?.anchors ?? []) for (const h of a.anchor.heads) add(h, 'anchor');
  return out;
}
