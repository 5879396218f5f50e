import type { MovementType } from './movement.js';

/**
 * Everything lotledger knows about a movement type, in one table. The ledger's rules, the FSMA 204 and EPCIS
 * exports, lot reports and the trace read it; adding a type is one entry here (the compiler asks for it) plus tests.
 */
export type MovementRule = Refusal & {
  /**
   * stock change at `site`: +1 adds |quantity|, -1 takes it, 0 none; `signed` applies the signed quantity as a count
   * correction (adjust): it never counts as an arrival, and serials a negative one takes out are written off (`disposed`)
   */
  site: 1 | -1 | 'signed' | 0;
  /** stock change at `counterparty` (transfer: the destination gains what `site` lost) */
  counterparty: 1 | 0;
  /** the movement may create the lot when it does not exist yet (`positive`: only with a positive quantity) */
  createsLot: boolean | 'positive';
  /** the status a moved serial has afterwards (`in-stock` for types that bring serials in; `unchanged`: serials stay as they are) */
  serialStatus: 'in-stock' | 'shipped' | 'sold' | 'disposed' | 'unchanged';
  /** where a moved serial is afterwards: at `site`, or at `counterparty` when the record names one */
  serialAt: 'site' | 'counterparty';
  /** the kind of site the counterparty must be, when the record names one, and the refusal otherwise */
  counterpartyKind?: { must: 'internal' | 'external' | 'customer'; refusal: (counterparty: string, kind: string) => string };
  /** the lot total its quantity adds to: units `sold`, or `defectReturns` when the reason is `defect` */
  tally?: 'sold' | 'defectReturns';
  /** refused for a recalled, on-hold or expired lot */
  blockedWhenUnsellable: boolean;
  /**
   * where a lot first recorded by this type got its lot code: `site` (assigned here), the record's `tlcSource`, or
   * `tlcSourceOrSite` (a harvest: the record's `tlcSource`, else the farm that recorded it)
   */
  lotCodeOrigin: 'site' | 'tlcSource' | 'tlcSourceOrSite';
  /** the FSMA 204 critical tracking events one entry of this type gives (transfer: shipping and the receipt) */
  cte: readonly FsmaCte[];
  /** the site a counterparty of this type names, as the trace counts it */
  trace: { received: 'counterparty' | 'site' | 'none'; returnedFrom?: true; externalSource?: true };
  /** counts as goods first arriving, for lot reports (first received on) */
  firstIn: boolean;
  /** the CBV business step, disposition and EPCIS action of its event; `ADD` on the lot's first entry when `addOnCreate` */
  epcis: { bizStep: string; disposition?: string; action: 'OBSERVE' | 'DELETE' | 'ADD'; addOnCreate?: true; flow: EpcisFlow };
};

/** A type refused for a recalled, on-hold or expired lot says how: 'Lot L1 is recalled and cannot be shipped'. */
type Refusal = { blockedWhenUnsellable: false } | { blockedWhenUnsellable: true; refusedAs: string };

/** FSMA 204 critical tracking events (21 CFR 1.1325-1.1350). */
export type FsmaCte = 'Harvesting' | 'Cooling' | 'Initial Packing' | 'First Land-Based Receiving' | 'Shipping' | 'Receiving' | 'Transformation';

/** How an EPCIS event names where goods came from and went: from site to counterparty, the reverse, to a buyer, or neither. */
export type EpcisFlow = 'outbound' | 'inbound' | 'transfer' | 'sale' | 'none';

const inbound = {
  site: 1,
  counterparty: 0,
  createsLot: true,
  serialStatus: 'in-stock',
  serialAt: 'site',
  blockedWhenUnsellable: false,
  trace: { received: 'site' },
} as const;

