import { hashOf } from './canonical.js';
import type { Clock } from './clock.js';
import { forEachLimit } from './concurrency.js';
import { AppError } from './errors.js';
import { type LotKey, lotId, q3 } from './ledger.js';
import { type LotChange, type LotStore, spreadStatus } from './lots.js';
import type { MasterDataStore } from './master-data.js';
import { planStatusChange } from './plan-movement.js';
import { answerFromShards, answerOf, type RecallAnswer, shardsForAnswer } from './recall-answer.js';
import { type BlastRadius, blastRadius, unitsAtRiskOf } from './recall-blast-radius.js';
import { shardsOf } from './recall-fanout.js';
import type { RecallInput } from './recall-request.js';
import type { RecallRecord, RecallStore, ShardReader } from './recall-store.js';
import { retry, type Sleep } from './retry.js';

/** How many lots a recall quarantines at once. */
const QUARANTINE_WIDTH = 16;

/** The queue of shard messages the notifier takes (SQS in the cloud, the local stack's queue locally). */
export interface ShardQueue {
  send(shards: { recallId: string; shard: number }[]): Promise<void>;
}

export type RecallDeps = {
  ledger: LotStore;
  master: MasterDataStore;
  recalls: RecallStore & ShardReader;
  shardQueue: ShardQueue;
  clock: Clock;
  newToken: () => string;
  /** a monotonic millisecond timer, for traceMillis */
  timer?: () => number;
  /** the wait between attempts to quarantine a lot that keeps changing */
  sleep?: Sleep;
  log?: (msg: string, extra?: object) => void;
};

/**
 * A recall id from the client's Idempotency-Key, scoped to who asks (two callers' keys never meet), else a fresh one.
 * @example recallIdFor('k-1', 'local', randomUUID) // 'R-' + 16 hex digits, the same every time
 */
export const recallIdFor = (idempotencyKey: string | undefined, requestedBy: string, newToken: () => string) =>
  idempotencyKey ? `R-${hashOf({ requestedBy, idempotencyKey }).slice(0, 16)}` : `R-${newToken().replace(/-/g, '').slice(0, 16)}`;

/** A drill's id: from the key and the body when keyed (a resend answers the same id), else fresh; never a recall's. */
const mockIdFor = (idempotencyKey: string | undefined, requestHash: string, newToken: () => string) =>
  idempotencyKey ? `M-${hashOf({ idempotencyKey, requestHash }).slice(0, 16)}` : `M-${newToken().replace(/-/g, '').slice(0, 16)}`;

/**
 * Start a recall (or a drill with `mock`, which traces and answers, and changes nothing). It answers as soon as the
 * recall is recorded, whatever the number of recipients: the recall record, its recipients in shards (the outbox of
 * the fan-out), then each affected lot becomes `recalled` with a chained ledger entry, then the recall is
 * `notifying` and its shards are queued for the notifier, which writes and sends the notices. A queue that refuses
 * is not an error: the sweeper queues every shard of a notifying recall that is not done. A retried request with the
 * same Idempotency-Key (same caller, same body) resumes or returns the same recall; another body is a 409.
 */
export async function startRecall(d: RecallDeps, input: RecallInput, opts: { idempotencyKey?: string; requestedBy: string }): Promise<RecallAnswer> {
  const keyed = recallIdFor(opts.idempotencyKey, opts.requestedBy, d.newToken);
  const requestHash = hashOf({ requestedBy: opts.requestedBy, input });
  // A key names one recall: a drill under the key of a real recall asks for something else (409), whatever its body.
  const existing = input.mock && !opts.idempotencyKey ? undefined : await d.recalls.getRecall(keyed);
  if (existing) checkSameRequest(existing, requestHash, keyed);
  // A drill records nothing, so it never takes a real recall's id: `M-`, the same again for the same key and body.
  const recallId = input.mock ? mockIdFor(opts.idempotencyKey, requestHash, d.newToken) : keyed;
  if (existing && existing.status !== 'creating') return answerFromShards(existing, await d.recalls.shards(recallId, shardsForAnswer));

  const timer = d.timer ?? (() => performance.now());
  const t0 = timer();
  const radius = await blastRadius(d, input.lots, input.includeDownstream);
  const traceMillis = Math.round(timer() - t0);
  const answer = answerOf(recallId, input.mock, radius, traceMillis);
  if (input.mock) return answer;

  const now = d.clock.now().toISOString();
  const shards = shardsOf(recallId, radius).map((s) => ({ ...s, queuedAt: now }));
  const record: RecallRecord = existing ?? {
    recallId,
    status: 'creating',
    mock: false,
    classification: input.classification,
    reason: input.reason,
    ...(input.hazard ? { hazard: input.hazard } : {}),
    ...(input.instructions ? { instructions: input.instructions } : {}),
    ...(input.depth ? { depth: input.depth } : {}),
    ...(input.effectivenessLevel ? { effectivenessLevel: input.effectivenessLevel } : {}),
    ...(input.estimatedCompletion ? { estimatedCompletion: input.estimatedCompletion } : {}),
    includeDownstream: input.includeDownstream,
    food: radius.food,
    lots: input.lots,
    affectedLots: radius.lots,
    customers: answer.affected.customersTotal,
    noticesTotal: radius.sites.length,
    noticeCounters: true,
    shards: shards.length,
    shardsDone: 0,
    unitsAtRisk: q3(radius.sites.reduce((s, x) => s + unitsAtRiskOf(x), 0)),
    issuedAt: now,
    requestedBy: opts.requestedBy,
    requestHash,
    traceMillis,
  };
  if (!existing && !(await d.recalls.createRecall(record))) {
    // Another request with the same key created it meanwhile: answer with what that one recorded.
    const other = (await d.recalls.getRecall(recallId)) as RecallRecord;
    checkSameRequest(other, requestHash, recallId);
    return answerFromShards(other, await d.recalls.shards(recallId, shardsForAnswer));
  }
  // The shards (the fan-out's outbox) and the quarantine of every lot are independent: written at the same time, the
  // lots in batched transactions (a recall through a transform can reach thousands: see quarantine).
  await Promise.all([d.recalls.putShards(shards), quarantine(d, radius, recallId, input.reason)]);
  await d.recalls.setRecallStatus(recallId, shards.length === 0 ? 'active' : 'notifying');
  try {
    await d.shardQueue.send(shards.map((s) => ({ recallId, shard: s.shard })));
  } catch (e) {
    d.log?.('the notifier queue refused the shards; the sweeper will queue them', { recallId, error: String(e) });
  }
  return { ...answer, status: shards.length === 0 ? 'active' : 'notifying' };
}

