import { z } from 'zod';
import { mapLimit } from './concurrency.js';
import { ruleOfEntry } from './entry-rules.js';
import type { LedgerEntry, LotKey, LotState, UnchainedEntry } from './ledger.js';
import { lotId, q3 } from './ledger.js';
import { readLotPartition } from './lot-partition.js';
import type { LotStore } from './lots.js';
import { requireLot } from './lots.js';
import type { MasterDataStore, SiteKind } from './master-data.js';
import { isInternal } from './master-data.js';
import { compareText, decodeCursor, encodeCursor, fitting, PAGE_BYTES, PAGE_LIMIT } from './paging.js';

export type TraceDirection = 'forward' | 'backward';
export type TraceSite = { siteId: string; kind: SiteKind | 'unknown'; received: number; onHand: number };
export type TraceResult = {
  root: LotKey;
  direction: TraceDirection;
  lots: (LotKey & { depth: number })[];
  sites: TraceSite[];
  /** a page of the movements, in time order; empty unless asked for */
  movements: LedgerEntry[];
  /** how many movements the traced lots hold in all */
  movementsTotal: number;
  /** the cursor of the next page of movements, when there is one */
  nextCursor?: string;
};

export type TraceDeps = { ledger: LotStore; master: Pick<MasterDataStore, 'getSite' | 'getSites'> };

/** How many lots of one BFS level are read at once. */
const READ_CONCURRENCY = 16;

/**
 * Per-lot material a trace collects: its head (balances), its whole chain, and the movements accepted but not chained
 * yet (they count for the graph and the sites, so a sale a moment old is a customer to notify; they are not listed).
 */
export type TracedLot = { lot: LotState; entries: LedgerEntry[]; pending?: UnchainedEntry[]; depth: number };

/** Every movement of a traced lot, chained or not. */
const movementsOf = (t: TracedLot): UnchainedEntry[] => [...t.entries, ...(t.pending ?? [])];

/**
 * Walk the transformation graph from `roots`, breadth first: forward to every lot made from them, backward to every
 * input lot. Each lot is read once however many paths reach it (diamonds, repeats), and a cycle ends where it meets a
 * lot already seen. `depth` is the shortest distance from a root.
 */
export async function walkLots(d: Pick<TraceDeps, 'ledger'>, roots: LotKey[], direction: TraceDirection): Promise<Map<string, TracedLot>> {
  const seen = new Map<string, TracedLot>();
  let frontier: { key: LotKey; depth: number }[] = [];
  const queued = new Set<string>();
  for (const r of roots) {
    if (!queued.has(lotId(r))) frontier.push({ key: r, depth: 0 });
    queued.add(lotId(r));
  }
  while (frontier.length > 0) {
    const next: { key: LotKey; depth: number }[] = [];
    // One paged Query per lot reads its head and entries together.
    const read = await mapLimit(frontier, READ_CONCURRENCY, async (item) => {
      const { head, entries, pending } = await readLotPartition(d.ledger, item.key);
      return { item, lot: head, entries, pending };
    });
    for (const { item, lot, entries, pending } of read) {
      if (!lot) continue; // an input named in a transform that has no lot record of its own
      seen.set(lotId(item.key), { lot, entries, pending, depth: item.depth });
      for (const n of neighbours([...entries, ...pending], direction)) {
        if (queued.has(lotId(n))) continue;
        queued.add(lotId(n));
        next.push({ key: n, depth: item.depth + 1 });
      }
    }
    frontier = next;
  }
  return seen;
}

/** The lots one transformation step away: products made from this lot (forward) or inputs it was made from (backward). */
export function neighbours(entries: readonly Pick<UnchainedEntry, 'role' | 'output' | 'inputs'>[], direction: TraceDirection): LotKey[] {
  const out: LotKey[] = [];
  for (const e of entries) {
    if (direction === 'forward' && e.role === 'input' && e.output) out.push({ gtin: e.output.gtin, lot: e.output.lot });
    if (direction === 'backward' && e.role === 'output' && e.inputs) for (const i of e.inputs) out.push({ gtin: i.gtin, lot: i.lot });
  }
  return out;
}

/**
 * Sites a set of lots reached (forward) or came from (backward), with quantities summed over the lots.
 * Internal sites: received and on hand from the lot heads. Forward externals: what was shipped or sold to them, less
 * what they returned. Backward externals: what was received from them.
 */
