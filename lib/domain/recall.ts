import { hashOf } from './canonical.js';
import type { Clock } from './clock.js';
import { AppError } from './errors.js';
import { type LotKey, q3 } from './ledger.js';
import { type LotStore, spreadStatus } from './lots.js';
import type { MasterDataStore } from './master-data.js';
import { planStatusChange } from './plan-movement.js';
import { answerFromStore, answerOf, type RecallAnswer } from './recall-answer.js';
import { blastRadius, unitsAtRiskOf } from './recall-blast-radius.js';
import { noticesFor } from './recall-notice.js';
import type { RecallInput } from './recall-request.js';
import type { RecallRecord, RecallStore } from './recall-store.js';
import { retry, type Sleep } from './retry.js';

export type RecallDeps = {
  ledger: LotStore;
  master: MasterDataStore;
  recalls: RecallStore;
  clock: Clock;
  newToken: () => string;
  /** a monotonic millisecond timer, for traceMillis */
  timer?: () => number;
  /** the wait between attempts to quarantine a lot that keeps changing */
  sleep?: Sleep;
};

/** A recall id from the client's Idempotency-Key (so a retried POST finds the same recall), else a fresh one. */
export const recallIdFor = (idempotencyKey: string | undefined, newToken: () => string) =>
  idempotencyKey ? `R-${hashOf(idempotencyKey).slice(0, 16)}` : `R-${newToken().replace(/-/g, '').slice(0, 16)}`;

/**
 * Start a recall (or a drill with `mock`, which traces and answers, and changes nothing). Order matters for "no
 * notice lost": the recall record and every notice are written to the table first (the outbox), then each affected
 * lot becomes `recalled` with a chained ledger entry, and only then is the recall marked active. The publisher sends
 * the outbox through each notice's channel separately and retries until the channel accepts it. A retried request
 * with the same Idempotency-Key resumes or returns the same recall.
 */
export async function startRecall(d: RecallDeps, input: RecallInput, opts: { idempotencyKey?: string; requestedBy: string }): Promise<RecallAnswer> {
  const recallId = recallIdFor(opts.idempotencyKey, d.newToken);
  const existing = input.mock ? undefined : await d.recalls.getRecall(recallId);
  if (existing?.status === 'active') return answerFromStore(existing, await d.recalls.notices(recallId));

  const timer = d.timer ?? (() => performance.now());
  const t0 = timer();
  const radius = await blastRadius(d, input.lots, input.includeDownstream);
  const traceMillis = Math.round(timer() - t0);
  const answer = answerOf(recallId, input.mock, radius, traceMillis);
  if (input.mock) return answer;

  const now = d.clock.now().toISOString();
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
    includeDownstream: input.includeDownstream,
    lots: input.lots,
    affectedLots: radius.lots,
    customers: answer.affected.customers.length,
    noticesTotal: radius.sites.length,
    unitsAtRisk: q3(radius.sites.reduce((s, x) => s + unitsAtRiskOf(x), 0)),
    issuedAt: now,
    requestedBy: opts.requestedBy,
    traceMillis,
  };
  if (!existing && !(await d.recalls.createRecall(record))) {
    // Another request with the same key created it meanwhile: answer with what that one recorded.
    return answerFromStore((await d.recalls.getRecall(recallId)) as RecallRecord, await d.recalls.notices(recallId));
  }

  await d.recalls.putNotices(await noticesFor(d, recallId, radius, now));
  for (const lot of radius.lots) await markRecalled(d, lot, recallId, input.reason);
  await d.recalls.setRecallStatus(recallId, 'active');
  return answer;
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
        const { next, pending } = planStatusChange(
          lot,
          { type: 'recall', reason, eventId: `recall:${recallId}`, recallId },
          d.clock.now().toISOString(),
        );
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
