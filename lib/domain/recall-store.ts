import { AppError } from './errors.js';
import type { LotKey } from './ledger.js';
import type { SiteKind } from './master-data.js';
import type { NoticeChannel } from './notice-channels.js';
import type { NoticeProduct } from './notice-message.js';
import type { AckInput } from './recall-request.js';

/** A notice in the outbox: written before anything is sent, marked published only after its channel accepted it. */
export type Notice = {
  recallId: string;
  siteId: string;
  kind: SiteKind | 'unknown';
  name: string;
  /** the channel the notice is sent through (NOTICE_CHANNELS) */
  channel: NoticeChannel;
  status: 'pending' | 'published';
  /** 0 = the first notice; n = the n-th follow-up to a non-responder */
  followUp: number;
  quantity: number;
  received: number;
  products: NoticeProduct[];
  createdAt: string;
  attempts: number;
  publishedAt?: string;
  firstPublishedAt?: string;
  messageId?: string;
  acknowledgedAt?: string;
  lastError?: string;
  nextAttemptAt?: string;
};

export type RecallRecord = {
  recallId: string;
  status: 'creating' | 'active';
  mock: false;
  classification: 'I' | 'II' | 'III';
  reason: string;
  hazard?: string;
  instructions?: string;
  depth?: string;
  effectivenessLevel?: string;
  includeDownstream: boolean;
  lots: LotKey[];
  affectedLots: LotKey[];
  customers: number;
  noticesTotal: number;
  unitsAtRisk: number;
  issuedAt: string;
  requestedBy: string;
  traceMillis: number;
};

export type Ack = AckInput & { recallId: string; receivedAt: string };

/** Storage port of recalls, notices (the outbox) and acknowledgements. */
export interface RecallStore {
  /** false when a recall with this id exists already */
  createRecall(r: RecallRecord): Promise<boolean>;
  getRecall(recallId: string): Promise<RecallRecord | undefined>;
  setRecallStatus(recallId: string, status: RecallRecord['status']): Promise<void>;
  /** write notices that do not exist yet; existing ones (maybe published) are left alone */
  putNotices(notices: Notice[]): Promise<void>;
  notices(recallId: string): Promise<Notice[]>;
  getNotice(recallId: string, siteId: string): Promise<Notice | undefined>;
  acks(recallId: string): Promise<Ack[]>;
  putAck(ack: Ack): Promise<void>;
}

/** The outbox side of the recall store: what the notice publisher and the follow-up job need. */
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

/** The recall, or `recall_not_found` naming the id. */
export async function requireRecall(recalls: Pick<RecallStore, 'getRecall'>, recallId: string): Promise<RecallRecord> {
  const r = await recalls.getRecall(recallId);
  if (!r) throw new AppError('recall_not_found', `Recall ${recallId} not found`, [{ path: 'recallId', message: 'unknown recall' }]);
  return r;
}
