import type { Clock } from './clock.js';
import type { Issue } from './errors.js';
import { type EventRecord, type Plan, sameContent } from './ledger.js';
import type { LedgerStore, MasterCache } from './ledger-ports.js';
import type { Movement } from './movement.js';
import { planMovement } from './plan-movement.js';
import { jittered, retry, type Sleep } from './retry.js';
import { isTransientError } from './transient-errors.js';

export type LedgerDeps = {
  ledger: LedgerStore;
  clock: Clock;
  newToken: () => string;
  /**
   * Called once a movement this call wrote has committed (e.g. the defect-rate QA check). It must log its own errors:
   * whatever it does, the movement stays `accepted`, so a failing hook is swallowed here.
   */
  afterAccepted?: (m: Movement, plan: Plan) => Promise<void>;
  /** the wait between attempts on a busy lot; default a real timer */
  sleep?: Sleep;
  /**
   * Milliseconds the caller has left before it must answer (an API function's remaining time); none: no limit. Once
   * fewer than ANSWER_MARGIN_MS are left, no new attempt starts: the records not yet settled are answered `busy`, so a
   * storm of throttling ends in a 200 naming what to send again, never in the function's own timeout (a 5xx).
   */
  timeLeftMs?: () => number;
};

/** Time kept back for the last attempt in flight (its own SDK retries included) and for the answer. */
export const ANSWER_MARGIN_MS = 8_000;

/** Whether the caller's time is up for starting another attempt. */
export const outOfTime = (d: Pick<LedgerDeps, 'timeLeftMs'>) => d.timeLeftMs !== undefined && d.timeLeftMs() < ANSWER_MARGIN_MS;

/** No attempt was left in the time the request had. */
class OutOfTime extends Error {
  constructor() {
    super('the request ran out of time');
    this.name = 'OutOfTime';
  }
}

export type RecordResult = {
  index: number;
  eventId: string | null;
  status: 'accepted' | 'duplicate' | 'rejected';
  code?: string;
  message?: string;
  errors?: Issue[];
  /** FSMA 204 KDEs an accepted record lacks (CONTRACT.md, Movements) */
  warnings?: Issue[];
};

// Contention on one lot (many writers at once) resolves by retrying; ~20 s at most, inside the API's 29 s.
const MAX_ATTEMPTS = 40;
const delayMs = jittered(10, 500);

/** What the attempts of one record share: the plan last made. */
type Attempts = { plan?: Plan };

/** Another writer moved a lot, serial or eventId of the record between its read and its commit: re-read and re-plan. */
class LedgerMovedMeanwhile extends Error {
  constructor() {
    super('the ledger moved meanwhile');
    this.name = 'LedgerMovedMeanwhile';
  }
}

/** Worth another attempt: a lost race with another writer, or a throttled, overloaded or timed-out call. */
const isRetryable = (e: unknown) => e instanceof LedgerMovedMeanwhile || isTransientError(e);

/**
 * Record one validated movement: 1. read a snapshot 2. check the rules and plan 3. commit under conditions, retrying
 * from 1 when another writer got there first or the table was throttled. The eventId record is written in the same
 * transaction, so a retry of a movement that did commit finds it and answers `duplicate` (or `accepted` when it was
 * this very call's write). A record handed over from the fast path keeps the token it was planned with: if that
 * commit landed, it is ours. When the retries run out the record is `busy`; an error no retry can pass (a bug, a
 * store refusing the data) is thrown, for the caller to answer 500 and log.
 * @example await recordMovement(deps, movement, 0, cache) // { index: 0, eventId: 'e1', status: 'accepted' }
 */
