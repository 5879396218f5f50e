import { z } from 'zod';
import { type AnchorSummary, type AnchorTrail, anchorSummary, type ExpectedHead, expectedHeads } from './anchor-trail.js';
import { GENESIS_HASH } from './canonical.js';
import {
  type Checkpoint,
  type CheckpointFinding,
  type CheckpointReason,
  checkAgainstCheckpoint,
  checkpointIntact,
  lotKeyId,
  vanished,
} from './checkpoints.js';
import { forEachLimit } from './concurrency.js';
import type { LedgerEntry, LotKey, LotState } from './ledger.js';
import { type LotDeps, requireLot } from './lots.js';
import { compareText, decodeCursor, encodeCursor, PAGE_LIMIT } from './paging.js';
import { type ChainCheck, chainChecker } from './verify-chain.js';

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

/** What streaming a lot's partition learns: its head, the chain check, and the first expected head it disagrees with. */
type LotScan = { head?: LotState; chain: ChainCheck; finding?: CheckpointFinding };

/** The first head of `expected` (the checkpoint's, then each anchor's) the entries disagree with. */
const againstHeads = (entries: readonly Pick<LedgerEntry, 'seq' | 'hash'>[], expected: readonly ExpectedHead[]) => {
  for (const e of expected) {
    const c = checkAgainstCheckpoint(entries, e.head, e.source);
    if (c) return c;
  }
  return undefined;
};

/**
 * Read a lot's head and entries page by page, checking the chain as they come; only the entries at an expected head's
 * seq (and the last one) are kept for the comparison with the checkpoint and the anchors.
 *
 * The head comes with the first page, and the sequencer may chain more entries while the later pages are read. So
 * when the table holds more entries than that head says, the head is read again: the chain is whole when the first
 * head is one of the entries read (same seq, same hash) and the head now covers every entry read (and is the last
 * of them when it stopped there). Entries beyond a head that never moves are a failure, as before.
 */
async function scanLot(d: Pick<LotDeps, 'ledger'>, k: LotKey, expected: readonly ExpectedHead[]): Promise<LotScan> {
  const chain = chainChecker();
  const wanted = new Set(expected.map((e) => e.head.seq));
  const seen = new Map<number, Pick<LedgerEntry, 'seq' | 'hash'>>();
  let last: Pick<LedgerEntry, 'seq' | 'hash'> | undefined;
  let head: LotState | undefined;
  let atHead: string | undefined;
  let cursor: string | undefined;
  do {
    const page = await d.ledger.lotPartition(k, cursor === undefined ? {} : { cursor });
    head ??= page.head;
    chain.add(page.entries);
    for (const e of page.entries) {
      if (wanted.has(e.seq)) seen.set(e.seq, { seq: e.seq, hash: e.hash });
      if (head && e.seq === head.seq) atHead = e.hash;
    }
    const tail = page.entries.at(-1);
    if (tail && (last === undefined || tail.seq > last.seq)) last = { seq: tail.seq, hash: tail.hash };
    cursor = page.cursor;
  } while (cursor !== undefined);
  let r = chain.result(head);
  if (!r.ok && head && last && last.seq > head.seq) {
    const links = chain.result(undefined);
    const firstHeadRead = head.seq === 0 ? head.headHash === GENESIS_HASH : atHead === head.headHash;
    const now = links.ok && firstHeadRead ? await d.ledger.chainHead(k) : undefined;
    if (now && (now.seq > last.seq || (now.seq === last.seq && now.headHash === last.hash))) {
      r = links;
      head = { ...head, seq: last.seq, headHash: last.hash };
    }
  }
  if (last) seen.set(last.seq, last);
  const finding = r.ok ? againstHeads([...seen.values()], expected) : undefined;
  return { ...(head ? { head } : {}), chain: r, ...(finding ? { finding } : {}) };
}

/**
 * Verify one lot's chain against its head and, when given, the latest checkpoint and every anchor written after it;
 * its entries are streamed, not held.
 */
