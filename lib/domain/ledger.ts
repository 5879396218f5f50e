import { GENESIS_HASH, hashOf } from './canonical.js';
import type { Issue } from './errors.js';
import { isInternal, type Product, type Site } from './master-data.js';
import { BLOCKED_WHEN_UNSELLABLE, INBOUND, localDate, type Movement, type MovementType } from './movement.js';

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
};

export type Rejection = { code: string; message: string; errors: Issue[] };
export type PlanResult = { ok: true; plan: Plan } | { ok: false; rejection: Rejection };

/** DynamoDB's limit on actions in one transaction. */
export const MAX_TRANSACTION_ACTIONS = 100;
export const actionCount = (p: Pick<Plan, 'lots' | 'entries' | 'serials'>) => 1 + p.lots.length + p.entries.length + p.serials.length;

/** Round to the 3 decimals quantities may carry, so sums never drift. */
export const q3 = (n: number) => Math.round(n * 1000) / 1000;

/** The keys a movement's snapshot must hold. */
export function keysOf(m: Movement): { lots: LotKey[]; serials: string[]; gtins: string[]; sites: string[] } {
  const lots: LotKey[] = [{ gtin: m.gtin, lot: m.lot }, ...(m.inputs ?? []).map((i) => ({ gtin: i.gtin, lot: i.lot }))];
  const sites = [m.site, m.counterparty, m.tlcSource].filter((s): s is string => s !== undefined);
  return { lots, serials: m.serials ?? [], gtins: [...new Set(lots.map((l) => l.gtin))], sites: [...new Set(sites)] };
}

/** The canonical content of a movement, hashed for idempotency: the same eventId with other content is a conflict. */
export const contentHash = (m: Movement) => hashOf(m);

const reject = (code: string, message: string, path: string): PlanResult => ({
  ok: false,
  rejection: { code, message, errors: [{ path, message }] },
});

/** The status a lot shows at a date: an expiry before that date makes it `expired`. */
export function effectiveStatus(lot: Pick<LotState, 'status' | 'expiry'>, onDate: string): LotStatus | 'expired' {
  if (lot.status !== 'active') return lot.status;
  return lot.expiry !== undefined && lot.expiry < onDate ? 'expired' : 'active';
}

const serialNext: Partial<Record<MovementType, SerialStatus>> = { ship: 'shipped', sell: 'sold', dispose: 'disposed', transfer: 'in-stock' };

/**
 * Check one movement against every rule and, when it passes, plan its writes: a ledger entry per lot it touches,
 * the lots' new heads and balances, serial claims and the event record.
 * Pure: the snapshot is everything it knows, `now` and `txToken` come from the caller.
 */
