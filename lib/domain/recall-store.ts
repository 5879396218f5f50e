import { AppError } from './errors.js';
import type { LotKey } from './ledger.js';
import type { SiteKind } from './master-data.js';
import type { NoticeChannel } from './notice-channels.js';
import type { Counts } from './notice-counts.js';
import type { NoticeProduct } from './notice-message.js';
import type { AckInput, CheckInput } from './recall-request.js';

/**
 * A notice: written by the notifier (one per affected site), sent through each of its channels, marked published
 * once every channel accepted it. A notice that could not be sent stays `pending` in the outbox with a backoff.
 */
export type Notice = {
  recallId: string;
  siteId: string;
  kind: SiteKind | 'unknown';
  name: string;
  /** the channels this notice goes through now (NOTICE_CHANNELS); empty: the recipient cannot be notified */
  channels: NoticeChannel[];
  /** the first channel it was sent through (kept for notices written before `channels`) */
  channel: NoticeChannel;
  /** every channel that accepted this notice or one of its follow-ups, in order: the report's "channel actually used" */
  used?: NoticeChannel[];
  /** channels that accepted the current send (a retry does not send them again) */
  sent?: NoticeChannel[];
  /** the channel a bounce or an escalation switches to (a name only: contact details stay on the site) */
  fallback?: NoticeChannel;
  /** 'unreachable': no channel at all; 'failed': every channel it had refused it for good */
  status: 'pending' | 'published' | 'failed' | 'unreachable';
  /** 0 = the first notice; n = the n-th follow-up to a non-responder */
  followUp: number;
  /** follow-ups sent by the fallback channel (escalation, RECALL_ESCALATE_AFTER) */
  escalated?: boolean;
  quantity: number;
  received: number;
  products: NoticeProduct[];
  createdAt: string;
  attempts: number;
  /** the hash of its first acknowledgement link, whose token names this notice (follow-ups' links have token items) */
  tokenHash?: string;
  /** the shard of the fan-out that wrote it */
  shard?: number;
  publishedAt?: string;
  firstPublishedAt?: string;
  /** every channel confirmed delivery (SNS and SMS on acceptance; email on acceptance, or on SES's Delivery event) */
  deliveredAt?: string;
  messageId?: string;
  acknowledgedAt?: string;
  lastError?: string;
  nextAttemptAt?: string;
};

/** One recipient of a shard: what the fan-out needs to write its notice. */
export type Recipient = { siteId: string; kind: SiteKind | 'unknown'; quantity: number; received: number; products: NoticeProduct[] };

/** A slice of a recall's recipients, written with the recall; the notifier writes and sends its notices. */
export type RecallShard = { recallId: string; shard: number; recipients: Recipient[]; done?: boolean; queuedAt?: string };

/** Reads a recall's shards in order; with `recipients`, only the first shards holding at least that many. */
export type ShardReader = { shards(recallId: string, opts?: { recipients?: number }): Promise<RecallShard[]> };

export type RecallRecord = {
  recallId: string;
  /** creating: being recorded; notifying: notices being written and sent; active: all sent; closed: follow-ups ended */
  status: 'creating' | 'notifying' | 'active' | 'closed';
  mock: false;
  classification: 'I' | 'II' | 'III';
  reason: string;
  hazard?: string;
  instructions?: string;
  depth?: string;
  effectivenessLevel?: string;
  estimatedCompletion?: string;
  includeDownstream: boolean;
  /** URGENT: FOOD RECALL or URGENT: PRODUCT RECALL */
  food?: boolean;
  lots: LotKey[];
  affectedLots: LotKey[];
  customers: number;
  noticesTotal: number;
  /** its notices' changes are counted as they happen (absent: a recall started before counters; GET recounts its notices) */
  noticeCounters?: boolean;
  /** the fan-out's shards, and how many the notifier finished */
  shards?: number;
  shardsDone?: number;
  unitsAtRisk: number;
  issuedAt: string;
  requestedBy: string;
  /** hash of the request (with its caller): a reused Idempotency-Key with another body is refused */
  requestHash?: string;
  traceMillis: number;
  closedAt?: string;
  closeReason?: string;
};

export type Ack = AckInput & { recallId: string; receivedAt: string; via?: 'api' | 'link' };
export type EffectivenessCheck = CheckInput & { recallId: string; recordedAt: string };

/** An acknowledgement link's token, stored only as its hash: which notice it opens. */
export type AckToken = { tokenHash: string; recallId: string; siteId: string; createdAt: string };

