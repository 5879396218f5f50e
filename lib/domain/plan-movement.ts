import { binQuantity, takeFromBins, withBinChange } from './bins.js';
import { GENESIS_HASH } from './canonical.js';
import type { Issue } from './errors.js';
import { movementWarnings } from './kde-warnings.js';
import {
  actionCount,
  balanceAt,
  balanceOf,
  contentHash,
  type Delta,
  effectiveStatus,
  isDefectReturn,
  type LedgerEntry,
  type LedgerEntryType,
  type LotMeta,
  type LotRead,
  type LotState,
  type LotStatus,
  type LotWrite,
  lotId,
  MAX_TRANSACTION_ACTIONS,
  metaOf,
  type PendingEntry,
  type Plan,
  q3,
  type SerialState,
  type SerialStatus,
  type SiteBalance,
  type Snapshot,
  type StockHead,
  setBalance,
  stampAfter,
  type UnchainedEntry,
} from './ledger.js';
import { isInternal, type Product, type Site } from './master-data.js';
import { localDate, type Movement } from './movement.js';
import { MOVEMENT_RULES, type MovementRule } from './movement-types.js';

export type Rejection = { code: string; message: string; errors: Issue[] };
export type PlanResult = { ok: true; plan: Plan } | { ok: false; rejection: Rejection };

/** A lot a transform consumes: as read, as it is after the transform, and how much it gave. */
type Consumed = { read: LotRead; lot: LotState; quantity: number; deltas: Delta[] };

/**
 * The state a movement plans against: the lot's meta, the balances of the stock heads it read, and counters from
 * zero (what the movement adds to them is its change, written to the stock head of its site).
 */
function working(read: LotRead): LotState {
  const lot: LotState = { ...structuredClone(read.meta), balances: {}, serialsTotal: 0, serialsInStock: 0, sold: 0, defectReturns: 0 };
  for (const h of read.heads.values()) setBalance(lot, h.siteId, balanceOf(h));
  return lot;
}

/** The counters a movement changed on its working state (see working). */
const counterChange = (lot: LotState) => ({
  sold: lot.sold ?? 0,
  defectReturns: lot.defectReturns ?? 0,
  serialsTotal: lot.serialsTotal,
  serialsInStock: lot.serialsInStock,
});
const changesCounters = (lot: LotState) => Object.values(counterChange(lot)).some((v) => v !== 0);

/**
 * A lot's writes: each stock head at `sites` takes its new balance, the stamp and the lot's current status; the head
 * of `counterSite` also takes the counters the movement changed. Guarded by the version each head was read at.
 */
function lotWrite(read: LotRead | undefined, lot: LotState, sites: string[], counterSite: string | undefined, at: string): LotWrite {
  const meta: LotMeta = metaOf(lot);
  const touched = new Set(sites);
  if (counterSite !== undefined && changesCounters(lot)) touched.add(counterSite);
  const c = counterChange(lot);
  const heads = [...touched].map((siteId) => {
    const old = read?.heads.get(siteId);
    const b = balanceAt(lot, siteId) ?? { q: 0, r: 0 };
    const next: StockHead = {
      gtin: lot.gtin,
      lot: lot.lot,
      siteId,
      q: b.q,
      r: b.r,
      sold: old?.sold ?? 0,
      defectReturns: old?.defectReturns ?? 0,
      serialsTotal: old?.serialsTotal ?? 0,
      serialsInStock: old?.serialsInStock ?? 0,
      ...(b.bins?.length ? { bins: b.bins } : {}),
      version: (old?.version ?? 0) + 1,
      lastAt: at,
      status: meta.status,
      ...(meta.statusReason !== undefined ? { statusReason: meta.statusReason } : {}),
      statusVersion: meta.statusVersion,
      ...(meta.expiry !== undefined ? { expiry: meta.expiry } : {}),
    };
    if (siteId === counterSite) {
      next.sold = q3(next.sold + c.sold);
      next.defectReturns = q3(next.defectReturns + c.defectReturns);
      next.serialsTotal += c.serialsTotal;
      next.serialsInStock += c.serialsInStock;
    }
    return { expectedVersion: old?.version ?? 0, next };
  });
  return { key: { gtin: lot.gtin, lot: lot.lot }, ...(read ? {} : { create: meta }), heads };
}

