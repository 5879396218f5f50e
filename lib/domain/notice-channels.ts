import type { SiteKind } from './master-data.js';
import type { NoticeAttributes, NoticeMessage } from './notice-message.js';

/*
 * The channels a recall notice can go through, in one table. Adding a channel is: its name in `NoticeChannel` and its
 * entry in `NOTICE_CHANNELS` (the compiler asks for both), a `NoticeSender` adapter in lib/notify, and that adapter in
 * the composition root's `NoticeSenders` (the compiler asks for it).
 */

/** A way a notice reaches its recipient: the recall topic (store systems), an email (SES v2), a text message (SNS SMS). */
export type NoticeChannel = 'sns' | 'email' | 'sms';

/** How a channel takes notices. */
export type ChannelRule = {
  /** most notices one `send` call takes */
  maxBatch: number;
  /** the contact detail the channel needs (none: the topic reaches the subscribers) */
  needs: 'email' | 'phone' | null;
  /** the channel a non-responder is escalated to, or a bounced notice is sent through instead */
  other: NoticeChannel | null;
};

export const NOTICE_CHANNELS = {
  // SNS PublishBatch takes 10 entries a call.
  sns: { maxBatch: 10, needs: null, other: null },
  // SES v2 SendEmail sends one message a call (one recipient each: contact details never meet).
  email: { maxBatch: 1, needs: 'email', other: 'sms' },
  // SNS Publish to a PhoneNumber sends one text a call.
  sms: { maxBatch: 1, needs: 'phone', other: 'email' },
} as const satisfies Record<NoticeChannel, ChannelRule>;

/** The channel of notices stored before each notice recorded its own: there was only SNS. */
export const NOTICES_BEFORE_CHANNELS: NoticeChannel = 'sns';

/** A recipient's contact details, as its site record holds them. Read only by the notifier. */
export type Contact = { email?: string; phone?: string; channels?: readonly string[] };

/**
 * The channels a recipient is reached on (CONTRACT.md, Channels: "every channel it has"): the recall topic always for
 * everyone but customers, whatever `contact.channels` says, plus every personal channel it has a contact detail for
 * (email, SMS); customers by those personal channels only, both when they have both. `contact.channels`, when given,
 * narrows the personal channels ("webhook" is the topic, which no list can take away). An empty list means the
 * recipient cannot be notified (the report lists it as not notifiable).
 * @example channelsFor('store', { email: 'a@b.c', channels: ['email'] }) // ['sns', 'email']
 * @example channelsFor('customer', { email: 'a@b.c', phone: '+15550100' }) // ['email', 'sms']
 */
export function channelsFor(kind: SiteKind | 'unknown', contact: Contact | undefined): NoticeChannel[] {
  const narrowed = contact?.channels && contact.channels.length > 0 ? contact.channels : undefined;
  const personal = (['email', 'sms'] as const).filter((c) => has(contact, c) && (!narrowed || narrowed.includes(c)));
  return kind === 'customer' ? [...personal] : ['sns', ...personal];
}

/**
 * The channel a notice over `channels` escalates to (and a bounce is rerouted to): the other personal channel the
 * recipient has, only when the notice goes by exactly one personal channel. A recipient already reached on both
 * has nothing to escalate to: its follow-ups go on both.
 * @example fallbackFor(['email'], { email: 'a@b.c', phone: '+15550100', channels: ['email'] }) // 'sms'
 * @example fallbackFor(['email', 'sms'], { email: 'a@b.c', phone: '+15550100' }) // undefined
 */
export function fallbackFor(channels: readonly NoticeChannel[], contact: Contact | undefined): NoticeChannel | undefined {
  const personal = channels.filter((c) => NOTICE_CHANNELS[c].needs !== null);
  const only = personal.length === 1 ? personal[0] : undefined;
  const other = only ? otherChannel(only, contact) : undefined;
  return other && !channels.includes(other) ? other : undefined;
}

/** Has the recipient the contact detail this channel needs? */
export const has = (contact: Contact | undefined, c: NoticeChannel) => {
  const needs = NOTICE_CHANNELS[c].needs;
  return needs === null || (typeof contact?.[needs] === 'string' && (contact[needs] as string).length > 0);
};

/** The channel a recipient can be reached on instead of `c`, if it has one. */
export const otherChannel = (c: NoticeChannel, contact: Contact | undefined): NoticeChannel | undefined => {
  const o = NOTICE_CHANNELS[c].other;
  return o && has(contact, o) ? o : undefined;
};

/** The words of a notice for a person (email and SMS), rendered by lib/domain/notice-content.ts. */
export type NoticeWords = { subject: string; text: string; html: string; sms: string };

/** One notice handed to a channel; `id` tells the notices of one batch apart. `to` only for email and sms. */
export type OutgoingNotice = { id: string; message: NoticeMessage; attributes: NoticeAttributes; to?: string; words?: NoticeWords };

/** Per notice of a batch: accepted, with the channel's message id, or refused, with why (`permanent`: never retry). */
export type SendOutcome = { ok: { id: string; messageId: string }[]; failed: { id: string; message: string; permanent?: boolean }[] };

/** The port a channel's adapter implements. A notice the channel refuses comes back in `failed`; a failed call throws. */
export interface NoticeSender {
  send(batch: OutgoingNotice[]): Promise<SendOutcome>;
}

/** One sender per channel, built by the composition root. */
export type NoticeSenders = Record<NoticeChannel, NoticeSender>;
