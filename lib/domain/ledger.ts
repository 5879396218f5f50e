import { hashOf } from './canonical.js';
import type { Product, Site } from './master-data.js';
import type { Movement, MovementType } from './movement.js';
import { MOVEMENT_RULES } from './movement-types.js';

/** A lot is named by its GTIN and its lot code (AI 10). */
export type LotKey = { gtin: string; lot: string };
export const lotId = (k: LotKey) => `${k.gtin}|${k.lot}`;

export type LotStatus = 'active' | 'on-hold' | 'recalled';
/** A lot's stock in one storage bin of a site (issue 15). */
export type BinBalance = { bin: string; q: number };
/**
 * What a lot's balance at one internal site holds: on hand now, and all that ever arrived there; at a site with bins,
 * the part of `q` in each bin (only bins holding stock, sorted by bin). `q` minus their sum is the unbinned remainder.
 */
export type SiteBalance = { q: number; r: number; bins?: BinBalance[] };

/**
 * The lot's own item: its identity, its status (the source of truth) and the head of its chain (`seq`, `headHash`),
 * which only the sequencer moves. A movement reads it and never writes it (except the one that creates the lot), so
 * the sell path of a hot lot never contends on it.
 */
export type LotMeta = LotKey & {
  seq: number;
  headHash: string;
  /** recordedAt of the last chained entry (set by the sequencer, which never lets recordedAt go down along a chain) */
  headAt?: string;
  status: LotStatus;
  statusReason?: string;
  recallId?: string;
  /** bumped by every status change; stock heads carry the version of the status they copied */
  statusVersion: number;
  /** acceptance stamp of the last status change */
  statusAt?: string;
  expiry?: string;
  productionDate?: string;
  tlcSource?: string;
  tlcSourceReference?: string;
  /** the movement type that first recorded the lot (FSMA 204: a cooling after its initial packing is no Cooling CTE); absent on older lots */
  createdBy?: MovementType;
  unit: string;
  createdAt: string;
};

/**
 * A lot's stock at one internal site, its own item (`BAL#{siteId}` in the lot's partition): every movement that
 * changes stock at that site writes it, guarded by `version`, and nothing else on the sell path does, so two sites
 * never contend. It holds the site's share of the lot's counters (the lot's figure is the sum over its heads; a share
 * may be negative, e.g. serials received at one site and sold at another), and copies of the lot's status.
 */
export type StockHead = LotKey & {
  siteId: string;
  q: number;
  r: number;
  sold: number;
  defectReturns: number;
  serialsTotal: number;
  serialsInStock: number;
  /** the part of `q` in each storage bin of the site (docs/ledger.md, Bins); absent when none holds stock */
  bins?: BinBalance[];
  version: number;
  /** acceptance stamp of the last movement (or status change) that wrote it: the next one is stamped after it */
  lastAt: string;
  status: LotStatus;
  statusReason?: string;
  statusVersion: number;
  expiry?: string;
};

/** What a movement reads of a lot: its meta and the stock heads of the sites it touches (keyed by siteId, as data). */
export type LotRead = { meta: LotMeta; heads: Map<string, StockHead> };

/** A ledger entry accepted and not chained yet: everything but `seq`, `prevHash` and `hash`, which the sequencer adds. */
export type UnchainedEntry = Omit<LedgerEntry, 'seq' | 'prevHash' | 'hash'>;
/** An accepted entry waiting for the sequencer, sorted in its lot by `acceptedAt`, then eventId, then `n`. */
export type PendingEntry = LotKey & { acceptedAt: string; n: number; entry: UnchainedEntry };

/** The head of a lot's chain, with everything the rules need: status, expiry and per-site balances (the sum over its stock heads). */
export type LotState = LotMeta & {
  /** internal siteId -> balance */
  balances: Record<string, SiteBalance>;
  serialsTotal: number;
  serialsInStock: number;
  /** units sold (sell movements); absent = 0 */
  sold?: number;
  /** units returned with reason `defect`; absent = 0 */
  defectReturns?: number;
  /** the latest `lastAt` of its stock heads */
  lastAt?: string;
  /** accepted entries not chained yet (only where the reader counted them) */
  unchained?: number;
};

