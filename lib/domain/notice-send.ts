import { ackUrl, linkToken, tokenHash } from './ack-tokens.js';
import type { Clock } from './clock.js';
import { forEachLimit } from './concurrency.js';
import { type Contact, NOTICE_CHANNELS, type NoticeChannel, type NoticeSenders, type OutgoingNotice, otherChannel } from './notice-channels.js';
import type { RecallingFirm } from './notice-message.js';
import { noticeAttributes, noticeMessage, noticeWords } from './recall-notice.js';
import type { AckToken, Notice, OutboxStore, PublishedNotice, RecallRecord } from './recall-store.js';

/** Where contact details come from: only the notifier's composition root has one (IAM lets only it read them). */
export interface ContactBook {
  contacts(siteIds: string[]): Promise<Map<string, Contact>>;
}

/** What sending a notice needs. `confirmsDelivery`: channels whose delivery is confirmed later by an event (SES with a configuration set). */
export type SendDeps = {
  recalls: Pick<OutboxStore, 'markPublished' | 'markPublishedMany' | 'markFailed' | 'markDead' | 'reroute' | 'putToken'>;
  senders: NoticeSenders;
  contacts: ContactBook;
  clock: Clock;
  firm: RecallingFirm;
  consoleUrl: string;
  newAckToken: () => string;
  confirmsDelivery?: readonly NoticeChannel[];
  log?: (msg: string, extra?: object) => void;
};

const MAX_BACKOFF_MS = 5 * 60_000;
export const backoffMs = (attempts: number) => Math.min(MAX_BACKOFF_MS, 1000 * 2 ** Math.min(attempts, 10));
/** Sends in flight at once per channel (email and SMS go one a call). */
const SENDS_IN_FLIGHT = 16;

export type SendCounts = { published: number; failed: number };

/** A notice ready to go, with the token its link carries (minted and stored before it is sent). */
export type Ready = { notice: Notice; token: string };

/** Mint a token for a notice and store its hash, before any message carries it. */
export async function mintToken(d: Pick<SendDeps, 'recalls' | 'clock' | 'newAckToken'>, n: Notice): Promise<string> {
  const token = linkToken(n.recallId, n.siteId, d.newAckToken());
  const t: AckToken = { tokenHash: tokenHash(token), recallId: n.recallId, siteId: n.siteId, createdAt: d.clock.now().toISOString() };
  await d.recalls.putToken(t);
  return token;
}

/**
 * Send each notice through each of its channels not yet accepted: the topic in batches of ten, email and SMS one a
 * call (each to its one recipient). A notice every channel accepted is published; one a channel refused for good
 * (an address SES rejects) goes to the recipient's other channel if it has one, else is failed; anything else stays
 * pending with a backoff, keeping the channels that accepted so they are not sent twice.
 */
