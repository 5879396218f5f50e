import { readUntilChained } from './chain-ledger.js';
import { type ClaimStore, claimView, type WarrantyClaim } from './claim-records.js';
import type { Clock } from './clock.js';
import { forEachLimit } from './concurrency.js';
import { AppError } from './errors.js';
import {
  effectiveStatus,
  type LedgerEntry,
  type LotKey,
  type LotMeta,
  type LotState,
  type LotStatus,
  onHand,
  type PendingEntry,
  type SerialRef,
  type SerialState,
  type StockHead,
  type UnchainedEntry,
} from './ledger.js';
import type { LotPartitions } from './lot-partition.js';
import type { MasterDataStore } from './master-data.js';
import { planStatusChange, withStatus } from './plan-movement.js';
import { noSleep, retry, type Sleep } from './retry.js';
import { inheritedCover, unitWarranty, type Warranty } from './warranty.js';

/** One lot's status change: guarded by the statusVersion it was planned from, with its chained entry. */
export type LotChange = { expectedStatusVersion: number; next: LotMeta; pending: PendingEntry };

/** Read side of the ledger, plus the writes of a status change: the lot's meta with a pending entry, then its stock heads. */
export interface LotStore extends LotPartitions, Pick<ClaimStore, 'claimsOf'> {
  /** the lot: its meta with every stock head summed */
  getLot(k: LotKey): Promise<LotState | undefined>;
  /** the chain head as the meta holds it now */
  chainHead(k: LotKey): Promise<Pick<LotState, 'seq' | 'headHash'> | undefined>;
  /** accepted entries the sequencer has not chained yet */
  unchainedCount(k: LotKey): Promise<number>;
  getSerial(gtin: string, serial: string): Promise<SerialState | undefined>;
  entries(k: LotKey, opts: { afterSeq?: number; limit?: number }): Promise<{ items: LedgerEntry[]; lastSeq?: number }>;
  allEntries(k: LotKey): Promise<LedgerEntry[]>;
  entriesByRef(gtin: string, refs: SerialRef[]): Promise<LedgerEntry[]>;
  lotsOfGtin(gtin: string): Promise<LotMeta[]>;
  allGtins(): Promise<string[]>;
  commitLotChange(expectedStatusVersion: number, next: LotMeta, pending: PendingEntry): Promise<boolean>;
  /** several lots' status changes at once, all or none (false: change them one at a time); a store without it changes each alone */
  commitLotChanges?(changes: readonly LotChange[]): Promise<boolean>;
  stockHeads(k: LotKey): Promise<StockHead[]>;
  /** the lot's oldest pending entries (accepted, not chained yet), as the sequencer reads them */
  unchainedOf?(k: LotKey, limit: number): Promise<{ pending: PendingEntry[] }>;
  getStockHead(k: LotKey, siteId: string): Promise<StockHead | undefined>;
  putStockHead(expectedVersion: number, next: StockHead): Promise<boolean>;
}

export type LotDeps = {
  ledger: LotStore;
  master: MasterDataStore;
  clock: Clock;
  /** how long chaining may trail acceptance: a serial's history waits up to this for movements not chained yet */
  chainTrailMs?: number;
  sleep?: Sleep;
};

export type LotView = {
  gtin: string;
  lot: string;
  description: string | null;
  expiry: string | null;
  productionDate?: string;
  status: LotStatus | 'expired';
  statusReason?: string;
  onHand: number;
  unit: string;
  /** `bins` (issue 15) at a site where the lot has stock in bins; the rest of `quantity` is in no bin */
  balances: { siteId: string; quantity: number; received: number; bins?: { bin: string; quantity: number }[] }[];
  serials?: { inStock: number; total: number };
  tlcSource?: string;
  tlcSourceReference?: string;
  seq: number;
  head: string;
  /** accepted movements of the lot not chained yet (the sequencer chains them within about a second) */
  unchained: number;
  createdAt: string;
};

const today = (clock: Clock) => clock.now().toISOString().slice(0, 10);

/** Read a lot or fail with `lot_not_found`. */
export async function requireLot(d: Pick<LotDeps, 'ledger'>, k: LotKey): Promise<LotState> {
  const l = await d.ledger.getLot(k);
  if (!l) throw new AppError('lot_not_found', `Lot ${k.lot} of ${k.gtin} not found`, [{ path: 'lot', message: 'unknown lot' }]);
  return l;
}

