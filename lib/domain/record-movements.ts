import type { Clock } from './clock.js';
import type { Issue } from './errors.js';
import { contentHash, type EventRecord, keysOf, lotId, type Plan, planMovement, type Snapshot } from './ledger.js';
import type { Product, Site } from './master-data.js';
import { Movement } from './movement.js';

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

export type LedgerDeps = { ledger: LedgerStore; clock: Clock; newToken: () => string };

export type RecordResult = {
  index: number;
  eventId: string | null;
  status: 'accepted' | 'duplicate' | 'rejected';
  code?: string;
  message?: string;
  errors?: Issue[];
};

export type BatchReport = { accepted: number; duplicates: number; rejected: number; results: RecordResult[] };

const MAX_ATTEMPTS = 12;
const backoff = (attempt: number) => new Promise((r) => setTimeout(r, Math.min(1000, 10 * 2 ** attempt) * (0.5 + Math.random())));

/**
 * Record one validated movement: 1. read a snapshot 2. check the rules and plan 3. commit under conditions, retrying
 * from 1 when another writer got there first. The eventId record is written in the same transaction, so a retry of
 * a movement that did commit finds it and answers `duplicate` (or `accepted` when it was this very call's write).
 */
export async function recordMovement(d: LedgerDeps, m: Movement, index: number, cache: MasterCache): Promise<RecordResult> {
  const token = d.newToken();
  const hash = contentHash(m);
  const seen = (e: EventRecord | undefined): RecordResult | undefined => {
    if (!e) return undefined;
    if (e.txToken === token) return { index, eventId: m.eventId, status: 'accepted' };
    if (e.contentHash === hash) return { index, eventId: m.eventId, status: 'duplicate' };
    return {
      index,
      eventId: m.eventId,
      status: 'rejected',
      code: 'event_id_conflict',
      message: `eventId ${m.eventId} was already recorded with different content`,
      errors: [{ path: 'eventId', message: `eventId ${m.eventId} was already recorded with different content` }],
    };
  };
  let lastError: unknown;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    try {
      const snap = await d.ledger.snapshot(m, cache);
      const known = seen(snap.event);
      if (known) return known;
      const planned = planMovement(m, snap, d.clock.now().toISOString(), token);
      if (!planned.ok) return { index, eventId: m.eventId, status: 'rejected', ...planned.rejection };
      const outcome = await d.ledger.commit(planned.plan);
      if (outcome === 'committed') return { index, eventId: m.eventId, status: 'accepted' };
      if (outcome === 'event-exists') {
        const r = seen(await d.ledger.getEvent(m.eventId));
        if (r) return r;
      }
    } catch (e) {
      // The commit may have landed before the error (a lost response): the event record tells.
      lastError = e;
      const r = await d.ledger.getEvent(m.eventId).then(seen, () => undefined);
      if (r) return r;
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

/** How many independent groups of a batch run at once. */
const CONCURRENCY = 16;

/**
 * Record a batch. Each record stands alone: a rejected one writes nothing and does not stop the others. Records that
 * share a lot, a serial or an eventId run in batch order, so "receive then ship" in one batch works; unrelated records
 * run concurrently.
 */
export async function recordMovements(
  d: LedgerDeps,
  raw: unknown[],
  parse: (r: unknown, i: number) => ParsedRecord = parseRecord,
): Promise<BatchReport> {
  const results: RecordResult[] = new Array(raw.length);
  const valid: { index: number; m: Movement }[] = [];
  raw.forEach((r, index) => {
    const p = parse(r, index);
    if (p.ok) valid.push({ index, m: p.movement });
    else results[index] = p.result;
  });
  const cache = newMasterCache();
  const groups = groupByShared(valid);
  let next = 0;
  const worker = async () => {
    while (next < groups.length) {
      const g = groups[next++] as { index: number; m: Movement }[];
      for (const { index, m } of g) results[index] = await recordMovement(d, m, index, cache);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, groups.length) }, worker));
  return summarize(results);
}

export type ParsedRecord = { ok: true; movement: Movement } | { ok: false; result: RecordResult };

/** Validate one record of `movements`; issues are reported with paths like `movements.3.gtin`. */
export function parseRecord(r: unknown, index: number, prefix = 'movements'): ParsedRecord {
  const p = Movement.safeParse(r);
  if (p.success) return { ok: true, movement: p.data };
  const eventId =
    typeof r === 'object' && r !== null && typeof (r as { eventId?: unknown }).eventId === 'string' ? (r as { eventId: string }).eventId : null;
  const errors = p.error.issues.map((i) => ({ path: [prefix, index, ...i.path.map(String)].join('.'), message: i.message }));
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
