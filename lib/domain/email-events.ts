import type { Clock } from './clock.js';
import type { NoticeChannel } from './notice-channels.js';
import type { Notice, OutboxStore } from './recall-store.js';

/** What an SES event says about one notice email (the configuration set's event destination). */
export type EmailEvent = {
  kind: 'delivered' | 'bounced' | 'complained' | 'rejected' | 'other';
  notice: { recallId: string; siteId: string; followUp: number };
};

/**
 * Apply an SES event to its notice: a delivery confirms it; a permanent bounce, a complaint or a reject sends it by the
 * recipient's other channel when it has one (email -> sms), else marks it failed; a notice that also went out by SMS
 * and was accepted there counts as delivered. An event for an older follow-up than
 * the notice's current one changes nothing.
 */
export async function onEmailEvent(
  d: {
    recalls: Pick<OutboxStore, 'markDelivered' | 'reroute' | 'markDead'> & {
      getNotice(recallId: string, siteId: string): Promise<Notice | undefined>;
    };
    clock: Clock;
  },
  e: EmailEvent,
): Promise<'delivered' | 'rerouted' | 'failed' | 'ignored'> {
  const n = await d.recalls.getNotice(e.notice.recallId, e.notice.siteId);
  if (!n || n.followUp !== e.notice.followUp || e.kind === 'other') return 'ignored';
  const now = d.clock.now().toISOString();
  if (e.kind === 'delivered') {
    await d.recalls.markDelivered(n, now);
    return 'delivered';
  }
  const error = `email ${e.kind}`;
  // The personal channels the notice also went by (a recipient reached on email and SMS): SMS confirms on acceptance.
  const rest = n.channels.filter((c) => c !== 'email' && c !== 'sns');
  if (rest.length && n.status === 'published') {
    await d.recalls.markDelivered(n, now);
    return 'delivered';
  }
  const channels: NoticeChannel[] = [...new Set([...rest, ...(n.fallback && n.fallback !== 'email' ? [n.fallback] : [])])];
  if (channels.length && (await d.recalls.reroute(n, channels, now, error))) return 'rerouted';
  await d.recalls.markDead(n, error);
  return 'failed';
}