export function planMovement(m: Movement, snap: Snapshot, now: string, txToken: string): PlanResult {
  const product = snap.products.get(m.gtin);
  if (!product) return reject('product_not_found', `Unknown product ${m.gtin}: PUT /products/${m.gtin} first`, 'gtin');
  const site = snap.sites.get(m.site);
  if (!site) return reject('site_not_found', `Unknown site ${m.site}: PUT /sites/${m.site} first`, 'site');
  if (!isInternal(site.kind))
    return reject('validation_failed', `Site ${m.site} is a ${site.kind}; stock is tracked only at warehouses and stores`, 'site');
  const unit = m.unit ?? product.unit;
  if (unit !== product.unit) return reject('validation_failed', `unit must be the product's unit (${product.unit}), not ${unit}`, 'unit');

  let counterparty: Site | undefined;
  if (m.counterparty !== undefined) {
    counterparty = snap.sites.get(m.counterparty);
    if (!counterparty) return reject('site_not_found', `Unknown counterparty site ${m.counterparty}`, 'counterparty');
    if (m.type === 'transfer' && !isInternal(counterparty.kind))
      return reject(
        'validation_failed',
        `A transfer goes to an internal site (warehouse or store); ${m.counterparty} is a ${counterparty.kind}: use ship`,
        'counterparty',
      );
    if (m.type === 'ship' && isInternal(counterparty.kind))
      return reject(
        'validation_failed',
        `A ship goes to an external site; ${m.counterparty} is a ${counterparty.kind}: use transfer`,
        'counterparty',
      );
    if (m.type === 'sell' && counterparty.kind !== 'customer')
      return reject('validation_failed', `A sale's counterparty is a customer; ${m.counterparty} is a ${counterparty.kind}`, 'counterparty');
  }
  if (m.tlcSource !== undefined && !snap.sites.has(m.tlcSource))
    return reject('site_not_found', `Unknown tlcSource site ${m.tlcSource}`, 'tlcSource');

  const date = localDate(m.occurredAt);
  const key = lotId(m);
  const existing = snap.lots.get(key);
  const sign = m.type === 'adjust' ? Math.sign(m.quantity) : 0;
  const creates = INBOUND.includes(m.type) || m.type === 'transform' || sign > 0;

  if (!existing && !creates) return reject('lot_not_found', `Lot ${m.lot} of ${m.gtin} has no stock anywhere`, 'lot');
  if (existing && m.expiry !== undefined && existing.expiry !== m.expiry)
    return reject(
      'expiry_mismatch',
      existing.expiry
        ? `Lot ${m.lot} expires ${existing.expiry}; a lot's expiry never changes (got ${m.expiry})`
        : `Lot ${m.lot} was recorded without an expiry; a lot's expiry never changes (got ${m.expiry})`,
      'expiry',
    );
  if (existing && BLOCKED_WHEN_UNSELLABLE.includes(m.type)) {
    const st = effectiveStatus(existing, date);
    if (st !== 'active') return reject('lot_blocked', blockedMessage(m.lot, st, existing, m.type), 'lot');
  }

  // Lots after this movement, and the entries that explain each change.
  const nextLots = new Map<string, LotState>();
  const lotFor = (k: LotKey): LotState => {
    const id = lotId(k);
    const cur = nextLots.get(id) ?? snap.lots.get(id);
    if (cur) return structuredClone(cur);
    throw new Error(`lot ${id} missing from snapshot`);
  };
  const base: LotState = existing
    ? structuredClone(existing)
    : {
        gtin: m.gtin,
        lot: m.lot,
        seq: 0,
        headHash: GENESIS_HASH,
        status: 'active',
        unit: product.unit,
        createdAt: now,
        balances: {},
        serialsTotal: 0,
        serialsInStock: 0,
        ...(m.expiry ? { expiry: m.expiry } : {}),
        ...(m.productionDate ? { productionDate: m.productionDate } : {}),
        ...tlcOf(m),
      };
  nextLots.set(key, base);

  // Serials: one item each, claimed or moved under a condition on the version read.
  const serialWrites: Plan['serials'] = [];
  if (m.serials && m.type !== 'cool') {
    const entering = creates;
    for (const [n, s] of m.serials.entries()) {
      const cur = snap.serials.get(s);
      const path = `serials.${n}`;
      if (entering) {
        if (cur && cur.status === 'in-stock')
          return reject('serial_in_stock', `Serial ${s} of ${m.gtin} is already in stock at ${cur.siteId} (lot ${cur.lot})`, path);
      } else {
        if (!cur || cur.status !== 'in-stock' || cur.siteId !== m.site)
          return reject('serial_not_in_stock', `Serial ${s} of ${m.gtin} is not in stock at ${m.site}`, path);
        if (cur.lot !== m.lot) return reject('serial_not_in_stock', `Serial ${s} of ${m.gtin} belongs to lot ${cur.lot}, not ${m.lot}`, path);
      }
      const status: SerialStatus = entering ? 'in-stock' : (serialNext[m.type] ?? 'disposed');
      const siteId = m.type === 'transfer' || ((m.type === 'ship' || m.type === 'sell') && m.counterparty) ? (m.counterparty as string) : m.site;
      const moved = cur && cur.lot !== m.lot && cur.status !== 'in-stock';
      serialWrites.push({
        expectedVersion: cur?.version ?? 0,
        next: { gtin: m.gtin, serial: s, lot: m.lot, status, siteId, refs: [...(cur?.refs ?? [])], version: (cur?.version ?? 0) + 1 },
      });
      if (entering) {
        if (!cur || moved) base.serialsTotal += 1;
        base.serialsInStock += 1;
      } else if (status !== 'in-stock') {
        base.serialsInStock -= 1;
      }
    }
  }

  const deltas: Delta[] = [];
  const qty = Math.abs(m.quantity);
  switch (m.type) {
    case 'receive':
    case 'return':
    case 'harvest':
    case 'initial-pack':
    case 'first-land-receive':
    case 'transform':
      deltas.push({ siteId: m.site, quantity: qty });
      break;
    case 'ship':
    case 'sell':
    case 'dispose':
      deltas.push({ siteId: m.site, quantity: -qty });
      break;
    case 'transfer':
      deltas.push({ siteId: m.site, quantity: -qty }, { siteId: m.counterparty as string, quantity: qty });
      break;
    case 'adjust':
      deltas.push({ siteId: m.site, quantity: m.quantity });
      break;
    case 'cool':
      break;
  }
  const stockError = applyDeltas(base, deltas, m.type, 'quantity');
  if (stockError) return stockError;
  if (m.type === 'sell') base.sold = q3((base.sold ?? 0) + qty);
  if (isDefectReturn(m)) base.defectReturns = q3((base.defectReturns ?? 0) + qty);

  // Transform inputs: each consumed at `site`, each must be usable.
  const inputEntries: { lot: LotState; quantity: number }[] = [];
  for (const [n, input] of (m.inputs ?? []).entries()) {
    if (!snap.products.get(input.gtin)) return reject('product_not_found', `Unknown product ${input.gtin}`, `inputs.${n}.gtin`);
    const il = snap.lots.get(lotId(input));
    if (!il) return reject('lot_not_found', `Input lot ${input.lot} of ${input.gtin} has no stock anywhere`, `inputs.${n}.lot`);
    const st = effectiveStatus(il, date);
    if (st !== 'active') return reject('lot_blocked', blockedMessage(input.lot, st, il, 'transform'), `inputs.${n}.lot`);
    const next = lotFor(input);
    const err = applyDeltas(next, [{ siteId: m.site, quantity: -input.quantity }], 'transform', `inputs.${n}.quantity`);
    if (err) return err;
    nextLots.set(lotId(input), next);
    inputEntries.push({ lot: next, quantity: input.quantity });
  }

  // Entries: the moved/produced lot first, then each consumed input.
  const common = {
    eventId: m.eventId,
    type: m.type,
    occurredAt: m.occurredAt,
    recordedAt: now,
    site: m.site,
    ...(m.counterparty ? { counterparty: m.counterparty } : {}),
    ...(m.reference ? { reference: m.reference } : {}),
    ...(m.reason ? { reason: m.reason } : {}),
  };
  const entries: LedgerEntry[] = [];
  const head = appendEntry(base, {
    ...common,
    gtin: m.gtin,
    lot: m.lot,
    quantity: m.quantity,
    unit,
    deltas,
    ...(m.type === 'transform' ? { role: 'output' as const, inputs: m.inputs } : {}),
    ...(m.serials ? { serials: m.serials } : {}),
    ...(m.expiry ? { expiry: m.expiry } : base.expiry ? { expiry: base.expiry } : {}),
    ...(m.productionDate ? { productionDate: m.productionDate } : {}),
    ...(existing ? {} : tlcOf(m)),
    ...(m.unitPrice !== undefined ? { unitPrice: m.unitPrice } : {}),
    ...(m.unitCost !== undefined ? { unitCost: m.unitCost } : {}),
  });
  entries.push(head);
  for (const w of serialWrites) w.next.refs.push({ lot: m.lot, seq: head.seq });
  for (const ie of inputEntries) {
    const p = snap.products.get(ie.lot.gtin) as Product;
    entries.push(
      appendEntry(ie.lot, {
        ...common,
        gtin: ie.lot.gtin,
        lot: ie.lot.lot,
        role: 'input',
        quantity: ie.quantity,
        unit: p.unit,
        output: { gtin: m.gtin, lot: m.lot },
        deltas: [{ siteId: m.site, quantity: -ie.quantity }],
      }),
    );
  }

  const lots = [...nextLots.values()].map((next) => ({ expectedSeq: snap.lots.get(lotId(next))?.seq ?? 0, next }));
  const plan: Plan = {
    event: {
      eventId: m.eventId,
      contentHash: contentHash(m),
      type: m.type,
      recordedAt: now,
      txToken,
      entries: entries.map((e) => ({ gtin: e.gtin, lot: e.lot, seq: e.seq })),
    },
    lots,
    entries,
    serials: serialWrites,
  };
  const actions = actionCount(plan);
  if (actions > MAX_TRANSACTION_ACTIONS)
    return {
      ok: false,
      rejection: {
        code: 'too_many_actions',
        message: `This movement needs ${actions} writes in one transaction and DynamoDB allows ${MAX_TRANSACTION_ACTIONS}: split its serials or inputs over several movements`,
        errors: [{ path: m.serials ? 'serials' : 'inputs', message: `needs ${actions} transaction actions; at most ${MAX_TRANSACTION_ACTIONS}` }],
      },
    };
  return { ok: true, plan };
}