export async function recordMovement(d: LedgerDeps, m: Movement, index: number, cache: MasterCache, plannedToken?: string): Promise<RecordResult> {
  // A record handed over from the fast path may have landed: it gets at least one attempt, which finds out.
  if (plannedToken === undefined && outOfTime(d)) return busy(m, index, new OutOfTime());
  const token = plannedToken ?? d.newToken();
  const run: Attempts = {};
  let result: RecordResult;
  try {
    result = await retry(() => attempt(d, m, index, cache, token, run), {
      attempts: MAX_ATTEMPTS,
      delayMs,
      retryable: (e) => isRetryable(e) && !outOfTime(d),
      ...(d.sleep ? { sleep: d.sleep } : {}),
    });
  } catch (e) {
    if (isRetryable(e)) return busy(m, index, outOfTime(d) ? new OutOfTime() : e);
    throw e;
  }
  // Our own write landed (seen directly or found after a lost response): run the hook, which never fails the record.
  if (result.status === 'accepted' && run.plan && d.afterAccepted) await d.afterAccepted(m, run.plan).catch(() => undefined);
  return result;
}

/** One read-plan-commit. Throws LedgerMovedMeanwhile on a lost race, or the error of a write not known to have landed. */
async function attempt(d: LedgerDeps, m: Movement, index: number, cache: MasterCache, token: string, run: Attempts): Promise<RecordResult> {
  const seen = (e: EventRecord | undefined) => (e ? verdictOnExisting(e, m, index, token) : undefined);
  let known: RecordResult | undefined;
  try {
    const snap = await d.ledger.snapshot(m, cache);
    known = seen(snap.event);
    if (known) return known;
    const planned = planMovement(m, snap, d.clock.now().toISOString(), token);
    if (!planned.ok) return { index, eventId: m.eventId, status: 'rejected', ...planned.rejection };
    run.plan = planned.plan;
    const outcome = await d.ledger.commit(planned.plan);
    if (outcome === 'committed') return { index, eventId: m.eventId, status: 'accepted', ...warningsOf(planned.plan) };
    if (outcome === 'event-exists') known = seen(await d.ledger.getEvent(m.eventId));
  } catch (e) {
    // The commit may have landed before the error (a lost response): the event record tells.
    known = await d.ledger.getEvent(m.eventId).then(seen, () => undefined);
    if (known) return known;
    throw e;
  }
  if (known) return known;
  throw new LedgerMovedMeanwhile();
}

/** The `warnings` of an accepted record's plan, when it has any. */
export const warningsOf = (p: Plan): { warnings?: Issue[] } => (p.warnings?.length ? { warnings: p.warnings } : {});

/** The answer for a record no attempt was left for in the caller's time. */
export const outOfTimeResult = (m: Movement, index: number) => busy(m, index, new OutOfTime());

/** The answer for a record still in flight when the caller's time ran out: it may have landed; a resend tells. */
export function unsettledResult(m: Movement, index: number): RecordResult {
  const message =
    'The ledger is busy (the request ran out of time while this record was being written); it may or may not have been recorded. Sending it again is safe: it is then accepted, or answered as a duplicate if it was.';
  return { index, eventId: m.eventId, status: 'rejected', code: 'busy', message, errors: [{ path: '', message }] };
}

/** The answer for a record whose retries ran out: what kept it from landing, and that resending it is safe. */
function busy(m: Movement, index: number, last: unknown): RecordResult {
  const why =
    last instanceof OutOfTime
      ? 'the request ran out of time before this record could be written'
      : last instanceof LedgerMovedMeanwhile
        ? `other writers kept changing the same lot or serial, ${MAX_ATTEMPTS} attempts`
        : `the table kept throttling or not answering, ${MAX_ATTEMPTS} attempts`;
  const message = `The ledger is busy (${why}); nothing was written for this record. Sending it again is safe.`;
  return { index, eventId: m.eventId, status: 'rejected', code: 'busy', message, errors: [{ path: '', message }] };
}

/** The answer for a record whose eventId is already recorded: ours (same token), a duplicate, or a conflict. */
export function verdictOnExisting(e: EventRecord, m: Movement, index: number, token: string | undefined): RecordResult {
  if (token !== undefined && e.txToken === token) return { index, eventId: m.eventId, status: 'accepted' };
  if (sameContent(e, m)) return { index, eventId: m.eventId, status: 'duplicate' };
  const message = `eventId ${m.eventId} was already recorded with different content`;
  return { index, eventId: m.eventId, status: 'rejected', code: 'event_id_conflict', message, errors: [{ path: 'eventId', message }] };
}
