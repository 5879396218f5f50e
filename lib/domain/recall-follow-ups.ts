import type { Clock } from './clock.js';
import { forEachLimit } from './concurrency.js';
import type { OutboxStore } from './recall-store.js';

/** How many follow-ups are scheduled at once. */
const FOLLOW_UPS_IN_FLIGHT = 16;

/**
 * Queue a follow-up notice for every consignee of an active recall that has not acknowledged within `afterHours` of
 * its last notice; the outbox publisher sends it. Stops for a site once it acknowledges.
 */
export async function queueFollowUps(d: { recalls: OutboxStore; clock: Clock }, afterHours: number): Promise<number> {
  const now = d.clock.now();
  const cutoff = new Date(now.getTime() - afterHours * 3_600_000).toISOString();
  let queued = 0;
  for (const r of await d.recalls.activeRecalls()) {
    const stale = (await d.recalls.notices(r.recallId)).filter(
      (n) => n.status === 'published' && !n.acknowledgedAt && (n.publishedAt ?? '') < cutoff,
    );
    await forEachLimit(stale, FOLLOW_UPS_IN_FLIGHT, async (n) => {
      if (await d.recalls.scheduleFollowUp(n, now.toISOString())) queued++;
    });
  }
  return queued;
}