/** A lot as its readers see it: the meta with every stock head summed. Balances are own properties (see balanceAt). */
export function aggregateLot(meta: LotMeta, heads: Iterable<StockHead>, unchained?: number): LotState {
  const lot: LotState = { ...meta, balances: {}, serialsTotal: 0, serialsInStock: 0, sold: 0, defectReturns: 0 };
  for (const h of heads) {
    if (h.q !== 0 || h.r !== 0) setBalance(lot, h.siteId, balanceOf(h));
    lot.serialsTotal += h.serialsTotal;
    lot.serialsInStock += h.serialsInStock;
    lot.sold = q3((lot.sold ?? 0) + h.sold);
    lot.defectReturns = q3((lot.defectReturns ?? 0) + h.defectReturns);
    if (lot.lastAt === undefined || h.lastAt > lot.lastAt) lot.lastAt = h.lastAt;
  }
  if (unchained !== undefined) lot.unchained = unchained;
  return lot;
}

/**
 * A lot with its warranty claims counted as defect returns (CONTRACT.md: claims count as defect returns of the lot):
 * one unit each, whatever the claim's resolution.
 * @example withClaims(lot, 2).defectReturns // lot.defectReturns + 2
 */
export function withClaims(lot: LotState, claims: number): LotState {
  if (claims > 0) lot.defectReturns = q3((lot.defectReturns ?? 0) + claims);
  return lot;
}

/** A stock head's balance (its bins copied, never shared). */
export const balanceOf = (h: Pick<StockHead, 'q' | 'r' | 'bins'>): SiteBalance =>
  h.bins?.length ? { q: h.q, r: h.r, bins: h.bins.map((b) => ({ bin: b.bin, q: b.q })) } : { q: h.q, r: h.r };

/** The meta fields of a lot state (what the lot's own item holds). */
export function metaOf(l: LotMeta): LotMeta {
  const meta: LotMeta = {
    gtin: l.gtin,
    lot: l.lot,
    seq: l.seq,
    headHash: l.headHash,
    status: l.status,
    statusVersion: l.statusVersion ?? 0,
    unit: l.unit,
    createdAt: l.createdAt,
  };
  for (const f of ['headAt', 'statusReason', 'recallId', 'statusAt', 'expiry', 'productionDate', 'tlcSource', 'tlcSourceReference'] as const)
    if (l[f] !== undefined) meta[f] = l[f];
  // FSMA 204 reads it on every later movement of the lot (a cooling's Harvest Farm, whether a cooling is a Cooling CTE)
  if (l.createdBy !== undefined) meta.createdBy = l.createdBy;
  return meta;
}

/** A stamp strictly after every one given and not before `now` (ISO, millisecond precision). */
export function stampAfter(now: string, after: readonly (string | undefined)[]): string {
  let t = Date.parse(now);
  for (const a of after) if (a !== undefined) t = Math.max(t, Date.parse(a) + 1);
  return new Date(t).toISOString();
}

/** Where a serial's history entry is: by movement (eventId), or by seq on older items. */
export type SerialRef = { lot: string; eventId?: string; seq?: number };

export type SerialStatus = 'in-stock' | 'shipped' | 'sold' | 'disposed';
export type SerialState = {
  gtin: string;
  serial: string;
  lot: string;
  status: SerialStatus;
  siteId: string;
  /**
   * the movements that moved it, oldest first: the lot and the eventId (the entry's seq is known once chained; the
   * event record then names it). Items written before entries were chained after acceptance hold `seq` instead.
   */
  refs: SerialRef[];
  version: number;
};

