import type { Clock } from './clock.js';
import { forEachLimit, mapLimit } from './concurrency.js';
import { NOTICE_CHANNELS, type NoticeChannel, type NoticeSenders, type OutgoingNotice, type SendOutcome } from './notice-channels.js';
import { noticeAttributes, noticeMessage } from './recall-notice.js';
import type { Notice, OutboxStore, RecallRecord } from './recall-store.js';

export type OutboxDeps = { recalls: OutboxStore; senders: NoticeSenders; clock: Clock; log?: (msg: string, extra?: object) => void };

const LEASE_MS = 60_000;
const MAX_BACKOFF_MS = 5 * 60_000;
/** How many notices are claimed at once. */
const CLAIMS_IN_FLIGHT = 16;
const backoffMs = (attempts: number) => Math.min(MAX_BACKOFF_MS, 1000 * 2 ** Math.min(attempts, 10));

type Batch = { channel: NoticeChannel; notices: Notice[] };
type Counts = { published: number; failed: number };

/**
 * Publish what is due in the outbox. Each notice is claimed (a lease), sent through its channel in batches of the
 * channel's size, and marked published only once the channel accepted it; a notice the channel refused, or a whole
 * call that failed, stays pending with a backoff. A crash between sending and marking re-sends the notice later with
 * the same noticeId, so consumers can drop the copy: a notice may be late, never lost.
 */
export async function publishDue(d: OutboxDeps, opts: { maxRounds?: number; batchesInFlight?: number } = {}): Promise<Counts> {
  const counts: Counts = { published: 0, failed: 0 };
  const recalls = new Map<string, RecallRecord | undefined>();
  for (let round = 0; round < (opts.maxRounds ?? 100); round++) {
    const now = d.clock.now();
    const due = await d.recalls.duePending(500, now.toISOString());
    if (due.length === 0) break;
    const leaseUntil = new Date(now.getTime() + LEASE_MS).toISOString();
    const taken = await mapLimit(due, CLAIMS_IN_FLIGHT, async (n) => ((await d.recalls.claim(n, now.toISOString(), leaseUntil)) ? n : undefined));
    const claimed = taken.filter((n): n is Notice => n !== undefined);
    if (claimed.length === 0) break;
    await forEachLimit(batchesOf(claimed), opts.batchesInFlight ?? 8, (b) => sendBatch(d, recalls, b, counts));
  }
  return counts;
}

/** The claimed notices grouped by channel, in batches no larger than the channel takes. */
function batchesOf(notices: Notice[]): Batch[] {
  const byChannel = new Map<NoticeChannel, Notice[]>();
  for (const n of notices) {
    const list = byChannel.get(n.channel);
    if (list) list.push(n);
    else byChannel.set(n.channel, [n]);
  }
  const batches: Batch[] = [];
  for (const [channel, list] of byChannel) {
    const size = NOTICE_CHANNELS[channel].maxBatch;
    for (let i = 0; i < list.length; i += size) batches.push({ channel, notices: list.slice(i, i + size) });
  }
  return batches;
}

async function sendBatch(d: OutboxDeps, recalls: Map<string, RecallRecord | undefined>, batch: Batch, counts: Counts) {
  const entries: { n: Notice; out: OutgoingNotice }[] = [];
  for (const [i, n] of batch.notices.entries()) {
    if (!recalls.has(n.recallId)) recalls.set(n.recallId, await d.recalls.getRecall(n.recallId));
    const r = recalls.get(n.recallId);
    if (!r) continue;
    if (n.followUp > 0 && n.acknowledgedAt) {
      // The site answered after its follow-up was queued: nothing to send.
      await d.recalls.markPublished(n, n.messageId ?? 'not-sent-acknowledged', d.clock.now().toISOString());
      continue;
    }
    entries.push({ n, out: { id: String(i), message: noticeMessage(r, n), attributes: noticeAttributes(r, n) } });
  }
  if (entries.length === 0) return;
  let outcome: SendOutcome;
  try {
    outcome = await d.senders[batch.channel].send(entries.map((e) => e.out));
  } catch (e) {
    outcome = { ok: [], failed: entries.map((x) => ({ id: x.out.id, message: (e as Error).message ?? String(e) })) };
  }
  const byId = new Map(entries.map((e) => [e.out.id, e.n]));
  for (const ok of outcome.ok) {
    const n = byId.get(ok.id);
    if (!n) continue;
    await d.recalls.markPublished(n, ok.messageId, d.clock.now().toISOString());
    counts.published++;
  }
  for (const f of outcome.failed) {
    const n = byId.get(f.id);
    if (!n) continue;
    counts.failed++;
    await d.recalls.markFailed(n, f.message.slice(0, 500), new Date(d.clock.now().getTime() + backoffMs(n.attempts + 1)).toISOString());
  }
  if (outcome.failed.length) d.log?.('notices not accepted by their channel; will retry', { channel: batch.channel, failed: outcome.failed.length });
}