/** The lot as GET /lots/{gtin}/{lot} shows it: status as of today, balances per internal site. */
export async function lotView(d: LotDeps, k: LotKey, lot?: LotState): Promise<LotView> {
  const l = lot ?? (await requireLot(d, k));
  const [product, unchained] = await Promise.all([d.master.getProduct(l.gtin), l.unchained ?? d.ledger.unchainedCount(k)]);
  const balances = Object.entries(l.balances)
    .filter(([, b]) => b.q !== 0 || b.r !== 0)
    .map(([siteId, b]) => ({
      siteId,
      quantity: b.q,
      received: b.r,
      ...(b.bins?.length ? { bins: b.bins.map((x) => ({ bin: x.bin, quantity: x.q })) } : {}),
    }))
    .sort((a, b) => a.siteId.localeCompare(b.siteId));
  return {
    gtin: l.gtin,
    lot: l.lot,
    description: product?.description ?? null,
    expiry: l.expiry ?? null,
    ...(l.productionDate ? { productionDate: l.productionDate } : {}),
    status: effectiveStatus(l, today(d.clock)),
    ...(l.statusReason && l.status !== 'active' ? { statusReason: l.statusReason } : {}),
    onHand: onHand(l),
    unit: l.unit,
    balances,
    ...(l.serialsTotal > 0 ? { serials: { inStock: l.serialsInStock, total: l.serialsTotal } } : {}),
    ...(l.tlcSource ? { tlcSource: l.tlcSource } : {}),
    ...(l.tlcSourceReference ? { tlcSourceReference: l.tlcSourceReference } : {}),
    seq: l.seq,
    head: l.headHash,
    unchained,
    createdAt: l.createdAt,
  };
}

/** Cursor of the movements page: the last seq returned, opaque to clients. */
export const encodeCursor = (seq: number) => Buffer.from(JSON.stringify({ s: seq })).toString('base64url');
export function decodeCursor(cursor: string | undefined): number {
  if (cursor === undefined || cursor === '') return 0;
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { s?: unknown };
    if (typeof v.s === 'number' && Number.isInteger(v.s) && v.s >= 0) return v.s;
  } catch {
    // fall through
  }
  throw new AppError('validation_failed', 'cursor is not one this API returned', [{ path: 'cursor', message: 'invalid cursor' }]);
}

/** A page of a lot's ledger in chain order. */
export async function lotMovements(d: LotDeps, k: LotKey, limit: number, cursor?: string): Promise<{ items: LedgerEntry[]; nextCursor?: string }> {
  const lot = await requireLot(d, k);
  const page = await d.ledger.entries(k, { afterSeq: decodeCursor(cursor), limit });
  const last = page.items.at(-1);
  // DynamoDB reports more when a page ends exactly at the last entry: the chain head read first tells (a full page
  // past it means entries were chained meanwhile, and there may be more of them).
  const more = page.lastSeq !== undefined && last !== undefined && (last.seq < lot.seq || (last.seq > lot.seq && page.items.length >= limit));
  return { items: page.items, ...(more ? { nextCursor: encodeCursor(last.seq) } : {}) };
}

export type SerialView = {
  gtin: string;
  serial: string;
  lot: string;
  status: SerialState['status'];
  siteId?: string;
  history: LedgerEntry[];
  /**
   * when the product has `warrantyMonths`: counted from the day the unit was sold, or, for a unit handed out on a
   * warranty claim, the rest of the original's cover (`replaces` names it); `claims` are the claims filed on this unit
   */
  warranty?: Warranty & { replaces?: { serial: string; claimId: string }; claims: WarrantyClaim[] };
};

/** Pending entries read per lot, for a serial's movements not chained yet: more than a lot ever has waiting. */
const PENDING_READ = 200;

/**
 * Every movement of a serial: its chained entries (oldest first), then those accepted but not chained yet (the chain
 * trails acceptance by up to 2 s), so a sale a moment old already starts the unit's warranty. The pending entries are
 * read before the chained ones, so an entry chained in between is found (once) either way.
 */
export async function serialMovements(
  ledger: Pick<LotStore, 'entriesByRef' | 'unchainedOf'>,
  gtin: string,
  unit: Pick<SerialState, 'refs'>,
): Promise<{ chained: LedgerEntry[]; all: UnchainedEntry[] }> {
  const waiting = unit.refs.filter((r) => r.seq === undefined && r.eventId !== undefined);
  const lots = [...new Set(waiting.map((r) => r.lot))];
  const pending = ledger.unchainedOf
    ? (await Promise.all(lots.map((lot) => ledger.unchainedOf?.({ gtin, lot }, PENDING_READ)))).flatMap((x) => x?.pending ?? [])
    : [];
  const chained = await ledger.entriesByRef(gtin, unit.refs);
  const named = new Set(waiting.map((r) => JSON.stringify([r.lot, r.eventId])));
  const have = new Set(chained.map((e) => JSON.stringify([e.lot, e.eventId])));
  const unchained = pending
    .map((p) => p.entry)
    .filter((e) => e.gtin === gtin && named.has(JSON.stringify([e.lot, e.eventId])) && !have.has(JSON.stringify([e.lot, e.eventId])));
  return { chained, all: [...chained, ...unchained] };
}

/**
 * A serial's state and every ledger entry that moved it, with the `sell` of each replacement handed out on its
 * claims (so both units' histories show a claim), in the order they were recorded.
 */