/**
 * Check one movement against every rule and, when it passes, plan its writes: a ledger entry per lot it touches,
 * the lots' new heads and balances, serial claims and the event record. What the movement's type does comes from
 * MOVEMENT_RULES. Pure: the snapshot is everything it knows, `now` and `txToken` come from the caller.
 * @example planMovement(receipt, snapshot, '2026-03-01T12:00:00.000Z', 'token-1') // { ok: true, plan: { ... } }
 */
export function planMovement(m: Movement, snap: Snapshot, now: string, txToken: string): PlanResult {
  const rule = MOVEMENT_RULES[m.type];
  const product = snap.products.get(m.gtin);
  if (!product) return rejected(refusal('product_not_found', `Unknown product ${m.gtin}: PUT /products/${m.gtin} first`, 'gtin'));
  const before =
    checkSite(m, snap, product) ?? checkCounterparty(m, rule, snap) ?? checkBins(m, snap) ?? checkTlcSource(m, snap) ?? checkLot(m, rule, snap);
  if (before) return rejected(before);

  const read = snap.lots.get(lotId(m));
  const existing = read?.meta;
  const lot = read ? working(read) : newLot(m, rule, product, now);
  const serials: Plan['serials'] = [];
  const deltas = fromBins(lot, stockDeltas(m, rule));
  const consumed: Consumed[] = [];
  const during =
    claimSerials(m, rule, snap, lot, serials) ??
    applyDeltas(lot, deltas, { type: m.type, arrives: rule.site !== 'signed' }, 'quantity') ??
    consumeInputs(m, snap, consumed);
  if (during) return rejected(during);
  tally(lot, m, rule);

  const lots = [
    lotWrite(
      read,
      lot,
      deltas.map((d) => d.siteId),
      m.site,
      '',
    ),
    ...consumed.map((c) => lotWrite(c.read, c.lot, [m.site], undefined, '')),
  ];
  // Stamped after the last movement of every stock head it writes (so each site's entries chain in the order they
  // were accepted there), after each lot's creation and after its last status change.
  const at = stampAfter(now, [
    ...lots.flatMap((l) => {
      const r = snap.lots.get(lotId(l.key));
      return [r?.meta.createdAt, r?.meta.statusAt, ...l.heads.map((h) => r?.heads.get(h.next.siteId)?.lastAt)];
    }),
  ]);
  for (const l of lots) {
    for (const h of l.heads) h.next.lastAt = at;
    if (l.create) l.create.createdAt = at;
  }
  const entries = writeEntries(m, rule, { lot, existing, deltas, unit: m.unit ?? product.unit, consumed, snap, now });
  for (const w of serials) w.next.refs.push({ lot: m.lot, eventId: m.eventId });
  const pending: PendingEntry[] = entries.map((entry, n) => ({ gtin: entry.gtin, lot: entry.lot, acceptedAt: at, n, entry }));
  const plan: Plan = {
    event: {
      eventId: m.eventId,
      contentHash: contentHash({ ...m, unit: m.unit ?? product.unit }),
      unit: m.unit ?? product.unit,
      type: m.type,
      recordedAt: now,
      txToken,
      entries: entries.map((e) => ({ gtin: e.gtin, lot: e.lot })),
    },
    lots,
    pending,
    serials,
  };
  const [head] = entries;
  const warnings = head ? movementWarnings(head, lot, snap) : [];
  if (warnings.length) plan.warnings = warnings;
  return withinOneTransaction(m, plan);
}

const refusal = (code: string, message: string, path: string): Rejection => ({ code, message, errors: [{ path, message }] });
const rejected = (rejection: Rejection): PlanResult => ({ ok: false, rejection });

/**
 * Master data: the site is known and internal, and the unit is the product's (CONTRACT.md: `unit` defaults to it).
 * Balances are counts in the product's unit, and lotledger converts none: 3 kg taken from 10 cases is no number.
 */
