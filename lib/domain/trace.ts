import { z } from 'zod';
import { readUntilChained } from './chain-ledger.js';
import { crawlLimit } from './concurrency.js';
import { ruleOfEntry } from './entry-rules.js';
import type { LedgerEntry, LotKey, LotState, UnchainedEntry } from './ledger.js';
import { lotId, q3 } from './ledger.js';
import { readLotPartition } from './lot-partition.js';
import type { LotStore } from './lots.js';
import { requireLot } from './lots.js';
import type { MasterDataStore, SiteKind } from './master-data.js';
import { isInternal } from './master-data.js';
import { compareText, decodeCursor, encodeCursor, fitting, PAGE_BYTES, PAGE_LIMIT } from './paging.js';
import type { Sleep } from './retry.js';
import { type TraceEdge, traceEdges } from './trace-edges.js';
import type { TraceWalks } from './trace-walks.js';

export type TraceDirection = 'forward' | 'backward';
export type TraceSite = { siteId: string; kind: SiteKind | 'unknown'; received: number; onHand: number };
export type TraceResult = {
  root: LotKey;
  direction: TraceDirection;
  lots: (LotKey & { depth: number })[];
  sites: TraceSite[];
  /** the graph's edges: goods from one lot or site to another, summed over every movement of the traced lots */
  edges: TraceEdge[];
  /** a page of the movements, in time order (`limit`, `cursor`); empty with `movements=false` */
  movements: LedgerEntry[];
  /** how many movements the traced lots hold in all */
  movementsTotal: number;
  /** the cursor of the next page of movements, when there is one */
  nextCursor?: string;
};

export type TraceDeps = {
  ledger: LotStore;
  master: Pick<MasterDataStore, 'getSite' | 'getSites'>;
  /** how long chaining may trail acceptance: a trace that lists movements waits up to this for those not chained yet */
  chainTrailMs?: number;
  sleep?: Sleep;
};

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
 * Walk the transformation graph from `roots`: forward to every lot made from them, backward to every input lot. Each
 * lot is read once however many paths reach it (diamonds, repeats), and a cycle ends where it meets a lot already
 * seen. The reads are one pool of READ_CONCURRENCY in flight, each lot's neighbours queued as soon as it is read (no
 * waiting for the slowest lot of a level); `depth`, the shortest distance from a root, is found afterwards in memory.
 * The map is in breadth-first order.
 */
export async function walkLots(d: Pick<TraceDeps, 'ledger'>, roots: LotKey[], direction: TraceDirection): Promise<Map<string, TracedLot>> {
  const read = new Map<string, { lot: LotState; entries: LedgerEntry[]; pending: UnchainedEntry[]; next: LotKey[] }>();
  const queued = new Set<string>();
  const fresh = (keys: LotKey[]) =>
    keys.filter((k) => {
      const id = lotId(k);
      if (queued.has(id)) return false;
      queued.add(id);
      return true;
    });
  await crawlLimit(fresh(roots), READ_CONCURRENCY, async (key, more) => {
    // One paged Query per lot reads its head and entries together.
    const { head, entries, pending } = await readLotPartition(d.ledger, key);
    if (!head) return; // an input named in a transform that has no lot record of its own
    const next = neighbours([...entries, ...pending], direction);
    read.set(lotId(key), { lot: head, entries, pending, next });
    for (const n of fresh(next)) more(n);
  });
  // Breadth first over what was read: each lot's shortest distance from a root.
  const seen = new Map<string, TracedLot>();
  let frontier = [...new Set(roots.map(lotId))];
  for (let depth = 0; frontier.length > 0; depth++) {
    const next: string[] = [];
    for (const id of frontier) {
      const r = read.get(id);
      if (!r || seen.has(id)) continue;
      seen.set(id, { lot: r.lot, entries: r.entries, pending: r.pending, depth });
      for (const n of r.next) if (!seen.has(lotId(n))) next.push(lotId(n));
    }
    frontier = next;
  }
  return seen;
}

