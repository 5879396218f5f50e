import { forEachLimit } from './concurrency.js';
import { applyLotWrite, lotId, MAX_TRANSACTION_ACTIONS, type Plan, type SerialState } from './ledger.js';
import type { BulkLedgerStore, MasterCache, Overlay } from './ledger-ports.js';
import type { Product, Site } from './master-data.js';
import type { Movement } from './movement.js';
import { planMovement } from './plan-movement.js';
import { groupByShared, type Pending } from './record-groups.js';
import { type LedgerDeps, type RecordResult, verdictOnExisting } from './record-movement.js';

/** Transactions of one window in flight at once (they touch disjoint items). */
const LANES = 4;

type Planned = { index: number; m: Movement; plan: Plan; group: number };
/** Transactions run one after another; the first that fails stops the lane. */
type Lane = Planned[][];

export type GroupDeps = LedgerDeps & { ledger: BulkLedgerStore };

/**
 * The fast path over one window of a batch: read it in bulk, check each record in batch order against the state the
 * window's earlier records leave, and commit the accepted ones together in transactions of up to 100 actions, still
 * guarded by the versions read. Writes `results` for what it settled; returns the records left for the careful path
 * (in batch order), with the tokens they were planned with, so a commit that did land is known as ours.
 */
export async function groupCommit(
  d: GroupDeps,
  window: Pending[],
  results: RecordResult[],
  cache: MasterCache,
): Promise<{ rest: Pending[]; tokens: Map<number, string> }> {
  const tokens = new Map<number, string>();
  let overlay: Overlay;
  try {
    overlay = await d.ledger.readMany(
      window.map((x) => x.m),
      cache,
    );
  } catch {
    return { rest: window, tokens };
  }
  // Groups share no lot, serial or eventId, so each is planned on its own and their writes never touch the same item.
  const groups = groupByShared(window);
  const deferred: Pending[] = [];
  const planning: Planning = {
    overlay,
    products: new Map([...cache.products].filter((e): e is [string, Product] => e[1] !== null)),
    sites: new Map([...cache.sites].filter((e): e is [string, Site] => e[1] !== null)),
    now: d.clock.now().toISOString(),
    results,
    tokens,
    deferred,
  };
  const planned = groups.map((g, group) => planGroup(d, g, group, planning));
  const { failedGroups, committed } = await commitLanes(d, lanesOf(d.ledger, planned), results);
  // Everything of a failed group that did not commit is judged again, in batch order, on the careful path.
  const failed = [...failedGroups].flatMap((g) => (groups[g] as Pending[]).filter((x) => !committed.has(x.index)));
  return { rest: inBatchOrder(window, [...deferred, ...failed]), tokens };
}

/** What planning a window shares: the state as planned so far, the master data read, and what it settles or defers. */
type Planning = {
  overlay: Overlay;
  products: Map<string, Product>;
  sites: Map<string, Site>;
  now: string;
  results: RecordResult[];
  tokens: Map<number, string>;
  deferred: Pending[];
};

/** Plan a group's records in order, each against the overlay as the earlier ones leave it. */
function planGroup(d: LedgerDeps, g: Pending[], group: number, p: Planning): Planned[] {
  const { overlay, results } = p;
  const planned: Planned[] = [];
  const plannedHere = new Set<string>();
  for (const [k, { index, m }] of g.entries()) {
    if (plannedHere.has(m.eventId)) {
      // Its twin earlier in this window has not committed yet: judge it, and what follows, once that one has.
      p.deferred.push(...g.slice(k));
      break;
    }
    const prior = overlay.events.get(m.eventId);
    if (prior) {
      results[index] = verdictOnExisting(prior, m, index, undefined);
      continue;
    }
    const token = d.newToken();
    const r = planMovement(m, { lots: overlay.lots, serials: serialsOf(overlay, m), products: p.products, sites: p.sites }, p.now, token);
    if (!r.ok) {
      results[index] = { index, eventId: m.eventId, status: 'rejected', ...r.rejection };
      continue;
    }
    p.tokens.set(index, token);
    plannedHere.add(m.eventId);
    overlay.events.set(m.eventId, r.plan.event);
    for (const l of r.plan.lots) overlay.lots.set(lotId(l.key), applyLotWrite(overlay.lots.get(lotId(l.key)), l));
    for (const x of r.plan.serials) overlay.serials.set(`${x.next.gtin}|${x.next.serial}`, x.next);
    planned.push({ index, m, plan: r.plan, group });
  }
  return planned;
}

/** The overlay's serials of a movement, keyed by serial as a snapshot holds them. */
function serialsOf(overlay: Overlay, m: Movement): Map<string, SerialState> {
  const serials = new Map<string, SerialState>();
  for (const sn of m.serials ?? []) {
    const st = overlay.serials.get(`${m.gtin}|${sn}`);
    if (st) serials.set(sn, st);
  }
  return serials;
}

/** Lanes: small groups share a transaction; a group too big for one runs alone as a chain of transactions in order. */
function lanesOf(store: BulkLedgerStore, plannedByGroup: Planned[][]): Lane[] {
  const fits = (items: Planned[]) => store.mergedActions(items.map((x) => x.plan)) <= MAX_TRANSACTION_ACTIONS;
  const lanes: Lane[] = [];
  let shared: Planned[] = [];
  for (const planned of plannedByGroup) {
    if (planned.length === 0) continue;
    if (fits([...shared, ...planned])) shared.push(...planned);
    else if (fits(planned)) {
      if (shared.length) lanes.push([shared]);
      shared = [...planned];
    } else {
      lanes.push(chainOf(planned, fits));
    }
  }
  if (shared.length) lanes.push([shared]);
  return lanes;
}

/** Split one group, in order, into transactions that each fit. */
function chainOf(planned: Planned[], fits: (items: Planned[]) => boolean): Lane {
  const chain: Lane = [];
  let current: Planned[] = [];
  for (const p of planned) {
    if (current.length && !fits([...current, p])) {
      chain.push(current);
      current = [];
    }
    current.push(p);
  }
  if (current.length) chain.push(current);
  return chain;
}

/** Commit the lanes, a few at once; a failed transaction marks its group and every later one of its lane as failed. */
async function commitLanes(d: GroupDeps, lanes: Lane[], results: RecordResult[]) {
  const failedGroups = new Set<number>();
  const committed = new Set<number>();
  await forEachLimit(lanes, LANES, async (lane) => {
    for (const [k, chunk] of lane.entries()) {
      // A throw means maybe committed, maybe not: the careful path reads the event records to tell.
      const ok = await d.ledger.commitMany(chunk.map((c) => c.plan)).catch(() => false);
      if (!ok) {
        for (const c of lane.slice(k).flat()) failedGroups.add(c.group);
        return;
      }
      for (const c of chunk) {
        committed.add(c.index);
        results[c.index] = { index: c.index, eventId: c.m.eventId, status: 'accepted' };
        if (d.afterAccepted) await d.afterAccepted(c.m, c.plan).catch(() => undefined);
      }
    }
  });
  return { failedGroups, committed };
}

/** Each record once, in the order of the window. */
function inBatchOrder(window: Pending[], items: Pending[]): Pending[] {
  const wanted = new Set(items.map((x) => x.index));
  return window.filter((x) => wanted.has(x.index));
}