function checkSite(m: Movement, snap: Snapshot, product: Product): Rejection | undefined {
  const site = snap.sites.get(m.site);
  if (!site) return refusal('site_not_found', `Unknown site ${m.site}: PUT /sites/${m.site} first`, 'site');
  if (!isInternal(site.kind))
    return refusal('validation_failed', `Site ${m.site} is a ${site.kind}; stock is tracked only at warehouses and stores`, 'site');
  const unit = m.unit ?? product.unit;
  if (unit !== product.unit)
    return refusal(
      'validation_failed',
      `unit must be the product's unit (${product.unit}), not ${unit}: stock is counted in it, and lotledger converts no units`,
      'unit',
    );
  return undefined;
}

const KIND_FITS: Record<NonNullable<MovementRule['counterpartyKind']>['must'], (kind: Site['kind']) => boolean> = {
  internal: isInternal,
  external: (kind) => !isInternal(kind),
  customer: (kind) => kind === 'customer',
};

/** Master data: a named counterparty is known and of the kind the type asks for. */
function checkCounterparty(m: Movement, rule: MovementRule, snap: Snapshot): Rejection | undefined {
  if (m.counterparty === undefined) return undefined;
  const counterparty = snap.sites.get(m.counterparty);
  if (!counterparty) return refusal('site_not_found', `Unknown counterparty site ${m.counterparty}`, 'counterparty');
  const want = rule.counterpartyKind;
  if (want && !KIND_FITS[want.must](counterparty.kind))
    return refusal('validation_failed', want.refusal(m.counterparty, counterparty.kind), 'counterparty');
  return undefined;
}

/** The bins a movement names are bins of their sites (`bin` and transform inputs' at `site`, `counterpartyBin` at `counterparty`). */
function checkBins(m: Movement, snap: Snapshot): Rejection | undefined {
  const named: [string | undefined, string | undefined, string][] = [
    [m.bin, m.site, 'bin'],
    [m.counterpartyBin, m.counterparty, 'counterpartyBin'],
    ...(m.inputs ?? []).map((i, n): [string | undefined, string, string] => [i.bin, m.site, `inputs.${n}.bin`]),
  ];
  for (const [bin, siteId, path] of named) {
    if (bin === undefined || siteId === undefined) continue;
    const bins = snap.sites.get(siteId)?.bins ?? [];
    if (!bins.includes(bin))
      return refusal(
        'bin_not_found',
        bins.length
          ? `Site ${siteId} has no bin ${bin}: PUT /sites/${siteId} with it in bins first`
          : `Site ${siteId} has no bins; a movement there names none`,
        path,
      );
  }
  return undefined;
}

function checkTlcSource(m: Movement, snap: Snapshot): Rejection | undefined {
  if (m.tlcSource !== undefined && !snap.sites.has(m.tlcSource))
    return refusal('site_not_found', `Unknown tlcSource site ${m.tlcSource}`, 'tlcSource');
  return checkKdeSites(m, snap);
}

/** The sites the FSMA 204 KDE fields name (farm, cooling location, who the RAC came from) must be known. */
function checkKdeSites(m: Movement, snap: Snapshot): Rejection | undefined {
  const named: [string | undefined, string][] = [
    [m.harvest?.farm, 'harvest.farm'],
    [m.cooling?.site, 'cooling.site'],
    [m.received?.from, 'received.from'],
  ];
  for (const [siteId, path] of named)
    if (siteId !== undefined && !snap.sites.has(siteId))
      return refusal('site_not_found', `Unknown site ${siteId} in ${path}: PUT /sites/${siteId} first`, path);
  return undefined;
}

/** Whether a movement of this rule may bring a lot into being. */
const createsLot = (rule: MovementRule, quantity: number) => rule.createsLot === true || (rule.createsLot === 'positive' && quantity > 0);

