import type { Clock } from './clock.js';
import type { Issue } from './errors.js';
import {
  contentHash,
  type EventRecord,
  keysOf,
  type LotState,
  lotId,
  MAX_TRANSACTION_ACTIONS,
  type Plan,
  type SerialState,
  type Snapshot,
} from './ledger.js';
import type { Product, Site } from './master-data.js';
import { Movement } from './movement.js';
import { planMovement } from './plan-movement.js';

/** Per-batch cache of master data, so 500 records of one product read it once. */
export type MasterCache = { products: Map<string, Product | null>; sites: Map<string, Site | null> };
export const newMasterCache = (): MasterCache => ({ products: new Map(), sites: new Map() });

export type CommitOutcome = 'committed' | 'event-exists' | 'conflict';

/** Storage port of the ledger. */
export interface LedgerStore {
  /** A consistent read of everything the movement's rules need. */
  snapshot(m: Movement, cache: MasterCache): Promise<Snapshot>;
  /** Write the plan in one transaction, guarded by the versions it was planned from. */
  commit(plan: Plan): Promise<CommitOutcome>;
  getEvent(eventId: string): Promise<EventRecord | undefined>;
}

export type LedgerDeps = {
  ledger: LedgerStore;
  clock: Clock;
  newToken: () => string;
  /**
   * Called once a movement this call wrote has committed (e.g. the defect-rate QA check). It must log its own errors:
   * whatever it does, the movement stays `accepted`, so a failing hook is swallowed here.
   */
  afterAccepted?: (m: Movement, plan: Plan) => Promise<void>;
};

export type RecordResult = {
  index: number;
  eventId: string | null;
  status: 'accepted' | 'duplicate' | 'rejected';
  code?: string;
  message?: string;
  errors?: Issue[];
};

export type BatchReport = { accepted: number; duplicates: number; rejected: number; results: RecordResult[] };

// Contention on one lot (many writers at once) resolves by retrying; ~20 s at most, inside the API's 29 s.
const MAX_ATTEMPTS = 40;
const backoff = (attempt: number) => new Promise((r) => setTimeout(r, Math.min(500, 10 * 2 ** attempt) * (0.5 + Math.random())));

/**
 * Record one validated movement: 1. read a snapshot 2. check the rules and plan 3. commit under conditions, retrying
 * from 1 when another writer got there first. The eventId record is written in the same transaction, so a retry of
 * a movement that did commit finds it and answers `duplicate` (or `accepted` when it was this very call's write).
 */
export async function recordMovement(d: LedgerDeps, m: Movement, index: number, cache: MasterCache, plannedToken?: string): Promise<RecordResult> {
  // A record handed over from the fast path keeps the token it was planned with: if that commit landed, it is ours.
  const token = plannedToken ?? d.newToken();
  const seen = (e: EventRecord | undefined): RecordResult | undefined => (e ? verdictOnExisting(e, m, index, token) : undefined);
  let lastError: unknown;
  let plan: Plan | undefined;
  // Our own write landed (seen directly or found after a lost response): run the hook, which never fails the record.
  const ours = async (r: RecordResult): Promise<RecordResult> => {
    if (r.status === 'accepted' && plan && d.afterAccepted) await d.afterAccepted(m, plan).catch(() => undefined);
    return r;
  };
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    try {
      const snap = await d.ledger.snapshot(m, cache);
      const known = seen(snap.event);
      if (known) return ours(known);
      const planned = planMovement(m, snap, d.clock.now().toISOString(), token);
      if (!planned.ok) return { index, eventId: m.eventId, status: 'rejected', ...planned.rejection };
      plan = planned.plan;
      const outcome = await d.ledger.commit(planned.plan);
      if (outcome === 'committed') return ours({ index, eventId: m.eventId, status: 'accepted' });
      if (outcome === 'event-exists') {
        const r = seen(await d.ledger.getEvent(m.eventId));
        if (r) return ours(r);
      }
    } catch (e) {
      // The commit may have landed before the error (a lost response): the event record tells.
      lastError = e;
      const r = await d.ledger.getEvent(m.eventId).then(seen, () => undefined);
      if (r) return ours(r);
    }
    await backoff(attempt);
  }
  const message = 'The ledger is busy; nothing was written for this record. Sending it again is safe.';
  return {
    index,
    eventId: m.eventId,
    status: 'rejected',
    code: 'busy',
    message,
    errors: [{ path: '', message: `${message} (${String(lastError ?? 'conflicts')})` }],
  };
}

/** The answer for a record whose eventId is already recorded: ours (same token), a duplicate, or a conflict. */
export function verdictOnExisting(e: EventRecord, m: Movement, index: number, token: string | undefined): RecordResult {
  if (token !== undefined && e.txToken === token) return { index, eventId: m.eventId, status: 'accepted' };
  if (e.contentHash === contentHash(m)) return { index, eventId: m.eventId, status: 'duplicate' };
  const message = `eventId ${m.eventId} was already recorded with different content`;
  return { index, eventId: m.eventId, status: 'rejected', code: 'event_id_conflict', message, errors: [{ path: 'eventId', message }] };
}

