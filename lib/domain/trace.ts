import { mapLimit } from './concurrency.js';
import { ruleOfEntry } from './entry-rules.js';
import type { LedgerEntry, LotKey, LotState } from './ledger.js';
import { lotId, q3 } from './ledger.js';
import type { LotStore } from './lots.js';
import { requireLot } from './lots.js';
import type { MasterDataStore, SiteKind } from './master-data.js';
import { isInternal } from './master-data.js';

export type TraceDirection = 'forward' | 'backward';
export type TraceSite = { siteId: string; kind: SiteKind | 'unknown'; received: number; onHand: number };
export type TraceResult = {
  root: LotKey;
  direction: TraceDirection;
  lots: (LotKey & { depth: number })[];
  sites: TraceSite[];
  movements: LedgerEntry[];
};

export type TraceDeps = { ledger: LotStore; master: Pick<MasterDataStore, 'getSite' | 'getSites'> };

/** How many lots of one BFS level are read at once. */
const READ_CONCURRENCY = 8;

/** Per-lot material a trace collects: its head (balances) and its whole ledger. */
export type TracedLot = { lot: LotState; entries: LedgerEntry[]; depth: number };

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
    const read = await mapLimit(frontier, READ_CONCURRENCY, async (item) => {
      const [lot, entries] = await Promise.all([d.ledger.getLot(item.key), d.ledger.allEntries(item.key)]);
      return { item, lot, entries };
    });
    for (const { item, lot, entries } of read) {
      if (!lot) continue; // an input named in a transform that has no lot record of its own
      seen.set(lotId(item.key), { lot, entries, depth: item.depth });
      for (const n of neighbours(entries, direction)) {
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
export function neighbours(entries: LedgerEntry[], direction: TraceDirection): LotKey[] {
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
    for (const e of t.entries) {
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
    for (const e of t.entries) if (e.counterparty) ids.add(e.counterparty);
  }
  return ids;
}

/**
 * GET /lots/{gtin}/{lot}/trace: the lots reached through transformations and every site involved, with the
 * movements of all those lots in time order.
 */
export async function traceLot(d: TraceDeps, root: LotKey, direction: TraceDirection, opts: { movements?: boolean } = {}): Promise<TraceResult> {
  await requireLot(d, root);
  const traced = await walkLots(d, [root], direction);
  const kinds = await siteKinds(d, mentionedSites(traced.values()));
  const kindOf = (id: string) => kinds.get(id) ?? 'unknown';
  const lots = [...traced.values()]
    .map((t) => ({ gtin: t.lot.gtin, lot: t.lot.lot, depth: t.depth }))
    .sort((a, b) => a.depth - b.depth || a.gtin.localeCompare(b.gtin) || a.lot.localeCompare(b.lot));
  const movements =
    opts.movements === false
      ? []
      : [...traced.values()]
          .flatMap((t) => t.entries)
          .sort(
            (a, b) =>
              Date.parse(a.occurredAt) - Date.parse(b.occurredAt) || a.gtin.localeCompare(b.gtin) || a.lot.localeCompare(b.lot) || a.seq - b.seq,
          );
  return { root, direction, lots, sites: siteQuantities(traced.values(), direction, kindOf), movements };
}