/** Lot checks: the lot exists (or this movement may create it), its expiry is unchanged, and it is sellable when that matters. */
function checkLot(m: Movement, rule: MovementRule, snap: Snapshot): Rejection | undefined {
  // The lot's status is read from its meta (the source of truth; a status change also bumps every stock head, so a
  // movement planned before it fails its head's version condition and is planned again).
  const existing = snap.lots.get(lotId(m))?.meta;
  if (!existing) return createsLot(rule, m.quantity) ? undefined : refusal('lot_not_found', `Lot ${m.lot} of ${m.gtin} has no stock anywhere`, 'lot');
  if (m.expiry !== undefined && existing.expiry !== m.expiry)
    return refusal(
      'expiry_mismatch',
      existing.expiry
        ? `Lot ${m.lot} expires ${existing.expiry}; a lot's expiry never changes (got ${m.expiry})`
        : `Lot ${m.lot} was recorded without an expiry; a lot's expiry never changes (got ${m.expiry})`,
      'expiry',
    );
  if (rule.blockedWhenUnsellable) {
    const st = effectiveStatus(existing, localDate(m.occurredAt));
    if (st !== 'active') return refusal('lot_blocked', blockedMessage(m.lot, st, existing, rule.refusedAs), 'lot');
  }
  return undefined;
}

function blockedMessage(lot: string, st: LotStatus | 'expired', l: LotMeta, refusedAs: string): string {
  const why = st === 'expired' ? `expired on ${l.expiry}` : st === 'recalled' ? 'recalled' : `on hold${l.statusReason ? ` (${l.statusReason})` : ''}`;
  return `Lot ${lot} is ${why} and cannot be ${refusedAs}`;
}

/** The head of a lot this movement records for the first time. */
function newLot(m: Movement, rule: MovementRule, product: Product, now: string): LotState {
  return {
    gtin: m.gtin,
    lot: m.lot,
    seq: 0,
    headHash: GENESIS_HASH,
    status: 'active',
    statusVersion: 0,
    unit: product.unit,
    createdAt: now,
    balances: {},
    serialsTotal: 0,
    serialsInStock: 0,
    ...(m.expiry ? { expiry: m.expiry } : {}),
    ...(m.productionDate ? { productionDate: m.productionDate } : {}),
    ...lotCodeOrigin(m, rule),
    createdBy: m.type,
  };
}

/** The FSMA 204 KDE fields a movement carries over to its entries (issue 14), only those given. */
function kdeFieldsOf(m: Movement): Partial<Pick<LedgerEntry, 'receivedAt' | 'references' | 'harvest' | 'cooling' | 'received' | 'landing'>> {
  return {
    ...(m.receivedAt ? { receivedAt: m.receivedAt } : {}),
    ...(m.references ? { references: m.references } : {}),
    ...(m.harvest ? { harvest: m.harvest } : {}),
    ...(m.cooling ? { cooling: m.cooling } : {}),
    ...(m.received ? { received: m.received } : {}),
    ...(m.landing ? { landing: m.landing } : {}),
  };
}

/** Lots whose code is assigned here name this site as its source; received lots say where theirs came from. */
function lotCodeOrigin(m: Movement, rule: MovementRule): Pick<LotState, 'tlcSource' | 'tlcSourceReference'> {
  const source = rule.lotCodeOrigin === 'site' ? m.site : rule.lotCodeOrigin === 'tlcSourceOrSite' ? (m.tlcSource ?? m.site) : m.tlcSource;
  return { ...(source ? { tlcSource: source } : {}), ...(m.tlcSourceReference ? { tlcSourceReference: m.tlcSourceReference } : {}) };
}

/** The sign of the stock change at `site`: bringing goods (and their serials) in, taking them out, or neither. */
const siteSign = (rule: MovementRule, quantity: number) => Math.sign(rule.site === 'signed' ? quantity : rule.site);

/** Serial claims: one write each, guarded by the version read; moves the lot's serial counts. */
function claimSerials(m: Movement, rule: MovementRule, snap: Snapshot, lot: LotState, writes: Plan['serials']): Rejection | undefined {
  if (!m.serials || rule.serialStatus === 'unchanged') return undefined;
  const entering = siteSign(rule, m.quantity) > 0;
  // A count correction that takes serials out writes them off.
  const status: SerialStatus = entering ? 'in-stock' : rule.site === 'signed' ? 'disposed' : rule.serialStatus;
  const siteId = rule.serialAt === 'counterparty' && m.counterparty ? m.counterparty : m.site;
  for (const [n, s] of m.serials.entries()) {
    const cur = snap.serials.get(s);
    const refused = entering ? serialFree(m, s, cur, `serials.${n}`) : serialHere(m, s, cur, `serials.${n}`);
    if (refused) return refused;
    writes.push({
      expectedVersion: cur?.version ?? 0,
      next: { gtin: m.gtin, serial: s, lot: m.lot, status, siteId, refs: [...(cur?.refs ?? [])], version: (cur?.version ?? 0) + 1 },
    });
    if (entering) {
      if (!cur) lot.serialsTotal += 1;
      lot.serialsInStock += 1;
    } else if (status !== 'in-stock') {
      lot.serialsInStock -= 1;
    }
  }
  return undefined;
}

