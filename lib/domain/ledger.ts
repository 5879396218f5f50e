import { hashOf } from './canonical.js';
import type { Product, Site } from './master-data.js';
import type { Movement, MovementType } from './movement.js';
import { MOVEMENT_RULES } from './movement-types.js';

/** A lot is named by its GTIN and its lot code (AI 10). */
export type LotKey = { gtin: string; lot: string };
export const lotId = (k: LotKey) => `${k.gtin}|${k.lot}`;

export type LotStatus = 'active' | 'on-hold' | 'recalled';
/** What a lot's balance at one internal site holds: on hand now, and all that ever arrived there. */
export type SiteBalance = { q: number; r: number };

/** The head of a lot's chain, with everything the rules need: status, expiry and per-site balances. */
export type LotState = LotKey & {
  seq: number;
  headHash: string;
  status: LotStatus;
  statusReason?: string;
  recallId?: string;
  expiry?: string;
  productionDate?: string;
  tlcSource?: string;
  tlcSourceReference?: string;
  /** the movement type that first recorded the lot (FSMA 204: a cooling after its initial packing is no Cooling CTE); absent on older lots */
  createdBy?: MovementType;
  unit: string;
  createdAt: string;
  /** internal siteId -> balance */
  balances: Record<string, SiteBalance>;
  serialsTotal: number;
  serialsInStock: number;
  /** units sold (sell movements), kept on the head so the defect-rate check needs no extra read; absent on older items = 0 */
  sold?: number;
  /** units returned with reason `defect`; absent on older items = 0 */
  defectReturns?: number;
};

export type SerialStatus = 'in-stock' | 'shipped' | 'sold' | 'disposed';
export type SerialState = {
  gtin: string;
  serial: string;
  lot: string;
  status: SerialStatus;
  siteId: string;
  /** the ledger entries that moved it, oldest first */
  refs: { lot: string; seq: number }[];
  version: number;
};

/** The permanent idempotency record of a movement, written in the same transaction as its ledger entries. */
export type EventRecord = {
  eventId: string;
  contentHash: string;
  type: MovementType;
  recordedAt: string;
  /** identifies the attempt that wrote it, so a retry after a lost response can tell it was its own */
  txToken: string;
  entries: { gtin: string; lot: string; seq: number }[];
};

export type LedgerEntryType = MovementType | 'hold' | 'release' | 'recall';
export type Delta = { siteId: string; quantity: number };

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
  lots: Map<string, LotState>;
  serials: Map<string, SerialState>;
  products: Map<string, Product>;
  sites: Map<string, Site>;
};

/** The writes that record one movement, each guarded by the state it was planned from. */
export type Plan = {
  event: EventRecord;
  /** `expectedSeq` 0 = the lot must not exist yet */
  lots: { expectedSeq: number; next: LotState }[];
  entries: LedgerEntry[];
  /** `expectedVersion` 0 = the serial must not exist yet */
  serials: { expectedVersion: number; next: SerialState }[];
  /** FSMA 204 KDEs the record lacks (issue 14): reported with `accepted`, never written */
  warnings?: { path: string; message: string }[];
};

/** DynamoDB's limit on actions in one transaction. */
export const MAX_TRANSACTION_ACTIONS = 100;
export const actionCount = (p: Pick<Plan, 'lots' | 'entries' | 'serials'>) => 1 + p.lots.length + p.entries.length + p.serials.length;

/** Round to the 3 decimals quantities may carry, so sums never drift. */
export const q3 = (n: number) => Math.round(n * 1000) / 1000;

/** The keys a movement's snapshot must hold. */
export function keysOf(m: Movement): { lots: LotKey[]; serials: string[]; gtins: string[]; sites: string[] } {
  const lots: LotKey[] = [{ gtin: m.gtin, lot: m.lot }, ...(m.inputs ?? []).map((i) => ({ gtin: i.gtin, lot: i.lot }))];
  const sites = [m.site, m.counterparty, m.tlcSource, m.harvest?.farm, m.cooling?.site, m.received?.from].filter((s): s is string => s !== undefined);
  return { lots, serials: m.serials ?? [], gtins: [...new Set(lots.map((l) => l.gtin))], sites: [...new Set(sites)] };
}

/** The canonical content of a movement, hashed for idempotency: the same eventId with other content is a conflict. */
export const contentHash = (m: Movement) => hashOf(m);

/** The status a lot shows at a date: an expiry before that date makes it `expired`. */
export function effectiveStatus(lot: Pick<LotState, 'status' | 'expiry'>, onDate: string): LotStatus | 'expired' {
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
