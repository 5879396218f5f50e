import type { NoticeAttributes, NoticeMessage } from './notice-message.js';

/*
 * The channels a recall notice can go through, in one table. Adding a channel (issue 13: 'email', 'sms') is:
 * its name in `NoticeChannel` and its entry in `NOTICE_CHANNELS` (the compiler asks for both), a `NoticeSender`
 * adapter in lib/notify, and that adapter in the composition root's `NoticeSenders` (the compiler asks for it).
 */

/** A way a notice reaches its recipient. */
export type NoticeChannel = 'sns';

/** How a channel takes notices. */
export type ChannelRule = {
  /** most notices one `send` call takes */
  maxBatch: number;
};

export const NOTICE_CHANNELS = {
  // SNS PublishBatch takes 10 entries a call.
  sns: { maxBatch: 10 },
} as const satisfies Record<NoticeChannel, ChannelRule>;

/** The channel new notices go through: every recipient is reached over the recall topic. */
export const NEW_NOTICE_CHANNEL: NoticeChannel = 'sns';

/** The channel of notices stored before each notice recorded its own: there was only SNS. */
export const NOTICES_BEFORE_CHANNELS: NoticeChannel = 'sns';

/** One notice handed to a channel; `id` tells the notices of one batch apart. */
export type OutgoingNotice = { id: string; message: NoticeMessage; attributes: NoticeAttributes };

/** Per notice of a batch: accepted, with the channel's message id, or refused, with why. */
export type SendOutcome = { ok: { id: string; messageId: string }[]; failed: { id: string; message: string }[] };

/** The port a channel's adapter implements. A notice the channel refuses comes back in `failed`; a failed call throws. */
export interface NoticeSender {
  send(batch: OutgoingNotice[]): Promise<SendOutcome>;
}

/** One sender per channel, built by the composition root. */
export type NoticeSenders = Record<NoticeChannel, NoticeSender>;