export function siteQuantities(
  traced: Iterable<TracedLot>,
  direction: TraceDirection,
  kindOf: (siteId: string) => SiteKind | 'unknown',
): TraceSite[] {
  const sites = new Map<string, { received: number; onHand: number }>();
  const add = (siteId: string, received: number, onHand: number) => {
    const s = sites.get(siteId) ?? { received: 0, onHand: 0 };
    s.received = q3(s.received + received);
    s.onHand = q3(s.onHand + onHand);
    sites.set(siteId, s);
  };
  for (const t of traced) {
    for (const [siteId, b] of Object.entries(t.lot.balances)) if (b.r > 0 || b.q > 0) add(siteId, b.r, b.q);
    for (const e of movementsOf(t)) {
      const cp = e.counterparty;
      const rule = ruleOfEntry(e.type)?.trace;
      if (!cp || !rule || isInternalKind(kindOf(cp))) continue;
      if (direction === 'forward') {
        if (rule.received === 'counterparty') add(cp, e.quantity, e.quantity);
        if (rule.returnedFrom) add(cp, 0, -e.quantity);
      }
      if (direction === 'backward' && rule.externalSource) add(cp, e.quantity, 0);
    }
    if (direction === 'backward' && t.lot.tlcSource && !sites.has(t.lot.tlcSource)) add(t.lot.tlcSource, 0, 0);
  }
  return [...sites.entries()]
    .map(([siteId, s]) => ({ siteId, kind: kindOf(siteId), received: s.received, onHand: Math.max(0, s.onHand) }))
    .sort((a, b) => a.siteId.localeCompare(b.siteId));
}

const isInternalKind = (k: SiteKind | 'unknown') => k !== 'unknown' && isInternal(k);

/** Look up the kinds of many sites in bulk. */
export async function siteKinds(d: Pick<TraceDeps, 'master'>, ids: Iterable<string>): Promise<Map<string, SiteKind | 'unknown'>> {
  const unique = [...new Set(ids)];
  const sites = await d.master.getSites(unique);
  return new Map(unique.map((id) => [id, sites.get(id)?.kind ?? 'unknown']));
}

/** Every site id a set of traced lots mentions. */
export function mentionedSites(traced: Iterable<TracedLot>): Set<string> {
  const ids = new Set<string>();
  for (const t of traced) {
    for (const s of Object.keys(t.lot.balances)) ids.add(s);
    if (t.lot.tlcSource) ids.add(t.lot.tlcSource);
    for (const e of movementsOf(t)) if (e.counterparty) ids.add(e.counterparty);
  }
  return ids;
}

/** Where a page of trace movements ends: the last movement's time order key. */
const TraceCursor = z.strictObject({ t: z.number().int(), g: z.string(), l: z.string(), s: z.number().int().min(1) });
type TracePosition = z.output<typeof TraceCursor>;

const positionOf = (e: LedgerEntry): TracePosition => ({ t: Date.parse(e.occurredAt), g: e.gtin, l: e.lot, s: e.seq });
const comparePositions = (a: TracePosition, b: TracePosition) => a.t - b.t || compareText(a.g, b.g) || compareText(a.l, b.l) || a.s - b.s;

/** The movements after `after` in time order: up to `limit` of them and at most `budget` bytes of JSON (at least one). */
export function movementsPage(
  traced: Iterable<TracedLot>,
  limit: number,
  budget: number,
  after?: TracePosition,
): { movements: LedgerEntry[]; next?: TracePosition } {
  const rest = [...traced]
    .flatMap((t) => t.entries)
    .map((e) => ({ e, at: positionOf(e) }))
    .filter((x) => after === undefined || comparePositions(x.at, after) > 0)
    .sort((a, b) => comparePositions(a.at, b.at));
  const first = rest.slice(0, limit).map((x) => x.e);
  const movements = first.slice(0, fitting(first, budget));
  const last = movements.at(-1);
  return movements.length < rest.length && last ? { movements, next: positionOf(last) } : { movements };
}

export type TraceOptions = { movements?: boolean; limit?: number; cursor?: string };

/**
 * GET /lots/{gtin}/{lot}/trace: the lots reached through transformations and every site involved. With
 * `movements`, also a page of the movements of all those lots in time order (`limit`, default 1000, and
 * `cursor`, which implies `movements`); each page walks the graph again, so lots and sites are the same on every page.
 */
export async function traceLot(d: TraceDeps, root: LotKey, direction: TraceDirection, opts: TraceOptions = {}): Promise<TraceResult> {
  const after = opts.cursor === undefined ? undefined : decodeCursor(TraceCursor, opts.cursor);
  const traced = await walkLots(d, [root], direction);
  if (!traced.has(lotId(root))) await requireLot(d, root); // the walk read the root's partition: no head, no lot
  const kinds = await siteKinds(d, mentionedSites(traced.values()));
  const kindOf = (id: string) => kinds.get(id) ?? 'unknown';
  const lots = [...traced.values()]
    .map((t) => ({ gtin: t.lot.gtin, lot: t.lot.lot, depth: t.depth }))
    .sort((a, b) => a.depth - b.depth || compareText(a.gtin, b.gtin) || compareText(a.lot, b.lot));
  const sites = siteQuantities(traced.values(), direction, kindOf);
  const budget = PAGE_BYTES - Buffer.byteLength(JSON.stringify({ lots, sites }));
  const page = opts.movements || after ? movementsPage(traced.values(), opts.limit ?? PAGE_LIMIT, budget, after) : { movements: [] };
  let movementsTotal = 0;
  for (const t of traced.values()) movementsTotal += t.entries.length;
  return {
    root,
    direction,
    lots,
    sites,
    movements: page.movements,
    movementsTotal,
    ...(page.next ? { nextCursor: encodeCursor(page.next) } : {}),
  };
}
