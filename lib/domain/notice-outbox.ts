import type { Clock } from './clock.js';
import { type Notice, noticeAttributes, noticeMessage, type RecallRecord } from './recall.js';

/** The outbox side of the recall store. */
export interface OutboxStore {
  /** pending notices whose next attempt is due, oldest first */
  duePending(limit: number, now: string): Promise<Notice[]>;
  /** take a lease on a pending notice so two publishers never send it at once; false if another holds it */
  claim(n: Notice, now: string, leaseUntil: string): Promise<boolean>;
  markPublished(n: Notice, messageId: string, at: string): Promise<void>;
  markFailed(n: Notice, error: string, nextAttemptAt: string): Promise<void>;
  getRecall(recallId: string): Promise<RecallRecord | undefined>;
  activeRecalls(): Promise<RecallRecord[]>;
  notices(recallId: string): Promise<Notice[]>;
  /** put a published, unacknowledged notice back in the outbox as follow-up n+1; false if it changed meanwhile */
  scheduleFollowUp(n: Notice, now: string): Promise<boolean>;
}

export type PublishEntry = { id: string; body: string; attributes: Record<string, string> };
export type PublishOutcome = { ok: { id: string; messageId: string }[]; failed: { id: string; message: string }[] };

/** Port over SNS PublishBatch (10 entries at most). */
export interface NoticePublisher {
  publishBatch(entries: PublishEntry[]): Promise<PublishOutcome>;
}

export type OutboxDeps = { recalls: OutboxStore; publisher: NoticePublisher; clock: Clock; log?: (msg: string, extra?: object) => void };

const LEASE_MS = 60_000;
const MAX_BACKOFF_MS = 5 * 60_000;
const backoffMs = (attempts: number) => Math.min(MAX_BACKOFF_MS, 1000 * 2 ** Math.min(attempts, 10));

/**
 * Publish what is due in the outbox. Each notice is claimed (a lease), sent in a PublishBatch of up to 10, and marked
 * published only once SNS accepted that entry; an entry SNS refused, or a whole call that failed, stays pending with a
 * backoff. A crash between sending and marking re-sends the notice later with the same noticeId, so consumers can
 * drop the copy: a notice may be late, never lost.
 */
export async function publishDue(
  d: OutboxDeps,
  opts: { maxRounds?: number; batchesInFlight?: number } = {},
): Promise<{ published: number; failed: number }> {
  let published = 0;
  let failed = 0;
  const recalls = new Map<string, RecallRecord | undefined>();
  for (let round = 0; round < (opts.maxRounds ?? 100); round++) {
    const now = d.clock.now();
    const due = await d.recalls.duePending(500, now.toISOString());
    if (due.length === 0) break;
    const leaseUntil = new Date(now.getTime() + LEASE_MS).toISOString();
    const claimed: Notice[] = [];
    await inParallel(due, 16, async (n) => {
      if (await d.recalls.claim(n, now.toISOString(), leaseUntil)) claimed.push(n);
    });
    if (claimed.length === 0) break;
    const batches: Notice[][] = [];
    for (let i = 0; i < claimed.length; i += 10) batches.push(claimed.slice(i, i + 10));
    await inParallel(batches, opts.batchesInFlight ?? 8, async (batch) => {
      const entries: { n: Notice; entry: PublishEntry }[] = [];
      for (const [i, n] of batch.entries()) {
        if (!recalls.has(n.recallId)) recalls.set(n.recallId, await d.recalls.getRecall(n.recallId));
        const r = recalls.get(n.recallId);
        if (!r) continue;
        if (n.followUp > 0 && n.acknowledgedAt) {
          // The site answered after its follow-up was queued: nothing to send.
          await d.recalls.markPublished(n, n.messageId ?? 'not-sent-acknowledged', d.clock.now().toISOString());
          continue;
        }
        entries.push({ n, entry: { id: String(i), body: JSON.stringify(noticeMessage(r, n)), attributes: noticeAttributes(r, n) } });
      }
      if (entries.length === 0) return;
      let outcome: PublishOutcome;
      try {
        outcome = await d.publisher.publishBatch(entries.map((e) => e.entry));
      } catch (e) {
        outcome = { ok: [], failed: entries.map((x) => ({ id: x.entry.id, message: (e as Error).message ?? String(e) })) };
      }
      const byId = new Map(entries.map((e) => [e.entry.id, e.n]));
      for (const ok of outcome.ok) {
        const n = byId.get(ok.id);
        if (!n) continue;
        await d.recalls.markPublished(n, ok.messageId, d.clock.now().toISOString());
        published++;
      }
      for (const f of outcome.failed) {
        const n = byId.get(f.id);
        if (!n) continue;
        failed++;
        await d.recalls.markFailed(n, f.message.slice(0, 500), new Date(d.clock.now().getTime() + backoffMs(n.attempts + 1)).toISOString());
      }
      if (outcome.failed.length) d.log?.('notices not accepted by SNS; will retry', { failed: outcome.failed.length });
    });
  }
  return { published, failed };
}

/**
 * Queue a follow-up notice for every consignee of an active recall that has not acknowledged within `afterHours` of
 * its last notice. Stops for a site once it acknowledges.
 */
export async function queueFollowUps(d: Pick<OutboxDeps, 'recalls' | 'clock'>, afterHours: number): Promise<number> {
  const now = d.clock.now();
  const cutoff = new Date(now.getTime() - afterHours * 3_600_000).toISOString();
  let queued = 0;
  for (const r of await d.recalls.activeRecalls()) {
    const stale = (await d.recalls.notices(r.recallId)).filter(
      (n) => n.status === 'published' && !n.acknowledgedAt && (n.publishedAt ?? '') < cutoff,
    );
    await inParallel(stale, 16, async (n) => {
      if (await d.recalls.scheduleFollowUp(n, now.toISOString())) queued++;
    });
  }
  return queued;
}

async function inParallel<T>(items: T[], width: number, fn: (t: T) => Promise<void>) {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: Math.min(width, queue.length) }, async () => {
      for (let t = queue.shift(); t !== undefined; t = queue.shift()) await fn(t);
    }),
  );
}