function serialFree(m: Movement, s: string, cur: SerialState | undefined, path: string): Rejection | undefined {
  if (cur && cur.status === 'in-stock')
    return refusal('serial_in_stock', `Serial ${s} of ${m.gtin} is already in stock at ${cur.siteId} (lot ${cur.lot})`, path);
  // A unit's lot is where it was made: one coming back (a return, a receipt) is of the lot it left as, and its
  // history and warranty claims stay with that lot.
  if (cur && cur.lot !== m.lot)
    return refusal('serial_wrong_lot', `Serial ${s} of ${m.gtin} belongs to lot ${cur.lot}, not ${m.lot}: record it under lot ${cur.lot}`, path);
  return undefined;
}

function serialHere(m: Movement, s: string, cur: SerialState | undefined, path: string): Rejection | undefined {
  if (!cur || cur.status !== 'in-stock' || cur.siteId !== m.site)
    return refusal('serial_not_in_stock', `Serial ${s} of ${m.gtin} is not in stock at ${m.site}`, path);
  if (cur.lot !== m.lot) return refusal('serial_not_in_stock', `Serial ${s} of ${m.gtin} belongs to lot ${cur.lot}, not ${m.lot}`, path);
  return undefined;
}

/** Stock deltas: the change at `site`, then the change at `counterparty`, as the type's rule says. */
function stockDeltas(m: Movement, rule: MovementRule): Delta[] {
  const qty = Math.abs(m.quantity);
  const atSite = rule.site === 'signed' ? m.quantity : rule.site * qty;
  const deltas: Delta[] = atSite === 0 ? [] : [{ siteId: m.site, quantity: atSite, ...(m.bin !== undefined ? { bin: m.bin } : {}) }];
  if (rule.counterparty === 1) {
    // The schema asks such types for a counterparty; a record without one never reaches the planner.
    if (m.counterparty === undefined) throw new Error(`a ${m.type} moves stock to its counterparty, and ${m.eventId} names none`);
    deltas.push({ siteId: m.counterparty, quantity: qty, ...(m.counterpartyBin !== undefined ? { bin: m.counterpartyBin } : {}) });
  }
  return deltas;
}

/** Takes that name no bin, spread over the site's unbinned stock and then its bins (see takeFromBins). */
const fromBins = (lot: LotState, deltas: Delta[]): Delta[] =>
  deltas.flatMap((d) =>
    d.bin !== undefined || d.quantity >= 0 ? [d] : takeFromBins(balanceAt(lot, d.siteId), d.quantity).map((t) => ({ siteId: d.siteId, ...t })),
  );

/**
 * Apply stock changes to a lot's balances; refuse any that would take a site below zero, or the bin it names (or,
 * naming none, the site's unbinned remainder) below zero. A gain counts toward what arrived at the site unless it is
 * a count correction (`arrives` false).
 */
function applyDeltas(lot: LotState, deltas: Delta[], stock: { type: LedgerEntryType; arrives: boolean }, path: string): Rejection | undefined {
  for (const d of deltas) {
    const cur = balanceAt(lot, d.siteId) ?? { q: 0, r: 0 };
    const next = q3(cur.q + d.quantity);
    const short = shortfall(lot, cur, d, stock.type, path);
    if (next < 0 || short)
      return (
        short ?? {
          code: 'insufficient_stock',
          message: `Lot ${lot.lot} of ${lot.gtin} has ${cur.q} on hand at ${d.siteId}; ${stock.type} of ${-d.quantity} would take it below zero`,
          errors: [{ path, message: `only ${cur.q} on hand at ${d.siteId}` }],
        }
      );
    const arrived = d.quantity > 0 && stock.arrives ? d.quantity : 0;
    const bins = d.bin !== undefined ? withBinChange(cur.bins, d.bin, d.quantity) : cur.bins;
    setBalance(lot, d.siteId, { q: next, r: q3(cur.r + arrived), ...(bins?.length ? { bins } : {}) });
    if (next === 0 && cur.r + arrived === 0) delete lot.balances[d.siteId];
  }
  return undefined;
}