/** The permanent idempotency record of a movement, written in the same transaction as its ledger entries. */
export type EventRecord = {
  eventId: string;
  /** the hash of the movement with its `unit` resolved (the product's when it gave none); records written before
   * `unit` was kept here hash the movement exactly as sent */
  contentHash: string;
  /** the unit the movement was recorded in, so a resend that leaves the default unit out, or spells it, is the same content */
  unit?: string;
  type: MovementType;
  recordedAt: string;
  /** identifies the attempt that wrote it, so a retry after a lost response can tell it was its own */
  txToken: string;
  /** the lots it wrote an entry to, in entry order (`n`); `seq` is set by the sequencer when it chains that entry */
  entries: { gtin: string; lot: string; seq?: number }[];
};

export type LedgerEntryType = MovementType | 'hold' | 'release' | 'recall';
/** A stock change at one internal site; `bin` names the storage bin (absent: the site's unbinned stock, and hashed as before bins existed). */
export type Delta = { siteId: string; quantity: number; bin?: string };

/** One link of a lot's chain. `hash` = SHA-256 over the canonical JSON of every other field, `prevHash` included. */
export type LedgerEntry = LotKey & {
  seq: number;
  prevHash: string;
  hash: string;
  eventId: string;
  type: LedgerEntryType;
  /** for transforms: whether this lot was produced or consumed */
  role?: 'output' | 'input';
  occurredAt: string;
  recordedAt: string;
  site?: string;
  counterparty?: string;
  quantity: number;
  unit: string;
  serials?: string[];
  expiry?: string;
  productionDate?: string;
  tlcSource?: string;
  tlcSourceReference?: string;
  reference?: { type: string; number: string };
  reason?: string;
  unitPrice?: number;
  unitCost?: number;
  inputs?: { gtin: string; lot: string; quantity: number }[];
  output?: LotKey;
  // FSMA 204 KDEs (issue 14), as the movement gave them
  receivedAt?: string;
  references?: { type: string; number: string }[];
  harvest?: { date?: string; farm?: string; field?: string; container?: string; harvester?: { name: string; phone?: string } };
  cooling?: { site?: string; date: string };
  received?: { date: string; quantity: number; unit?: string; commodity?: string; variety?: string; from?: string };
  landing?: { harvestDateBegin: string; harvestDateEnd: string; area: string };
  recallId?: string;
  /** stock change per internal site caused by this entry */
  deltas: Delta[];
};

/** Seal an entry: compute its hash over the canonical JSON of all its other fields. */
export function sealEntry(e: Omit<LedgerEntry, 'hash'>): LedgerEntry {
  return { ...e, hash: hashOf(e) };
}

/** Recompute an entry's hash; true when it matches. */
export function entryHashOk(e: LedgerEntry): boolean {
  const { hash, ...rest } = e;
  return hashOf(rest) === hash;
}

/** Everything a movement's rules read, as one consistent snapshot. */
export type Snapshot = {
  event?: EventRecord;
  lots: Map<string, LotRead>;
  serials: Map<string, SerialState>;
  products: Map<string, Product>;
  sites: Map<string, Site>;
};

/** A lot's writes of one movement: its meta when the movement creates the lot, and each stock head it changes. */
export type LotWrite = { key: LotKey; create?: LotMeta; heads: { expectedVersion: number; next: StockHead }[] };

/** The writes that record one movement, each guarded by the state it was planned from. */
export type Plan = {
  event: EventRecord;
  /** `expectedVersion` 0 = the stock head must not exist yet; `create` = the lot must not exist yet */
  lots: LotWrite[];
  /** one per lot the movement touches: chained by the sequencer shortly after */
  pending: PendingEntry[];
  /** `expectedVersion` 0 = the serial must not exist yet */
  serials: { expectedVersion: number; next: SerialState }[];
  /** FSMA 204 KDEs the record lacks (issue 14): reported with `accepted`, never written */
  warnings?: { path: string; message: string }[];
};

/** DynamoDB's limit on actions in one transaction. */
export const MAX_TRANSACTION_ACTIONS = 100;
export const actionCount = (p: Pick<Plan, 'lots' | 'pending' | 'serials'>) =>
  1 + p.lots.reduce((n, l) => n + (l.create ? 1 : 0) + l.heads.length, 0) + p.pending.length + p.serials.length;