function tlcOf(m: Movement): Pick<LotState, 'tlcSource' | 'tlcSourceReference'> {
  // Lots created here get their lot code here; received lots say where theirs came from.
  const createdHere = m.type === 'initial-pack' || m.type === 'first-land-receive' || m.type === 'transform';
  const source = createdHere ? m.site : m.tlcSource;
  return { ...(source ? { tlcSource: source } : {}), ...(m.tlcSourceReference ? { tlcSourceReference: m.tlcSourceReference } : {}) };
}

function blockedMessage(lot: string, st: LotStatus | 'expired', l: LotState, type: string): string {
  const why = st === 'expired' ? `expired on ${l.expiry}` : st === 'recalled' ? 'recalled' : `on hold${l.statusReason ? ` (${l.statusReason})` : ''}`;
  const verb =
    type === 'transform'
      ? 'used as a transform input'
      : `${type === 'ship' ? 'shipp' : type === 'sell' ? 'sold' : `${type}r`}${type === 'sell' ? '' : 'ed'}`;
  return `Lot ${lot} is ${why} and cannot be ${verb}`;
}

/** Apply stock changes to a lot's balances; refuse any that would take a site below zero. */
function applyDeltas(lot: LotState, deltas: Delta[], type: LedgerEntryType, path: string): PlanResult | undefined {
  for (const d of deltas) {
    const cur = lot.balances[d.siteId] ?? { q: 0, r: 0 };
    const next = q3(cur.q + d.quantity);
    if (next < 0)
      return {
        ok: false,
        rejection: {
          code: 'insufficient_stock',
          message: `Lot ${lot.lot} of ${lot.gtin} has ${cur.q} on hand at ${d.siteId}; ${type} of ${-d.quantity} would take it below zero`,
          errors: [{ path, message: `only ${cur.q} on hand at ${d.siteId}` }],
        },
      };
    const arrived = d.quantity > 0 && type !== 'adjust' ? d.quantity : 0;
    lot.balances[d.siteId] = { q: next, r: q3(cur.r + arrived) };
    if (next === 0 && cur.r + arrived === 0) delete lot.balances[d.siteId];
  }
  return undefined;
}