/** The lots one transformation (or initial packing) step away: products made from this lot (forward) or inputs it was made from (backward). */
export function neighbours(entries: readonly Pick<UnchainedEntry, 'type' | 'role' | 'output' | 'inputs'>[], direction: TraceDirection): LotKey[] {
  const out: LotKey[] = [];
  for (const e of entries) {
    if (direction === 'forward' && e.role === 'input' && e.output) out.push({ gtin: e.output.gtin, lot: e.output.lot });
    // a transform's output names its inputs; so does an initial packing the harvested lots it packed
    const made = e.role === 'output' || (e.type === 'initial-pack' && e.role === undefined);
    if (direction === 'backward' && made && e.inputs) for (const i of e.inputs) out.push({ gtin: i.gtin, lot: i.lot });
  }
  return out;
}

/**
 * Sites a set of lots reached (forward) or came from (backward), with quantities summed over the lots.
 * Forward: every internal site the lots reached (received and on hand from the lot heads), and every external site
 * they were shipped or sold to (less what it returned). Backward: only the sites upstream of the root (see
 * `sourceSites`), internal with their received and on hand, external with what was received from them; a store the
 * root or an input went on to is not a site it came from.
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
    const upstream = direction === 'backward' ? sourceSites(t) : undefined;
    for (const [siteId, b] of Object.entries(t.lot.balances))
      if ((b.r > 0 || b.q > 0) && (upstream === undefined || upstream.has(siteId))) add(siteId, b.r, b.q);
    for (const e of movementsOf(t)) {
      const cp = e.counterparty;
      const rule = ruleOfEntry(e.type)?.trace;
      if (!cp || !rule || isInternalKind(kindOf(cp))) continue;
      if (direction === 'forward') {
        if (rule.received === 'counterparty') add(cp, e.quantity, e.quantity);
        if (rule.returnedFrom) add(cp, 0, -e.quantity);
      }
      if (upstream !== undefined && rule.externalSource && e.site !== undefined && upstream.has(e.site)) add(cp, e.quantity, 0);
    }
    if (upstream !== undefined && t.lot.tlcSource && !sites.has(t.lot.tlcSource)) add(t.lot.tlcSource, 0, 0);
  }
  return [...sites.entries()]
    .map(([siteId, s]) => ({ siteId, kind: kindOf(siteId), received: s.received, onHand: Math.max(0, s.onHand) }))
    .sort((a, b) => a.siteId.localeCompare(b.siteId));
}

/**
 * The internal sites of one lot of a backward trace that its goods came through on their way to where they were
 * used: for the root, the sites where it came into being or first arrived (receipt, harvest, packing, first land-based
 * receiving, transformation); for an input lot, the sites where it was used; then, transitively, every site that
 * transferred the lot to one of those. A store it went on to, or a site that holds other units of an input, is not.
 */
export function sourceSites(t: TracedLot): Set<string> {
  const entries = movementsOf(t);
  const out = new Set<string>();
  const add = (pick: (e: UnchainedEntry) => boolean) => {
    for (const e of entries) if (e.site !== undefined && pick(e)) out.add(e.site);
  };
  // an input lot: where it was used (an initial pack recorded before packs left a link in the harvested lot has none)
  if (t.depth > 0) add((e) => e.role === 'input');
  if (out.size === 0) add((e) => ruleOfEntry(e.type)?.firstIn === true && e.role !== 'input');
  const transfers = entries.flatMap((e) => (e.type === 'transfer' && e.counterparty && e.site ? [{ from: e.site, to: e.counterparty }] : []));
  for (let grew = true; grew; ) {
    grew = false;
    for (const t of transfers)
      if (out.has(t.to) && !out.has(t.from)) {
        out.add(t.from);
        grew = true;
      }
  }
  return out;
}

const isInternalKind = (k: SiteKind | 'unknown') => k !== 'unknown' && isInternal(k);

/**
 * The kind of every site a set of traced lots mentions, read in bulk; a sale's counterparty is known to be a customer
 * (a sale to any other kind is refused), so a recall reaching 100,000 customers does not read 100,000 site records.
 */