/** How many independent groups of a batch run at once on the careful path. */
const CONCURRENCY = 16;
/** Records planned together before their writes are committed. */
const WINDOW = 250;
/** Transactions of one window in flight at once (they touch disjoint items). */
const LANES = 4;

/** A consistent view of many records' state; serials are keyed `gtin|serial`. */
export type Overlay = { events: Map<string, EventRecord>; lots: Map<string, LotState>; serials: Map<string, SerialState> };

/** The optional fast path of a ledger store: bulk reads, and many plans committed in one transaction. */
export interface BulkLedgerStore extends LedgerStore {
  readMany(ms: Movement[], cache: MasterCache): Promise<Overlay>;
  /** all plans or none; false when a condition failed or the transaction conflicted */
  commitMany(plans: Plan[]): Promise<boolean>;
  /** how many actions these plans need together, after merging writes to the same lot or serial */
  mergedActions(plans: Plan[]): number;
}

const isBulk = (s: LedgerStore): s is BulkLedgerStore => 'commitMany' in s && 'readMany' in s;

type Pending = { index: number; m: Movement };

/**
 * Record a batch. Each record stands alone: a rejected one writes nothing and does not stop the others, and the
 * outcome is what recording them one by one in batch order would give.
 *
 * Fast path (group commit): a window of records is read in bulk, checked in batch order against that state as each
 * earlier record of the window would leave it, and the accepted ones are committed together in transactions of up to
 * 100 actions, still guarded by the versions read. If such a transaction fails (a concurrent writer, a conflict, a
 * lost response), the records from that point of the window on go through the careful path: one record at a time per
 * lot, re-read and retried, so nothing is lost, doubled or judged against state that did not commit.
 */
export async function recordMovements(
  d: LedgerDeps,
  raw: unknown[],
  parse: (r: unknown, i: number) => ParsedRecord = parseRecord,
): Promise<BatchReport> {
  const results: RecordResult[] = new Array(raw.length);
  const valid: Pending[] = [];
  raw.forEach((r, index) => {
    const p = parse(r, index);
    if (p.ok) valid.push({ index, m: p.movement });
    else results[index] = p.result;
  });
  const cache = newMasterCache();
  const ledger = d.ledger;
  if (!isBulk(ledger)) {
    await carefully(d, valid, results, cache, new Map());
    return summarize(results);
  }
  for (let w = 0; w < valid.length; w += WINDOW) {
    const window = valid.slice(w, w + WINDOW);
    const { rest, tokens } = await groupCommit({ ...d, ledger }, window, results, cache);
    if (rest.length) await carefully(d, rest, results, cache, tokens);
  }
  return summarize(results);
}

type Planned = { pos: number; index: number; m: Movement; plan: Plan; group: number };