/**
 * A take from a bin beyond what it holds, though the site may hold enough elsewhere. A take naming no bin was spread
 * over the remainder and the bins already (fromBins): it is short only when the whole site is, which applyDeltas says.
 */
function shortfall(lot: LotState, cur: SiteBalance, d: Delta, type: LedgerEntryType, path: string): Rejection | undefined {
  if (d.quantity >= 0 || d.bin === undefined) return undefined;
  const here = binQuantity(cur, d.bin);
  if (q3(here + d.quantity) >= 0) return undefined;
  return {
    code: 'insufficient_stock',
    message: `Lot ${lot.lot} of ${lot.gtin} has ${here} on hand at ${d.siteId} in bin ${d.bin}; ${type} of ${-d.quantity} would take it below zero`,
    errors: [{ path, message: `only ${here} on hand at ${d.siteId} in bin ${d.bin}` }],
  };
}

/** The lot totals the type's rule keeps: units sold, units returned for a defect. */
function tally(lot: LotState, m: Movement, rule: MovementRule): void {
  const qty = Math.abs(m.quantity);
  if (rule.tally === 'sold') lot.sold = q3((lot.sold ?? 0) + qty);
  if (isDefectReturn(m)) lot.defectReturns = q3((lot.defectReturns ?? 0) + qty);
}

/** Transform inputs: each consumed at `site`, each must be known, in stock and usable. */
function consumeInputs(m: Movement, snap: Snapshot, consumed: Consumed[]): Rejection | undefined {
  const date = localDate(m.occurredAt);
  for (const [n, input] of (m.inputs ?? []).entries()) {
    if (!snap.products.get(input.gtin)) return refusal('product_not_found', `Unknown product ${input.gtin}`, `inputs.${n}.gtin`);
    const read = snap.lots.get(lotId(input));
    if (!read) return refusal('lot_not_found', `Input lot ${input.lot} of ${input.gtin} has no stock anywhere`, `inputs.${n}.lot`);
    // initial-pack names the harvested lots it packed, for their FSMA 204 KDEs; only a transform consumes its inputs.
    if (m.type !== 'transform') continue;
    const st = effectiveStatus(read.meta, date);
    if (st !== 'active') return refusal('lot_blocked', blockedMessage(input.lot, st, read.meta, 'used as a transform input'), `inputs.${n}.lot`);
    const next = working(read);
    const delta: Delta = { siteId: m.site, quantity: -input.quantity, ...(input.bin !== undefined ? { bin: input.bin } : {}) };
    const deltas = fromBins(next, [delta]);
    const refused = applyDeltas(next, deltas, { type: m.type, arrives: false }, `inputs.${n}.quantity`);
    if (refused) return refused;
    consumed.push({ read, lot: next, quantity: input.quantity, deltas });
  }
  return undefined;
}

type Written = {
  lot: LotState;
  existing: LotMeta | undefined;
  deltas: Delta[];
  unit: string;
  consumed: Consumed[];
  snap: Snapshot;
  now: string;
};

