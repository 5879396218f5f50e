import type { Clock } from './clock.js';
import { forEachLimit } from './concurrency.js';
import type { AlertPublisher } from './expiry-ports.js';
import { NOTICE_CHANNELS, type NoticeChannel } from './notice-channels.js';
import type { Notice, OutboxStore } from './recall-store.js';

/** How many follow-ups are scheduled at once. */
const FOLLOW_UPS_IN_FLIGHT = 16;

export type FollowUpDeps = { recalls: OutboxStore; clock: Clock; alertPublisher?: AlertPublisher; log?: (msg: string, extra?: object) => void };

/**
 * The channels of the next follow-up: the same until `escalateAfter` follow-ups went unanswered, then the recipient's
 * other channel in place of its personal one (email -> sms), when it has one. A notice that already goes by its
 * fallback (escalated, or reaching the recipient on both channels from the start) keeps its channels.
 * @example nextChannels({ channels: ['email'], fallback: 'sms', followUp: 2 }, 2) // ['sms']
 * @example nextChannels({ channels: ['email', 'sms'], followUp: 2 }, 2) // undefined: both again
 */
export function nextChannels(n: Pick<Notice, 'channels' | 'fallback' | 'followUp'>, escalateAfter: number): NoticeChannel[] | undefined {
  if (n.followUp < escalateAfter || !n.fallback || n.channels.includes(n.fallback)) return undefined;
  const fallback = n.fallback;
  const swapped = n.channels.map((c) => (NOTICE_CHANNELS[c].needs !== null ? fallback : c));
  return [...new Set(swapped)];
}

/**
 * Queue a follow-up notice for every consignee of an open recall that has not acknowledged within `afterHours` of
 * its last notice; the outbox publisher sends it. After `escalateAfter` follow-ups the next goes by the other channel,
 * and a Class I non-responder is reported on the alerts topic (site and recall only, never contact details).
 */
export async function queueFollowUps(d: FollowUpDeps, afterHours: number, escalateAfter = 2): Promise<number> {
  const now = d.clock.now();
  const cutoff = new Date(now.getTime() - afterHours * 3_600_000).toISOString();
  let queued = 0;
  for (const r of await d.recalls.activeRecalls()) {
    const stale = (await d.recalls.notices(r.recallId)).filter(
      (n) => n.status === 'published' && !n.acknowledgedAt && (n.publishedAt ?? '') < cutoff,
    );
    const alerts: { siteId: string; followUp: number }[] = [];
    await forEachLimit(stale, FOLLOW_UPS_IN_FLIGHT, async (n) => {
      const channels = nextChannels(n, escalateAfter);
      if (await d.recalls.scheduleFollowUp(n, now.toISOString(), channels)) {
        queued++;
        if (n.followUp + 1 > escalateAfter && r.classification === 'I') alerts.push({ siteId: n.siteId, followUp: n.followUp + 1 });
      }
    });
    if (alerts.length && d.alertPublisher) {
      for (let i = 0; i < alerts.length; i += 10) {
        const out = await d.alertPublisher.publish(
          alerts.slice(i, i + 10).map((a) => ({
            alertId: `recall.non-responder:${r.recallId}:${a.siteId}:${a.followUp}`,
            body: JSON.stringify({
              type: 'recall.non-responder',
              recallId: r.recallId,
              classification: r.classification,
              siteId: a.siteId,
              followUps: a.followUp,
            }),
            attributes: { eventType: 'recall.non-responder', recallId: r.recallId, classification: r.classification, siteId: a.siteId },
          })),
        );
        if (out.failed.length) d.log?.('non-responder alerts not accepted', { recallId: r.recallId, failed: out.failed.length });
      }
    }
  }
  return queued;
}