/** The fast path over one window; returns the records left for the careful path, with the tokens they were planned with. */
async function groupCommit(
  d: LedgerDeps & { ledger: BulkLedgerStore },
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
  const products = new Map([...cache.products].filter((e): e is [string, Product] => e[1] !== null));
  const sites = new Map([...cache.sites].filter((e): e is [string, Site] => e[1] !== null));
  const now = d.clock.now().toISOString();
  const position = new Map(window.map((x, pos) => [x.index, pos]));
  // Groups share no lot, serial or eventId, so each is planned on its own and their writes never touch the same item.
  const groups = groupByShared(window);
  const deferred: Pending[] = [];
  const plannedByGroup: Planned[][] = groups.map((g, group) => {
    const planned: Planned[] = [];
    const plannedHere = new Set<string>();
    for (const [k, { index, m }] of g.entries()) {
      if (plannedHere.has(m.eventId)) {
        // Its twin earlier in this window has not committed yet: judge it, and what follows, once that one has.
        deferred.push(...g.slice(k));
        break;
      }
      const prior = overlay.events.get(m.eventId);
      if (prior) {
        results[index] = verdictOnExisting(prior, m, index, undefined);
        continue;
      }
      const token = d.newToken();
      const serials = new Map<string, SerialState>();
      for (const sn of m.serials ?? []) {
        const st = overlay.serials.get(`${m.gtin}|${sn}`);
        if (st) serials.set(sn, st);
      }
      const r = planMovement(m, { lots: overlay.lots, serials, products, sites }, now, token);
      if (!r.ok) {
        results[index] = { index, eventId: m.eventId, status: 'rejected', ...r.rejection };
        continue;
      }
      tokens.set(index, token);
      plannedHere.add(m.eventId);
      overlay.events.set(m.eventId, r.plan.event);
      for (const l of r.plan.lots) overlay.lots.set(lotId(l.next), l.next);
      for (const x of r.plan.serials) overlay.serials.set(`${x.next.gtin}|${x.next.serial}`, x.next);
      planned.push({ pos: position.get(index) as number, index, m, plan: r.plan, group });
    }
    return planned;
  });

  // Lanes: small groups share a transaction; a group too big for one runs alone as a chain of transactions in order.
  const lanes: Planned[][][] = [];
  let shared: Planned[] = [];
  const fits = (items: Planned[]) => d.ledger.mergedActions(items.map((x) => x.plan)) <= MAX_TRANSACTION_ACTIONS;
  for (const planned of plannedByGroup) {
    if (planned.length === 0) continue;
    if (fits([...shared, ...planned])) shared.push(...planned);
    else if (fits(planned)) {
      if (shared.length) lanes.push([shared]);
      shared = [...planned];
    } else {
      const chain: Planned[][] = [];
      let current: Planned[] = [];
      for (const p of planned) {
        if (current.length && !fits([...current, p])) {
          chain.push(current);
          current = [];
        }
        current.push(p);
      }
      if (current.length) chain.push(current);
      lanes.push(chain);
    }
  }
  if (shared.length) lanes.push([shared]);

  const failedGroups = new Set<number>();
  const committed = new Set<number>();
  const runLane = async (lane: Planned[][]) => {
    for (const [k, chunk] of lane.entries()) {
      let ok = false;
      try {
        ok = await d.ledger.commitMany(chunk.map((c) => c.plan));
      } catch {
        ok = false; // maybe committed, maybe not: the careful path reads the event records to tell
      }
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
  };
  const queue = [...lanes];
  await Promise.all(
    Array.from({ length: Math.min(LANES, queue.length) }, async () => {
      for (let lane = queue.shift(); lane; lane = queue.shift()) await runLane(lane);
    }),
  );
  // Everything of a failed group that did not commit is judged again, in batch order, on the careful path.
  const rest = [...deferred, ...[...failedGroups].flatMap((g) => (groups[g] as Pending[]).filter((x) => !committed.has(x.index)))];
  const seen = new Set<number>();
  return {
    rest: rest
      .filter((x) => !seen.has(x.index) && seen.add(x.index))
      .sort((a, b) => (position.get(a.index) as number) - (position.get(b.index) as number)),
    tokens,
  };
}

/** The careful path: records that share a lot, serial or eventId run in batch order, one at a time; the rest concurrently. */
async function carefully(d: LedgerDeps, items: Pending[], results: RecordResult[], cache: MasterCache, tokens: Map<number, string>) {
  const groups = groupByShared(items);
  let next = 0;
  const worker = async () => {
    while (next < groups.length) {
      const g = groups[next++] as Pending[];
      for (const { index, m } of g) results[index] = await recordMovement(d, m, index, cache, tokens.get(index));
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, groups.length) }, worker));
}

export type ParsedRecord = { ok: true; movement: Movement } | { ok: false; result: RecordResult };

/** A record refused before any rule ran: `validation_failed`, each issue naming its field. */
export function invalidRecord(raw: unknown, index: number, errors: Issue[]): ParsedRecord {
  const eventId =
    typeof raw === 'object' && raw !== null && typeof (raw as { eventId?: unknown }).eventId === 'string'
      ? (raw as { eventId: string }).eventId
      : null;
  return {
    ok: false,
    result: {
      index,
      eventId,
      status: 'rejected',
      code: 'validation_failed',
      message: errors.map((e) => `${e.path}: ${e.message}`).join('; '),
      errors,
    },
  };
}

/** Validate one record of `movements`; issues are reported with paths like `movements.3.gtin`. */
export function parseRecord(r: unknown, index: number, prefix = 'movements'): ParsedRecord {
  const p = Movement.safeParse(r);
  if (p.success) return { ok: true, movement: p.data };
  return invalidRecord(
    r,
    index,
    p.error.issues.map((i) => ({ path: [prefix, index, ...i.path.map(String)].join('.'), message: i.message })),
  );
}

export function summarize(results: RecordResult[]): BatchReport {
  let accepted = 0;
  let duplicates = 0;
  let rejected = 0;
  for (const r of results) {
    if (r.status === 'accepted') accepted++;
    else if (r.status === 'duplicate') duplicates++;
    else rejected++;
  }
  return { accepted, duplicates, rejected, results };
}

/** Union records that share a lot, serial or eventId into ordered groups (union-find over their keys). */
function groupByShared(items: { index: number; m: Movement }[]): { index: number; m: Movement }[][] {
  const parent = items.map((_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i] as number] as number;
      i = parent[i] as number;
    }
    return i;
  };
  const owner = new Map<string, number>();
  items.forEach(({ m }, i) => {
    const k = keysOf(m);
    const tags = [`E|${m.eventId}`, ...k.lots.map((l) => `L|${lotId(l)}`), ...k.serials.map((s) => `S|${m.gtin}|${s}`)];
    for (const t of tags) {
      const o = owner.get(t);
      if (o === undefined) owner.set(t, i);
      else parent[find(i)] = find(o);
    }
  });
  const groups = new Map<number, { index: number; m: Movement }[]>();
  items.forEach((it, i) => {
    const root = find(i);
    const g = groups.get(root) ?? [];
    g.push(it);
    groups.set(root, g);
  });
  return [...groups.values()];
}
