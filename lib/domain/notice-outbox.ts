import { mapLimit } from './concurrency.js';
import { mintToken, type Ready, type SendCounts, type SendDeps, sendNotices } from './notice-send.js';
import type { Notice, OutboxStore, RecallRecord } from './recall-store.js';

export type OutboxDeps = Omit<SendDeps, 'recalls'> & { recalls: OutboxStore; leaseMs?: number };

const LEASE_MS = 60_000;
/** How many notices are claimed at once. */
const CLAIMS_IN_FLIGHT = 16;

/**
 * Send what is due in the outbox: notices a crashed notifier left behind once their lease ran out, notices a channel
 * refused for a while, follow-ups, reroutes after a bounce. Each is claimed (a lease), gets a fresh link token (its
 * hash stored first) and goes through `sendNotices`. A crash between sending and marking sends the notice again later
 * with the same noticeId, so consumers can drop the copy: a notice may be late, never lost.
 */
export async function publishDue(d: OutboxDeps, opts: { maxRounds?: number } = {}): Promise<SendCounts> {
  const counts: SendCounts = { published: 0, failed: 0 };
  const recalls = new Map<string, RecallRecord | undefined>();
  for (let round = 0; round < (opts.maxRounds ?? 100); round++) {
    const now = d.clock.now();
    const due = await d.recalls.duePending(500, now.toISOString());
    if (due.length === 0) break;
    const leaseUntil = new Date(now.getTime() + Math.min(d.leaseMs ?? LEASE_MS, LEASE_MS)).toISOString();
    const taken = await mapLimit(due, CLAIMS_IN_FLIGHT, async (n) => ((await d.recalls.claim(n, now.toISOString(), leaseUntil)) ? n : undefined));
    const claimed = taken.filter((n): n is Notice => n !== undefined);
    if (claimed.length === 0) break;
    const byRecall = new Map<string, Notice[]>();
    for (const n of claimed) byRecall.set(n.recallId, [...(byRecall.get(n.recallId) ?? []), n]);
    for (const [recallId, list] of byRecall) {
      if (!recalls.has(recallId)) recalls.set(recallId, await d.recalls.getRecall(recallId));
      const r = recalls.get(recallId);
      if (!r) continue;
      const ready = await mapLimit(list, CLAIMS_IN_FLIGHT, async (n): Promise<Ready | undefined> => {
        if ((n.followUp > 0 && n.acknowledgedAt) || r.status === 'closed') {
          // Answered after its follow-up was queued, or the recall closed: nothing to send.
          await d.recalls.markPublished(n, n.messageId ?? 'not-sent', d.clock.now().toISOString(), { delivered: true, channels: [] });
          return undefined;
        }
        return { notice: n, token: await mintToken(d, n) };
      });
      await sendNotices(
        d,
        r,
        ready.filter((x): x is Ready => x !== undefined),
        counts,
      );
    }
  }
  return counts;
}