/** Link a new entry to the lot's head and move the head forward. */
function appendEntry(lot: LotState, e: Omit<LedgerEntry, 'seq' | 'prevHash' | 'hash'>): LedgerEntry {
  const sealed = sealEntry({ ...e, seq: lot.seq + 1, prevHash: lot.headHash });
  lot.seq = sealed.seq;
  lot.headHash = sealed.hash;
  return sealed;
}

/** Plan a status change (QA hold, release, recall) as a ledger entry of the lot. */
export function planStatusChange(
  lot: LotState,
  change: { type: 'hold' | 'release' | 'recall'; reason: string; eventId: string; recallId?: string },
  now: string,
): { next: LotState; entry: LedgerEntry } {
  const next = structuredClone(lot);
  next.status = change.type === 'release' ? 'active' : change.type === 'hold' ? 'on-hold' : 'recalled';
  if (change.type === 'release') delete next.statusReason;
  else next.statusReason = change.reason;
  if (change.recallId) next.recallId = change.recallId;
  const entry = appendEntry(next, {
    gtin: lot.gtin,
    lot: lot.lot,
    eventId: change.eventId,
    type: change.type,
    occurredAt: now,
    recordedAt: now,
    quantity: 0,
    unit: lot.unit,
    reason: change.reason,
    deltas: [],
    ...(change.recallId ? { recallId: change.recallId } : {}),
  });
  return { next, entry };
}

/** A return whose reason is `defect` (any case): it counts toward the lot's defect-return rate. */
export const isDefectReturn = (m: { type: string; reason?: string | undefined }) =>
  m.type === 'return' && m.reason?.trim().toLowerCase() === 'defect';

/** Units on hand across all internal sites. */
export const onHand = (lot: Pick<LotState, 'balances'>) => q3(Object.values(lot.balances).reduce((s, b) => s + b.q, 0));

/** Check a lot's chain: every hash recomputes, every prevHash links, seqs run 1..n without gaps, and the head matches. */
export function verifyChain(
  entries: LedgerEntry[],
  head: Pick<LotState, 'seq' | 'headHash'> | undefined,
): { ok: boolean; entries: number; firstBadSeq?: number; problem?: string } {
  let prev = GENESIS_HASH;
  for (const [i, e] of entries.entries()) {
    const expectedSeq = i + 1;
    if (e.seq !== expectedSeq) return { ok: false, entries: entries.length, firstBadSeq: expectedSeq, problem: `entry ${expectedSeq} is missing` };
    if (e.prevHash !== prev)
      return { ok: false, entries: entries.length, firstBadSeq: e.seq, problem: `entry ${e.seq} does not link to entry ${e.seq - 1}` };
    if (!entryHashOk(e))
      return { ok: false, entries: entries.length, firstBadSeq: e.seq, problem: `entry ${e.seq} was changed after it was written` };
    prev = e.hash;
  }
  if (head && head.seq !== entries.length)
    return {
      ok: false,
      entries: entries.length,
      firstBadSeq: entries.length + 1,
      problem: `the head says ${head.seq} entries, the table holds ${entries.length}`,
    };
  if (head && head.headHash !== prev)
    return { ok: false, entries: entries.length, firstBadSeq: head.seq, problem: 'the head hash does not match the last entry' };
  return { ok: true, entries: entries.length };
}
