import type { LotState, StockHead } from './ledger.js';

// The ports of expiry, QA alerts and FEFO picking: the lot index, the alert store and the alerts topic.

/** A lot near expiry as the expiry index lists it: its stock per site, summed from its stock heads. */
export type ExpiringLot = Pick<LotState, 'gtin' | 'lot' | 'expiry' | 'balances'>;

/** The read side the expiry check and FEFO picking need, over the lot indexes. */
export interface LotIndex {
  /**
   * Lots that have stock on hand and an expiry on or before `through`, earliest expiry first, a page at a time, each
   * with its balances at the sites that hold stock.
   */
  expiringThrough(through: string): AsyncIterable<ExpiringLot[]>;
  /** Lots of one GTIN in FEFO order (expiry ascending, lots without expiry last) from `fromExpiry` on, a page at a time. */
  lotsByExpiry(gtin: string, fromExpiry: string): AsyncIterable<LotState[]>;
  /**
   * The stock heads at one site that hold stock in any of its bins (each with its `bins`), a page at a time, in no
   * particular order; read from an index, so a movement of the last second may be missing (putaway).
   */
  binnedStockAt(siteId: string): AsyncIterable<StockHead[]>;
  /** An upper bound of `expiryAlertDays` over all products: never below the true maximum, possibly above it. */
  maxExpiryAlertDays(): Promise<number>;
}

/** The alerts lotledger sends to the alerts topic (besides the daily `ledger.tamper`). */
export type AlertKind = 'expiry.expiring' | 'expiry.expired' | 'expiry.at-risk' | 'qa.defect-rate';

/**
 * One alert, stored before it is sent. Its id names what it is about, so the same (kind, lot, site) can only ever
 * have one record: the conditional create is what makes an alert "at most once", the pending status what makes it
 * "at least once". The message is stored with it, so a re-send is byte-for-byte the first attempt.
 */
export type AlertRecord = {
  alertId: string;
  kind: AlertKind;
  gtin: string;
  lot: string;
  siteId: string;
  status: 'pending' | 'published';
  /** the SNS message body (JSON) and its string message attributes */
  message: string;
  attributes: Record<string, string>;
  createdAt: string;
  attempts: number;
  /** while set and in the future, one run is sending it and others leave it alone */
  leaseUntil?: string;
  publishedAt?: string;
  messageId?: string;
  lastError?: string;
};

/** Storage port of alert records. */
export interface AlertStore {
  /** Write the alert (pending, leased to the caller) only if no alert with its id exists; false when one does. */
  create(a: AlertRecord): Promise<boolean>;
  get(alertId: string): Promise<AlertRecord | undefined>;
  /** Take the lease on a pending alert; false when it is published or another run holds an unexpired lease. */
  claim(alertId: string, now: string, leaseUntil: string): Promise<boolean>;
  markPublished(alertId: string, messageId: string, at: string): Promise<void>;
  /** Give the lease back after a failed attempt, so the next run retries at once. */
  release(alertId: string, error: string): Promise<void>;
  /** Pending alerts, oldest first. */
  pending(limit: number): Promise<AlertRecord[]>;
}

export type AlertMessage = { alertId: string; body: string; attributes: Record<string, string> };
export type AlertPublishOutcome = { ok: { alertId: string; messageId: string }[]; failed: { alertId: string; message: string }[] };

/** Port over the alerts SNS topic; takes at most 10 messages a call (SNS PublishBatch). */
export interface AlertPublisher {
  publish(messages: AlertMessage[]): Promise<AlertPublishOutcome>;
}