export async function sendNotices(
  d: SendDeps,
  r: RecallRecord,
  ready: Ready[],
  counts: SendCounts = { published: 0, failed: 0 },
  /** the recipients' contact details when the caller has just read them (the notifier's shard), else read here */
  known?: ReadonlyMap<string, Contact>,
) {
  if (ready.length === 0) return counts;
  const personal = ready.filter((x) => x.notice.channels.some((c) => NOTICE_CHANNELS[c].needs !== null)).map((x) => x.notice.siteId);
  const contacts = known ?? (personal.length ? await d.contacts.contacts(personal) : new Map<string, Contact>());
  const outcome = new Map<string, { ok: NoticeChannel[]; failed: { c: NoticeChannel; message: string; permanent: boolean }[]; messageId?: string }>();
  const byChannel = new Map<NoticeChannel, { x: Ready; out: OutgoingNotice }[]>();
  for (const [i, x] of ready.entries()) {
    const n = x.notice;
    outcome.set(n.siteId, { ok: [...(n.sent ?? [])], failed: [] });
    const message = noticeMessage(r, n, { firm: d.firm, ackUrl: ackUrl(d.consoleUrl, x.token) });
    const attributes = noticeAttributes(r, n);
    for (const c of n.channels) {
      if (n.sent?.includes(c)) continue;
      const rule = NOTICE_CHANNELS[c];
      const to = rule.needs ? contacts.get(n.siteId)?.[rule.needs] : undefined;
      if (rule.needs && !to) {
        outcome.get(n.siteId)?.failed.push({ c, message: `no ${rule.needs} on file`, permanent: true });
        continue;
      }
      const out: OutgoingNotice = { id: String(i), message, attributes, ...(to ? { to, words: noticeWords(message) } : {}) };
      const list = byChannel.get(c) ?? [];
      list.push({ x, out });
      byChannel.set(c, list);
    }
  }
  const batches: { c: NoticeChannel; items: { x: Ready; out: OutgoingNotice }[] }[] = [];
  for (const [c, list] of byChannel) {
    const size = NOTICE_CHANNELS[c].maxBatch;
    for (let i = 0; i < list.length; i += size) batches.push({ c, items: list.slice(i, i + size) });
  }
  await forEachLimit(batches, SENDS_IN_FLIGHT, async ({ c, items }) => {
    let res: Awaited<ReturnType<NoticeSenders[NoticeChannel]['send']>>;
    try {
      res = await d.senders[c].send(items.map((i) => i.out));
    } catch (e) {
      res = { ok: [], failed: items.map((i) => ({ id: i.out.id, message: (e as Error).message ?? String(e) })) };
    }
    const byId = new Map(items.map((i) => [i.out.id, i.x.notice.siteId]));
    for (const ok of res.ok) {
      const o = outcome.get(byId.get(ok.id) ?? '');
      if (!o) continue;
      o.ok.push(c);
      o.messageId ??= ok.messageId;
    }
    for (const f of res.failed)
      outcome.get(byId.get(f.id) ?? '')?.failed.push({ c, message: f.message.slice(0, 300), permanent: f.permanent ?? false });
  });
  const now = d.clock.now();
  // Every channel took it: published, many notices a write where the store can (markPublishedMany).
  const published: PublishedNotice[] = [];
  for (const { notice: n } of ready) {
    const o = outcome.get(n.siteId);
    if (!o || o.failed.length > 0) continue;
    const delivered = !o.ok.some((c) => d.confirmsDelivery?.includes(c));
    published.push({ n, messageId: o.messageId ?? 'sent', at: now.toISOString(), o: { delivered, channels: o.ok } });
  }
  if (d.recalls.markPublishedMany) await d.recalls.markPublishedMany(published);
  else await forEachLimit(published, SENDS_IN_FLIGHT, (p) => d.recalls.markPublished(p.n, p.messageId, p.at, p.o));
  counts.published += published.length;
  await forEachLimit(ready, SENDS_IN_FLIGHT, async ({ notice: n }) => {
    const o = outcome.get(n.siteId);
    if (!o || o.failed.length === 0) return;
    counts.failed++;
    const error = o.failed.map((f) => `${f.c}: ${f.message}`).join('; ');
    const permanent = o.failed.filter((f) => f.permanent).map((f) => f.c);
    if (permanent.length === o.failed.length) {
      // Refused for good: the other channel instead, if the recipient has one; failed if nothing got through at all.
      const other = permanent
        .map((c) => n.fallback ?? otherChannel(c, contacts.get(n.siteId)))
        .find((c): c is NoticeChannel => !!c && !n.channels.includes(c));
      if (other && (await d.recalls.reroute(n, [other], now.toISOString(), error))) return;
      if (o.ok.length > 0) {
        await d.recalls.markPublished(n, o.messageId ?? 'sent', now.toISOString(), { delivered: true, channels: o.ok });
        return;
      }
      await d.recalls.markDead(n, error);
      return;
    }
    await d.recalls.markFailed(n, error, new Date(now.getTime() + backoffMs(n.attempts + 1)).toISOString(), o.ok);
  });
  const failed = counts.failed;
  if (failed) d.log?.('notices not accepted by every channel; will retry or reroute', { recallId: r.recallId, failed });
  return counts;
}