/** Entries: the moved or produced lot first, then each consumed input (or packed harvest lot); the sequencer chains them. */
function writeEntries(m: Movement, rule: MovementRule, w: Written): [UnchainedEntry, ...UnchainedEntry[]] {
  const common = {
    eventId: m.eventId,
    type: m.type,
    occurredAt: m.occurredAt,
    recordedAt: w.now,
    site: m.site,
    ...(m.counterparty ? { counterparty: m.counterparty } : {}),
    ...(m.reference ? { reference: m.reference } : {}),
    ...(m.reason ? { reason: m.reason } : {}),
    ...kdeFieldsOf(m),
  };
  const head: UnchainedEntry = {
    ...common,
    gtin: m.gtin,
    lot: m.lot,
    quantity: m.quantity,
    unit: w.unit,
    deltas: w.deltas,
    ...(m.inputs && m.type === 'transform' ? { role: 'output' as const, inputs: m.inputs } : {}),
    ...(m.inputs && m.type !== 'transform' ? { inputs: m.inputs } : {}),
    ...(m.serials ? { serials: m.serials } : {}),
    ...(m.expiry ? { expiry: m.expiry } : w.lot.expiry ? { expiry: w.lot.expiry } : {}),
    ...(m.productionDate ? { productionDate: m.productionDate } : {}),
    ...(w.existing ? {} : lotCodeOrigin(m, rule)),
    ...(m.unitPrice !== undefined ? { unitPrice: m.unitPrice } : {}),
    ...(m.unitCost !== undefined ? { unitCost: m.unitCost } : {}),
  };
  const inputs = w.consumed.map(
    (c): UnchainedEntry => ({
      ...common,
      gtin: c.lot.gtin,
      lot: c.lot.lot,
      role: 'input',
      quantity: c.quantity,
      unit: (w.snap.products.get(c.lot.gtin) as Product).unit,
      output: { gtin: m.gtin, lot: m.lot },
      deltas: c.deltas,
    }),
  );
  // An initial packing names the harvested lots it packed without taking their stock: each gets a link entry with no
  // stock change, so that a forward trace (and a recall) of a harvested lot reaches the lots packed from it.
  const packed =
    m.type === 'initial-pack'
      ? (m.inputs ?? []).map(
          (i): UnchainedEntry => ({
            ...common,
            gtin: i.gtin,
            lot: i.lot,
            role: 'input',
            quantity: i.quantity,
            unit: (w.snap.products.get(i.gtin) as Product).unit,
            output: { gtin: m.gtin, lot: m.lot },
            deltas: [],
          }),
        )
      : [];
  return [head, ...inputs, ...packed];
}

/** A plan must fit in one DynamoDB transaction. */
function withinOneTransaction(m: Movement, plan: Plan): PlanResult {
  const actions = actionCount(plan);
  if (actions <= MAX_TRANSACTION_ACTIONS) return { ok: true, plan };
  return rejected({
    code: 'too_many_actions',
    message: `This movement needs ${actions} writes in one transaction and DynamoDB allows ${MAX_TRANSACTION_ACTIONS}: split its serials or inputs over several movements`,
    errors: [{ path: m.serials ? 'serials' : 'inputs', message: `needs ${actions} transaction actions; at most ${MAX_TRANSACTION_ACTIONS}` }],
  });
}

/**
 * Plan a status change (QA hold, release, recall): the lot's meta with the new status and the next `statusVersion`,
 * and the change as an entry for the sequencer, stamped after the lot's last movement and last status change.
 * @example planStatusChange(lot, { type: 'hold', reason: 'QA', eventId: 'hold:r1' }, now) // { next: { status: 'on-hold', ... }, pending }
 */
export function planStatusChange(
  lot: LotState,
  change: { type: 'hold' | 'release' | 'recall'; reason: string; eventId: string; recallId?: string },
  now: string,
): { next: LotMeta; pending: PendingEntry } {
  const next = metaOf(lot);
  next.status = change.type === 'release' ? 'active' : change.type === 'hold' ? 'on-hold' : 'recalled';
  if (change.type === 'release') delete next.statusReason;
  else next.statusReason = change.reason;
  if (change.recallId) next.recallId = change.recallId;
  next.statusVersion = (lot.statusVersion ?? 0) + 1;
  const at = stampAfter(now, [lot.statusAt, lot.lastAt]);
  next.statusAt = at;
  const entry: UnchainedEntry = {
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
  };
  return { next, pending: { gtin: lot.gtin, lot: lot.lot, acceptedAt: at, n: 0, entry } };
}

/** A stock head showing the lot's status as of `meta` (a status change spreads to every head with this). */
export function withStatus(h: StockHead, meta: LotMeta): StockHead {
  const next: StockHead = { ...h, status: meta.status, statusVersion: meta.statusVersion, version: h.version + 1 };
  if (meta.statusReason !== undefined) next.statusReason = meta.statusReason;
  else delete next.statusReason;
  if (meta.statusAt !== undefined && meta.statusAt > next.lastAt) next.lastAt = meta.statusAt;
  return next;
}