export async function tracedSiteKinds(d: Pick<TraceDeps, 'master'>, traced: Iterable<TracedLot>): Promise<Map<string, SiteKind | 'unknown'>> {
  const lots = [...traced];
  const known = new Map<string, SiteKind>();
  for (const t of lots) for (const e of movementsOf(t)) if (e.type === 'sell' && e.counterparty) known.set(e.counterparty, 'customer');
  const unique = [...mentionedSites(lots)];
  const sites = await d.master.getSites(unique.filter((id) => !known.has(id)));
  return new Map(unique.map((id) => [id, known.get(id) ?? sites.get(id)?.kind ?? 'unknown']));
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

/**
 * Where a page of trace movements ends: the last movement's time order key, and the id of the walk it was cut from
 * when that walk is kept for the next pages (see TraceWalks).
 */
const TraceCursor = z.strictObject({
  t: z.number().int(),
  g: z.string(),
  l: z.string(),
  s: z.number().int().min(1),
  w: z.string().min(1).max(64).optional(),
});
type TracePosition = { t: number; g: string; l: string; s: number };

const positionOf = (e: LedgerEntry): TracePosition => ({ t: Date.parse(e.occurredAt), g: e.gtin, l: e.lot, s: e.seq });
const comparePositions = (a: TracePosition, b: TracePosition) => a.t - b.t || compareText(a.g, b.g) || compareText(a.l, b.l) || a.s - b.s;

/** Movements in time order with their positions, sorted once for every page cut from them. */
type SortedMovements = { e: LedgerEntry; at: TracePosition }[];

/** Every chained movement of the traced lots, in time order (the order the pages follow). */
export function sortedMovements(traced: Iterable<TracedLot>): SortedMovements {
  const out: SortedMovements = [];
  for (const t of traced) for (const e of t.entries) out.push({ e, at: positionOf(e) });
  return out.sort((a, b) => comparePositions(a.at, b.at));
}

/** The page after `after` of movements already in time order: a binary search to its start, then at most `limit`. */
function pageOf(sorted: SortedMovements, limit: number, budget: number, after?: TracePosition): { movements: LedgerEntry[]; next?: TracePosition } {
  let lo = 0;
  let hi = sorted.length;
  if (after)
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (comparePositions((sorted[mid] as SortedMovements[number]).at, after) > 0) hi = mid;
      else lo = mid + 1;
    }
  const first = sorted.slice(lo, lo + limit).map((x) => x.e);
  const movements = first.slice(0, fitting(first, budget));
  const last = movements.at(-1);
  return lo + movements.length < sorted.length && last ? { movements, next: positionOf(last) } : { movements };
}

/** The movements after `after` in time order: up to `limit` of them and at most `budget` bytes of JSON (at least one). */
export function movementsPage(
  traced: Iterable<TracedLot>,
  limit: number,
  budget: number,
  after?: TracePosition,
): { movements: LedgerEntry[]; next?: TracePosition } {
  return pageOf(sortedMovements(traced), limit, budget, after);
}

export type TraceOptions = { movements?: boolean; limit?: number; cursor?: string };

/** What one walk of the graph answers: the graph whole, and (once movements are asked for) its movements in order. */
export type TraceWalk = {
  /** the root and direction walked: a cursor names a kept walk only for the trace it came from */
  of: string;
  lots: TraceResult['lots'];
  sites: TraceSite[];
  edges: TraceEdge[];
  movementsTotal: number;
  /** JSON bytes a page has left for its movements once the graph is in it */
  budget: number;
  sorted: SortedMovements;
  /** how many movements this walk holds in memory, for the store of walks kept for their next pages */
  movements: number;
};

const walkOf = (root: LotKey, direction: TraceDirection) => JSON.stringify([root.gtin, root.lot, direction]);