/** Lots quarantined in one transaction (2 actions each, of DynamoDB's 100). */
const LOTS_A_TRANSACTION = 45;

/**
 * Quarantine every affected lot: planned from the states the trace read, LOTS_A_TRANSACTION lots a transaction,
 * then each lot's stock heads learn the status. A batch whose transaction does not land (a lot changed since the trace
 * read it, a conflict), a lot already recalled (a resumed recall) and a store without batches go one lot at a time,
 * each read afresh (markRecalled).
 */
async function quarantine(d: RecallDeps, radius: Pick<BlastRadius, 'lots' | 'states'>, recallId: string, reason: string) {
  const now = d.clock.now().toISOString();
  const alone: LotKey[] = [];
  const planned: { key: LotKey; change: LotChange }[] = [];
  for (const key of radius.lots) {
    const lot = radius.states.get(lotId(key));
    if (!lot || lot.status === 'recalled' || !d.ledger.commitLotChanges) {
      alone.push(key);
      continue;
    }
    const { next, pending } = planStatusChange(lot, recallChange(recallId, reason), now);
    planned.push({ key, change: { expectedStatusVersion: lot.statusVersion, next, pending } });
  }
  const batches: (typeof planned)[] = [];
  for (let i = 0; i < planned.length; i += LOTS_A_TRANSACTION) batches.push(planned.slice(i, i + LOTS_A_TRANSACTION));
  await Promise.all([
    forEachLimit(batches, 4, async (batch) => {
      if (await d.ledger.commitLotChanges?.(batch.map((b) => b.change))) {
        await forEachLimit(batch, QUARANTINE_WIDTH, (b) => spreadStatus(d.ledger, b.change.next));
        return;
      }
      await forEachLimit(batch, QUARANTINE_WIDTH, (b) => markRecalled(d, b.key, recallId, reason));
    }),
    forEachLimit(alone, QUARANTINE_WIDTH, (key) => markRecalled(d, key, recallId, reason)),
  ]);
}

/** The status change a recall makes to each of its lots (the same eventId, however often it is tried). */
const recallChange = (recallId: string, reason: string) => ({ type: 'recall' as const, reason, eventId: `recall:${recallId}`, recallId });

function checkSameRequest(r: RecallRecord, requestHash: string, recallId: string) {
  if (r.requestHash !== undefined && r.requestHash !== requestHash)
    throw new AppError('idempotency_key_reused', 'This Idempotency-Key was already used for another recall request', [
      { path: 'Idempotency-Key', message: `names recall ${recallId}, which asked for something else` },
    ]);
}

/** The lot was changed by someone else between our read and our write. */
class LotChanged extends Error {}

/**
 * Quarantine one lot with a chained `recall` entry: its meta first (the status every movement plans from), then
 * every stock head (see spreadStatus); re-read and try again while another status change keeps landing first.
 */
async function markRecalled(d: RecallDeps, k: LotKey, recallId: string, reason: string) {
  try {
    await retry(
      async () => {
        const lot = await d.ledger.getLot(k);
        if (!lot) return;
        if (lot.status === 'recalled') {
          // a resumed recall: the heads a crash left behind learn the status now
          await spreadStatus(d.ledger, lot);
          return;
        }
        const { next, pending } = planStatusChange(lot, recallChange(recallId, reason), d.clock.now().toISOString());
        if (!(await d.ledger.commitLotChange(lot.statusVersion, next, pending))) throw new LotChanged();
        await spreadStatus(d.ledger, next);
      },
      { attempts: 20, delayMs: (attempt) => 5 * attempt, retryable: (e) => e instanceof LotChanged, sleep: d.sleep },
    );
  } catch (e) {
    if (!(e instanceof LotChanged)) throw e;
    throw new AppError('busy', `Lot ${k.lot} kept changing; the recall is recorded and can be resumed by sending the request again`, [], {
      cause: e,
    });
  }
}