export async function verifyLot(d: Pick<LotDeps, 'ledger'>, k: LotKey, cp?: VerifyCheckpoint, trail?: AnchorTrail): Promise<LotVerifyReport> {
  const expected = expectedHeads(cp, trail).get(lotKeyId(k)) ?? [];
  const anchors = trail ? { anchors: anchorSummary(trail) } : {};
  const { head: lot, chain: r, finding: c } = await scanLot(d, k, expected);
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

/** Where a page of verify-all ends: the last lot it checked, in (gtin, lot) order. */
const VerifyCursor = z.strictObject({ g: z.string(), l: z.string() });
const compareLots = (a: LotKey, b: LotKey) => compareText(a.gtin, b.gtin) || compareText(a.lot, b.lot);

export type VerifyPageOptions = { gtin?: string; cp?: VerifyCheckpoint; trail?: AnchorTrail; limit?: number; cursor?: string };

/**
 * The lots one page of verify-all covers, in (gtin, lot) order after `after`: those the table lists and those the
 * checkpoint or an anchor names (a lot they name that the table lost is a failure of the page it falls in). One more than `limit`
 * when there are more.
 */
async function pageLots(d: Pick<LotDeps, 'ledger'>, expected: Map<string, ExpectedHead[]>, gtins: string[], limit: number, after?: LotKey) {
  const out: { key: LotKey; listed: boolean }[] = [];
  for (const g of gtins) {
    if (out.length > limit) break;
    if (after && compareText(g, after.gtin) < 0) continue;
    const listed = new Map((await d.ledger.lotsOfGtin(g)).map((l) => [lotKeyId(l), { gtin: l.gtin, lot: l.lot }]));
    const keys = new Map<string, { key: LotKey; listed: boolean }>();
    for (const [id, key] of listed) keys.set(id, { key, listed: true });
    for (const [id, heads] of expected) {
      const l = heads[0]?.head;
      if (l && l.gtin === g && !keys.has(id)) keys.set(id, { key: { gtin: l.gtin, lot: l.lot }, listed: false });
    }
    const sorted = [...keys.values()].filter((x) => !after || compareLots(x.key, after) > 0).sort((a, b) => compareLots(a.key, b.key));
    out.push(...sorted.slice(0, limit + 1 - out.length));
  }
  return out;
}

/**
 * One page of verify-all: up to `limit` lots (default 1000) in (gtin, lot) order after `cursor`, of one GTIN when
 * given; `ok`, `lots`, `entries` and `failures` are this page's, and `nextCursor` names the next page.
 */
export async function verifyAllPage(d: Pick<LotDeps, 'ledger'>, opts: VerifyPageOptions = {}): Promise<VerifyAllReport & { nextCursor?: string }> {
  const after = opts.cursor === undefined ? undefined : decodeCursor(VerifyCursor, opts.cursor);
  const limit = opts.limit ?? PAGE_LIMIT;
  const expected = expectedHeads(opts.cp, opts.trail, opts.gtin);
  const named = [...expected.values()].flatMap((heads) => (heads[0] ? [heads[0].head.gtin] : []));
  const gtins = opts.gtin ? [opts.gtin] : [...new Set([...(await d.ledger.allGtins()), ...named])];
  gtins.sort(compareText);
  const candidates = await pageLots(d, expected, gtins, limit, after ? { gtin: after.g, lot: after.l } : undefined);
  const page = candidates.slice(0, limit);
  const report: VerifyAllReport = { ok: true, lots: 0, entries: 0, failures: [] };
  await forEachLimit(page, 8, async ({ key, listed }) => {
    const heads = expected.get(lotKeyId(key)) ?? [];
    const scan = listed ? await scanLot(d, key, heads) : undefined;
    if (!scan?.head) {
      const first = heads[0];
      if (!first) return; // listed a moment ago, gone now, and never checkpointed or anchored: nothing to check
      const v = vanished(first.head, first.source);
      report.failures.push({ gtin: key.gtin, lot: key.lot, seq: v.seq, problem: v.problem, reason: v.reason });
      return;
    }
    const r = scan.chain;
    report.lots++;
    report.entries += r.entries;
    if (!r.ok)
      report.failures.push({ gtin: key.gtin, lot: key.lot, seq: r.firstBadSeq ?? 0, ...(r.problem ? { problem: r.problem } : {}), reason: 'chain' });
    else if (scan.finding)
      report.failures.push({ gtin: key.gtin, lot: key.lot, seq: scan.finding.seq, problem: scan.finding.problem, reason: scan.finding.reason });
  });
  if (opts.cp) report.checkpoint = summary(opts.cp);
  if (opts.trail) report.anchors = anchorSummary(opts.trail);
  report.ok = report.failures.length === 0 && (report.checkpoint?.intact ?? true) && (report.anchors?.intact ?? true);
  report.failures.sort(compareLots);
  const last = page.at(-1);
  return candidates.length > limit && last ? { ...report, nextCursor: encodeCursor({ g: last.key.gtin, l: last.key.lot }) } : report;
}

/** Verify every lot (of one GTIN, when given), page after page; with a checkpoint and anchors, also every lot they name. */
export async function verifyAll(d: Pick<LotDeps, 'ledger'>, gtin?: string, cp?: VerifyCheckpoint, trail?: AnchorTrail): Promise<VerifyAllReport> {
  const all: VerifyAllReport = {
    ok: true,
    lots: 0,
    entries: 0,
    failures: [],
    ...(cp ? { checkpoint: summary(cp) } : {}),
    ...(trail ? { anchors: anchorSummary(trail) } : {}),
  };
  let cursor: string | undefined;
  do {
    const { nextCursor, ...page } = await verifyAllPage(d, {
      ...(gtin ? { gtin } : {}),
      ...(cp ? { cp } : {}),
      ...(trail ? { trail } : {}),
      ...(cursor ? { cursor } : {}),
    });
    all.ok &&= page.ok;
    all.lots += page.lots;
    all.entries += page.entries;
    all.failures.push(...page.failures);
    cursor = nextCursor;
  } while (cursor !== undefined);
  return all;
}