export async function serialView(d: LotDeps, gtin: string, serial: string): Promise<SerialView> {
  const s = await d.ledger.getSerial(gtin, serial);
  if (!s) throw new AppError('serial_not_found', `Serial ${serial} of ${gtin} not found`, [{ path: 'serial', message: 'unknown serial' }]);
  const [{ chained: own, all: moved }, product, claimed] = await Promise.all([
    readUntilChained(
      d,
      () => serialMovements(d.ledger, gtin, s),
      (m) => m.all.length > m.chained.length,
    ),
    d.master.getProduct(gtin),
    d.ledger.claimsOf({ gtin, lot: s.lot }, serial),
  ]);
  const handedOut = claimed.claims.flatMap((c) => (c.replacement ? [{ lot: c.replacement.lot, eventId: c.replacement.eventId }] : []));
  const seen = new Set(own.map((e) => `${e.lot}|${e.seq}`));
  const replacements = handedOut.length ? (await d.ledger.entriesByRef(gtin, handedOut)).filter((e) => !seen.has(`${e.lot}|${e.seq}`)) : [];
  const history = replacements.length ? [...own, ...replacements].sort((a, b) => a.recordedAt.localeCompare(b.recordedAt)) : own;
  const months = product?.warrantyMonths;
  const claims = claimed.claims.sort((a, b) => a.reportedAt.localeCompare(b.reportedAt) || a.claimId.localeCompare(b.claimId)).map(claimView);
  return {
    gtin,
    serial,
    lot: s.lot,
    status: s.status,
    siteId: s.siteId,
    history,
    ...(months ? { warranty: { ...unitWarranty(months, moved, inheritedCover(claimed.links, moved), today(d.clock)), claims } } : {}),
  };
}

const MAX_STATUS_ATTEMPTS = 10;
/** Attempts per stock head to show a new status before giving up as busy. */
const MAX_SPREAD_ATTEMPTS = 20;

/** Another writer moved the lot between our read and our conditional commit. */
class LotMovedMeanwhile extends Error {}

/**
 * Give every stock head of the lot the status `meta` holds, each on its own conditional Put (8 at once; a head that
 * a movement moved meanwhile is read again). Bumping each head's version is what stops a movement planned from the
 * old status: its commit fails its head's condition, and it is planned again from the meta. Heads that show this
 * status version already are left alone, so running it again (a repeated request after a crash) only heals.
 */
export async function spreadStatus(ledger: Pick<LotStore, 'stockHeads' | 'getStockHead' | 'putStockHead'>, meta: LotMeta): Promise<void> {
  const heads = await ledger.stockHeads(meta);
  await forEachLimit(heads, 8, async (first) => {
    let h: StockHead | undefined = first;
    for (let attempt = 0; h && h.statusVersion < meta.statusVersion; attempt++) {
      if (attempt >= MAX_SPREAD_ATTEMPTS)
        throw new AppError('busy', `Lot ${meta.lot} is changing too fast at ${h.siteId} to show its new status; send the request again`);
      if (await ledger.putStockHead(h.version, withStatus(h, meta))) return;
      h = await ledger.getStockHead(meta, h.siteId);
    }
  });
}

/**
 * Put a lot on QA hold or release it, as a chained ledger entry. Repeating a hold on a held lot (or a release of an
 * active one) changes nothing but spreading the status to any stock head that missed it, so retries are safe. A
 * recalled lot cannot be held or released here. When another status change lands first, it is read and planned
 * again at once, up to 10 attempts, then `busy`.
 */
export async function changeLotStatus(d: LotDeps, k: LotKey, action: 'hold' | 'release', reason: string, requestId: string): Promise<LotView> {
  const attempt = async () => {
    const lot = await requireLot(d, k);
    if (lot.status === 'recalled')
      throw new AppError('invalid_state', `Lot ${k.lot} is recalled; a QA ${action} does not apply`, [{ path: 'lot', message: 'lot is recalled' }]);
    const target: LotStatus = action === 'hold' ? 'on-hold' : 'active';
    if (lot.status === target) {
      await spreadStatus(d.ledger, lot);
      return lotView(d, k);
    }
    const { next, pending } = planStatusChange(lot, { type: action, reason, eventId: `${action}:${requestId}` }, d.clock.now().toISOString());
    if (await d.ledger.commitLotChange(lot.statusVersion, next, pending)) {
      await spreadStatus(d.ledger, next);
      return lotView(d, k);
    }
    throw new LotMovedMeanwhile();
  };
  try {
    return await retry(attempt, {
      attempts: MAX_STATUS_ATTEMPTS,
      delayMs: () => 0,
      sleep: noSleep,
      retryable: (e) => e instanceof LotMovedMeanwhile,
    });
  } catch (e) {
    if (e instanceof LotMovedMeanwhile) throw new AppError('busy', `Lot ${k.lot} is changing too fast to ${action}; try again`);
    throw e;
  }
}