export const MOVEMENT_RULES: Readonly<Record<MovementType, MovementRule>> = {
  receive: {
    ...inbound,
    lotCodeOrigin: 'tlcSource',
    cte: ['Receiving'],
    trace: { received: 'site', externalSource: true },
    firstIn: true,
    epcis: { bizStep: 'receiving', disposition: 'in_progress', action: 'OBSERVE', addOnCreate: true, flow: 'inbound' },
  },
  return: {
    ...inbound,
    tally: 'defectReturns',
    lotCodeOrigin: 'tlcSource',
    cte: ['Receiving'],
    trace: { received: 'site', returnedFrom: true },
    firstIn: false,
    epcis: { bizStep: 'receiving', disposition: 'returned', action: 'OBSERVE', addOnCreate: true, flow: 'inbound' },
  },
  harvest: {
    ...inbound,
    lotCodeOrigin: 'tlcSourceOrSite',
    cte: ['Harvesting'],
    firstIn: true,
    epcis: { bizStep: 'commissioning', disposition: 'active', action: 'OBSERVE', addOnCreate: true, flow: 'inbound' },
  },
  'initial-pack': {
    ...inbound,
    lotCodeOrigin: 'site',
    cte: ['Initial Packing'],
    firstIn: true,
    epcis: { bizStep: 'packing', disposition: 'active', action: 'OBSERVE', addOnCreate: true, flow: 'inbound' },
  },
  'first-land-receive': {
    ...inbound,
    lotCodeOrigin: 'site',
    cte: ['First Land-Based Receiving'],
    trace: { received: 'site', externalSource: true },
    firstIn: true,
    epcis: { bizStep: 'receiving', disposition: 'in_progress', action: 'OBSERVE', addOnCreate: true, flow: 'inbound' },
  },
  transform: {
    site: 1,
    counterparty: 0,
    createsLot: true,
    serialStatus: 'in-stock',
    serialAt: 'site',
    blockedWhenUnsellable: false,
    lotCodeOrigin: 'site',
    cte: ['Transformation'],
    trace: { received: 'none' },
    firstIn: true,
    epcis: { bizStep: 'commissioning', disposition: 'active', action: 'ADD', flow: 'none' },
  },
  ship: {
    site: -1,
    counterparty: 0,
    createsLot: false,
    serialStatus: 'shipped',
    serialAt: 'counterparty',
    counterpartyKind: {
      must: 'external',
      refusal: (cp, kind) => `A ship goes to an external site; ${cp} is a ${kind}: use transfer`,
    },
    blockedWhenUnsellable: true,
    refusedAs: 'shipped',
    lotCodeOrigin: 'tlcSource',
    cte: ['Shipping'],
    trace: { received: 'counterparty' },
    firstIn: false,
    epcis: { bizStep: 'shipping', disposition: 'in_transit', action: 'OBSERVE', flow: 'outbound' },
  },
  transfer: {
    site: -1,
    counterparty: 1,
    createsLot: false,
    serialStatus: 'in-stock',
    serialAt: 'counterparty',
    counterpartyKind: {
      must: 'internal',
      refusal: (cp, kind) => `A transfer goes to an internal site (warehouse or store); ${cp} is a ${kind}: use ship`,
    },
    blockedWhenUnsellable: true,
    refusedAs: 'transferred',
    lotCodeOrigin: 'tlcSource',
    cte: ['Shipping', 'Receiving'],
    trace: { received: 'none' },
    firstIn: false,
    epcis: { bizStep: 'shipping', disposition: 'in_transit', action: 'OBSERVE', flow: 'transfer' },
  },
  sell: {
    site: -1,
    counterparty: 0,
    createsLot: false,
    serialStatus: 'sold',
    serialAt: 'counterparty',
    counterpartyKind: { must: 'customer', refusal: (cp, kind) => `A sale's counterparty is a customer; ${cp} is a ${kind}` },
    tally: 'sold',
    blockedWhenUnsellable: true,
    refusedAs: 'sold',
    lotCodeOrigin: 'tlcSource',
    cte: [],
    trace: { received: 'counterparty' },
    firstIn: false,
    epcis: { bizStep: 'retail_selling', disposition: 'retail_sold', action: 'OBSERVE', flow: 'sale' },
  },
  dispose: {
    site: -1,
    counterparty: 0,
    createsLot: false,
    serialStatus: 'disposed',
    serialAt: 'site',
    blockedWhenUnsellable: false,
    lotCodeOrigin: 'tlcSource',
    cte: [],
    trace: { received: 'none' },
    firstIn: false,
    epcis: { bizStep: 'destroying', disposition: 'destroyed', action: 'DELETE', flow: 'none' },
  },
  adjust: {
    site: 'signed',
    counterparty: 0,
    createsLot: 'positive',
    serialStatus: 'in-stock',
    serialAt: 'site',
    blockedWhenUnsellable: false,
    lotCodeOrigin: 'tlcSource',
    cte: [],
    trace: { received: 'none' },
    firstIn: false,
    epcis: { bizStep: 'cycle_counting', action: 'OBSERVE', addOnCreate: true, flow: 'none' },
  },
  cool: {
    site: 0,
    counterparty: 0,
    createsLot: false,
    serialStatus: 'unchanged',
    serialAt: 'site',
    blockedWhenUnsellable: false,
    lotCodeOrigin: 'tlcSource',
    cte: ['Cooling'],
    trace: { received: 'none' },
    firstIn: false,
    epcis: { bizStep: 'storing', disposition: 'in_progress', action: 'OBSERVE', flow: 'none' },
  },
};

/** The rule of a movement type. */
export const ruleOf = (type: MovementType): MovementRule => MOVEMENT_RULES[type];