/** Storage port of recalls, notices (the outbox) and acknowledgements. */
export interface RecallStore {
  /** false when a recall with this id exists already */
  createRecall(r: RecallRecord): Promise<boolean>;
  getRecall(recallId: string): Promise<RecallRecord | undefined>;
  setRecallStatus(recallId: string, status: RecallRecord['status']): Promise<void>;
  /** write shards that do not exist yet */
  putShards(shards: RecallShard[]): Promise<void>;
  notices(recallId: string): Promise<Notice[]>;
  /** the notice counters, kept as notices change (lib/domain/notice-counts.ts), not recounted */
  noticeCounts(recallId: string): Promise<Counts>;
  getNotice(recallId: string, siteId: string): Promise<Notice | undefined>;
  acks(recallId: string): Promise<Ack[]>;
  putAck(ack: Ack): Promise<void>;
  checks(recallId: string): Promise<EffectivenessCheck[]>;
  putCheck(c: EffectivenessCheck): Promise<void>;
  /** close an open recall; false if it was closed already */
  closeRecall(recallId: string, at: string, reason: string): Promise<boolean>;
  getToken(tokenHash: string): Promise<AckToken | undefined>;
}

/** What the notifier needs: the shards, the notices it writes, the token hashes it stores. */
export interface FanoutStore {
  getRecall(recallId: string): Promise<RecallRecord | undefined>;
  getShard(recallId: string, shard: number): Promise<RecallShard | undefined>;
  /** the shards not finished yet (the sweeper queues them again) */
  openShards(recallId: string): Promise<number[]>;
  /** note that a shard was queued again now; false if it was queued after `before` (its run may still be going) */
  claimRequeue(recallId: string, shard: number, now: string, before: string): Promise<boolean>;
  /** the notices of these sites that exist already */
  noticesOf(recallId: string, siteIds: string[]): Promise<Map<string, Notice>>;
  /**
   * write notices, each only if absent, with a token item for those given one (a notice holding its `tokenHash` needs
   * none); returns the sites whose notice was written now
   */
  writeNotices(items: { notice: Notice; token?: AckToken }[]): Promise<Set<string>>;
  /** mark the shard finished and count it on the recall once; the recall becomes active with its last shard */
  finishShard(recallId: string, shard: number): Promise<void>;
  notifyingRecalls(): Promise<RecallRecord[]>;
}

/** The outbox side of the recall store: what the notice publisher and the follow-up job need. */
/** One notice markPublishedMany records as handed to its channels. */
export type PublishedNotice = { n: Notice; messageId: string; at: string; o: { delivered?: boolean; channels?: NoticeChannel[] } };

export interface OutboxStore {
  /** pending notices whose next attempt is due, oldest first */
  duePending(limit: number, now: string): Promise<Notice[]>;
  /** take a lease on a pending notice so two publishers never send it at once; false if another holds it */
  claim(n: Notice, now: string, leaseUntil: string): Promise<boolean>;
  /** every channel accepted it; `delivered` when no channel waits for a delivery event */
  markPublished(n: Notice, messageId: string, at: string, o?: { delivered?: boolean; channels?: NoticeChannel[] }): Promise<void>;
  /** markPublished for many notices at once (a store without it is called notice by notice) */
  markPublishedMany?(items: readonly PublishedNotice[]): Promise<void>;
  /** some channels refused it: those that accepted are kept in `sent`, the rest is tried again at `nextAttemptAt` */
  markFailed(n: Notice, error: string, nextAttemptAt: string, sent?: NoticeChannel[]): Promise<void>;
  /** every channel refused it for good and there is no other */
  markDead(n: Notice, error: string): Promise<void>;
  /** store a token's hash before the link is sent */
  putToken(token: AckToken): Promise<void>;
  getRecall(recallId: string): Promise<RecallRecord | undefined>;
  activeRecalls(): Promise<RecallRecord[]>;
  notices(recallId: string): Promise<Notice[]>;
  /** put a published, unacknowledged notice back in the outbox as follow-up n+1 over `channels`; false if it changed meanwhile */
  scheduleFollowUp(n: Notice, now: string, channels?: NoticeChannel[]): Promise<boolean>;
  /** an email bounced: send the notice again through `channels` (the other channel); false if it changed meanwhile */
  reroute(n: Notice, channels: NoticeChannel[], now: string, error: string): Promise<boolean>;
  markDelivered(n: Notice, at: string): Promise<void>;
}

/** The recall, or `recall_not_found` naming the id. */
export async function requireRecall(recalls: Pick<RecallStore, 'getRecall'>, recallId: string): Promise<RecallRecord> {
  const r = await recalls.getRecall(recallId);
  if (!r) throw new AppError('recall_not_found', `Recall ${recallId} not found`, [{ path: 'recallId', message: 'unknown recall' }]);
  return r;
}