/** A lot read with a plan's writes applied (what the next record of a window plans against). */
export function applyLotWrite(read: LotRead | undefined, w: LotWrite): LotRead {
  const meta = w.create ?? read?.meta;
  if (!meta) throw new Error(`lot ${lotId(w.key)} is written before it exists`);
  const heads = new Map(read?.heads ?? []);
  for (const h of w.heads) heads.set(h.next.siteId, h.next);
  return { meta, heads };
}

/** Round to the 3 decimals quantities may carry, so sums never drift. */
export const q3 = (n: number) => Math.round(n * 1000) / 1000;

/** The keys a movement's snapshot must hold: lots (their meta), the stock heads it may change, serials and master data. */
export function keysOf(m: Movement): {
  lots: LotKey[];
  heads: { lot: LotKey; siteId: string }[];
  serials: string[];
  gtins: string[];
  sites: string[];
} {
  const main = { gtin: m.gtin, lot: m.lot };
  const inputs = (m.inputs ?? []).map((i) => ({ gtin: i.gtin, lot: i.lot }));
  const lots: LotKey[] = [main, ...inputs];
  const sites = [m.site, m.counterparty, m.tlcSource, m.harvest?.farm, m.cooling?.site, m.received?.from].filter((s): s is string => s !== undefined);
  const heads = [
    { lot: main, siteId: m.site },
    ...(m.counterparty !== undefined ? [{ lot: main, siteId: m.counterparty }] : []),
    ...inputs.map((lot) => ({ lot, siteId: m.site })),
  ];
  return { lots, heads, serials: m.serials ?? [], gtins: [...new Set(lots.map((l) => l.gtin))], sites: [...new Set(sites)] };
}

/** The canonical content of a movement, hashed for idempotency: the same eventId with other content is a conflict. */
export const contentHash = (m: Movement) => hashOf(m);

/** True when `m` is the content an event record was written for: the same movement, its default unit spelled or not.
 * @example sameContent({ eventId: 'e', contentHash: contentHash({ ...m, unit: 'each' }), unit: 'each', ... }, m) // true for m without unit
 */
export const sameContent = (e: Pick<EventRecord, 'contentHash' | 'unit'>, m: Movement) =>
  e.contentHash === contentHash(m) || (e.unit !== undefined && m.unit === undefined && e.contentHash === contentHash({ ...m, unit: e.unit }));

/** The status a lot shows at a date: an expiry before that date makes it `expired`. */
export function effectiveStatus(lot: Pick<LotMeta, 'status' | 'expiry'>, onDate: string): LotStatus | 'expired' {
  if (lot.status !== 'active') return lot.status;
  return lot.expiry !== undefined && lot.expiry < onDate ? 'expired' : 'active';
}

const isMovementType = (type: string): type is MovementType => Object.hasOwn(MOVEMENT_RULES, type);

/** A movement (or entry) whose type tallies defect returns and whose reason is `defect` (any case): it counts toward the lot's defect-return rate. */
export const isDefectReturn = (m: { type: string; reason?: string | undefined }) =>
  isMovementType(m.type) && MOVEMENT_RULES[m.type].tally === 'defectReturns' && m.reason?.trim().toLowerCase() === 'defect';

/** Units on hand across all internal sites. */
export const onHand = (lot: Pick<LotState, 'balances'>) => q3(Object.values(lot.balances).reduce((s, b) => s + b.q, 0));

/**
 * A lot's balance at one site. Balances are keyed by siteId, and any siteId the contract allows is data: `__proto__`
 * or `constructor` must read and write an own property, never the object's prototype.
 */
export const balanceAt = (lot: Pick<LotState, 'balances'>, siteId: string): SiteBalance | undefined =>
  Object.hasOwn(lot.balances, siteId) ? lot.balances[siteId] : undefined;

/** Set a lot's balance at one site as an own property (see balanceAt). */
export function setBalance(lot: Pick<LotState, 'balances'>, siteId: string, b: SiteBalance): void {
  Object.defineProperty(lot.balances, siteId, { value: b, enumerable: true, writable: true, configurable: true });
}
