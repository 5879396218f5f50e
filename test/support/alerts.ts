import type { AlertMessage, AlertPublisher, AlertPublishOutcome, AlertRecord, AlertStore, LotIndex } from '../../lib/domain/expiry-ports.js';
import { type LotState, onHand } from '../../lib/domain/ledger.js';
import type { InMemoryLedger } from './memory-stores.js';

/** The alerts topic in memory: records what it accepted, and can fail whole calls or single alerts on demand. */
export class FakeAlertPublisher implements AlertPublisher {
  sent: { alertId: string; attributes: Record<string, string>; body: Record<string, unknown> }[] = [];
  /** the next n calls throw, as an unreachable SNS does */
  failCalls = 0;
  /** these alertIds are refused once each, as SNS refuses single entries of a batch */
  failAlerts = new Set<string>();
  calls = 0;

  async publish(messages: AlertMessage[]): Promise<AlertPublishOutcome> {
    this.calls++;
    if (this.failCalls > 0) {
      this.failCalls--;
      throw Object.assign(new Error('Service Unavailable'), { name: 'InternalErrorException' });
    }
    const out: AlertPublishOutcome = { ok: [], failed: [] };
    for (const m of messages) {
      if (this.failAlerts.delete(m.alertId)) {
        out.failed.push({ alertId: m.alertId, message: 'InternalError: try again' });
        continue;
      }
      this.sent.push({ alertId: m.alertId, attributes: m.attributes, body: JSON.parse(m.body) as Record<string, unknown> });
      out.ok.push({ alertId: m.alertId, messageId: `msg-${this.sent.length}` });
    }
    return out;
  }

  count = (alertId: string) => this.sent.filter((s) => s.alertId === alertId).length;
}

/** Alert records in memory with the store's conditional semantics (create once, claim under a lease). */
export class InMemoryAlertStore implements AlertStore {
  records = new Map<string, AlertRecord>();
  /** the next n markPublished calls throw: a crash between SNS accepting and the record saying so */
  failMarks = 0;

  async create(a: AlertRecord) {
    if (this.records.has(a.alertId)) return false;
    this.records.set(a.alertId, structuredClone(a));
    return true;
  }
  async get(alertId: string) {
    return structuredClone(this.records.get(alertId));
  }
  async claim(alertId: string, now: string, leaseUntil: string) {
    const a = this.records.get(alertId);
    if (!a || a.status !== 'pending' || (a.leaseUntil !== undefined && a.leaseUntil >= now)) return false;
    a.leaseUntil = leaseUntil;
    a.attempts++;
    return true;
  }
  async markPublished(alertId: string, messageId: string, at: string) {
    if (this.failMarks > 0) {
      this.failMarks--;
      throw new Error('connection reset');
    }
    const a = this.records.get(alertId);
    if (!a) return;
    Object.assign(a, { status: 'published', messageId, publishedAt: at });
    delete a.leaseUntil;
  }
  async release(alertId: string, error: string) {
    const a = this.records.get(alertId);
    if (a?.status !== 'pending') return;
    a.lastError = error;
    delete a.leaseUntil;
  }
  async pending(limit: number) {
    return [...this.records.values()]
      .filter((a) => a.status === 'pending')
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt))
      .slice(0, limit)
      .map((a) => structuredClone(a));
  }
}

/** The lot indexes over an in-memory ledger, in the same orders as the DynamoDB indexes. */
export class InMemoryLotIndex implements LotIndex {
  reads = 0;
  constructor(
    private readonly ledger: InMemoryLedger,
    private readonly maxDays: () => Promise<number>,
  ) {}
  async *expiringThrough(through: string) {
    const lots = this.ledger
      .lotStates()
      .filter((l) => l.expiry !== undefined && l.expiry <= through && onHand(l) > 0)
      .sort((a, b) => `${a.expiry}#${a.gtin}#${a.lot}`.localeCompare(`${b.expiry}#${b.gtin}#${b.lot}`));
    this.reads += lots.length;
    yield structuredClone(lots);
  }
  async *lotsByExpiry(gtin: string, fromExpiry: string) {
    const key = (l: LotState) => `${l.expiry ?? '9999-12-31'}#${l.lot}`;
    const lots = this.ledger
      .lotStates()
      .filter((l) => l.gtin === gtin && key(l) >= fromExpiry)
      .sort((a, b) => key(a).localeCompare(key(b)));
    // two-lot pages, so paging and stopping early are exercised
    for (let i = 0; i < lots.length; i += 2) {
      this.reads += Math.min(2, lots.length - i);
      yield structuredClone(lots.slice(i, i + 2));
    }
  }
  async *binnedStockAt(siteId: string) {
    const heads = [...this.ledger.heads.values()]
      .flatMap((byLot) => [...byLot.values()])
      .filter((h) => h.siteId === siteId && h.bins?.some((b) => b.q > 0));
    this.reads += heads.length;
    if (heads.length) yield structuredClone(heads);
  }
  maxExpiryAlertDays() {
    return this.maxDays();
  }
}