/** One walk of the graph from `root`, and everything each page of the answer needs from it. */
async function walkTrace(d: TraceDeps, root: LotKey, direction: TraceDirection, withMovements: boolean): Promise<TraceWalk> {
  const traced = await walkLots(d, [root], direction);
  if (withMovements) await untilChained(d, traced);
  if (!traced.has(lotId(root))) await requireLot(d, root); // the walk read the root's partition: no head, no lot
  const kinds = await tracedSiteKinds(d, traced.values());
  const kindOf = (id: string) => kinds.get(id) ?? 'unknown';
  const lots = [...traced.values()]
    .map((t) => ({ gtin: t.lot.gtin, lot: t.lot.lot, depth: t.depth }))
    .sort((a, b) => a.depth - b.depth || compareText(a.gtin, b.gtin) || compareText(a.lot, b.lot));
  const sites = siteQuantities(traced.values(), direction, kindOf);
  const edges = traceEdges(
    lots,
    new Set(sites.map((s) => s.siteId)),
    [...traced.values()].flatMap((t) => movementsOf(t)),
  );
  const budget = PAGE_BYTES - Buffer.byteLength(JSON.stringify({ lots, sites, edges }));
  let movementsTotal = 0;
  for (const t of traced.values()) movementsTotal += t.entries.length;
  const sorted = withMovements ? sortedMovements(traced.values()) : [];
  return { of: walkOf(root, direction), lots, sites, edges, movementsTotal, budget, sorted, movements: sorted.length };
}

/**
 * Movements a moment old are in the graph (from their pending entries) but not yet ledger entries with a seq: a trace
 * that lists movements re-reads the lots holding such entries until the sequencer has chained them (readUntilChained).
 */
async function untilChained(d: TraceDeps, traced: Map<string, TracedLot>): Promise<void> {
  const waiting = () => [...traced.values()].filter((t) => t.pending?.length);
  const reread = async () => {
    await crawlLimit(waiting(), READ_CONCURRENCY, async (t) => {
      const { entries, pending } = await readLotPartition(d.ledger, t.lot);
      t.entries = entries;
      t.pending = pending;
    });
    return waiting().length;
  };
  await readUntilChained(d, reread, (left) => left > 0, waiting().length);
}

/**
 * GET /lots/{gtin}/{lot}/trace: the lots reached through transformations, every site involved and the edges between
 * them (quantities summed: enough to draw the graph), and a page of the movements of all those lots in time order
 * (`limit`, default 1000, and `cursor`); `movements: false` (the console's graph) leaves the movements out. The graph is walked once for the
 * first page and kept in `traceWalks` for the next ones, which then read nothing; a page whose walk is not kept walks the
 * graph again and resumes after the cursor's position, so no movement comes twice.
 */
export async function traceLot(
  d: TraceDeps & { traceWalks?: TraceWalks<TraceWalk> },
  root: LotKey,
  direction: TraceDirection,
  opts: TraceOptions = {},
): Promise<TraceResult> {
  const cursor = opts.cursor === undefined ? undefined : decodeCursor(TraceCursor, opts.cursor);
  const withMovements = opts.movements !== false || cursor !== undefined;
  const named = cursor?.w === undefined ? undefined : d.traceWalks?.get(cursor.w);
  const kept = named?.of === walkOf(root, direction) ? named : undefined;
  const walk = kept ?? (await walkTrace(d, root, direction, withMovements));
  const page = withMovements
    ? pageOf(walk.sorted, opts.limit ?? PAGE_LIMIT, walk.budget, cursor && { t: cursor.t, g: cursor.g, l: cursor.l, s: cursor.s })
    : { movements: [] };
  const walkId = page.next === undefined ? undefined : kept ? cursor?.w : d.traceWalks?.put(walk);
  return {
    root,
    direction,
    lots: walk.lots,
    sites: walk.sites,
    edges: walk.edges,
    movements: page.movements,
    movementsTotal: walk.movementsTotal,
    ...(page.next ? { nextCursor: encodeCursor({ ...page.next, ...(walkId === undefined ? {} : { w: walkId }) }) } : {}),
  };
}
