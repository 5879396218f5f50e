import { sha256Hex } from './canonical.js';
import { isStatusType, ruleOfEntry, type StatusEntryType } from './entry-rules.js';
import type { LedgerEntry } from './ledger.js';
import type { Product, Site } from './master-data.js';
import { type EpcisFlow, MOVEMENT_RULES } from './movement-types.js';

/** The EPCIS 2.0 JSON-LD context, plus our namespace for the one extension field we write (`lotledger:quantityDelta`). */
export const EPCIS_CONTEXT = [
  'https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld',
  { lotledger: 'https://lotledger.dev/epcis/' },
] as const;

export type EpcisLookup = {
  site(siteId: string): Pick<Site, 'siteId' | 'gln'> | undefined;
  product(gtin: string): Pick<Product, 'unit'> | undefined;
};

export type EpcisEvent = Record<string, unknown> & { type: 'ObjectEvent' | 'TransformationEvent'; eventTime: string; eventTimeZoneOffset: string };

/** Percent-encode a GS1 AI value for a Digital Link path segment (set 82 includes `!'()*`, which encodeURIComponent keeps). */
const dlSegment = (v: string) => encodeURIComponent(v).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** GS1 Digital Link class URI of a lot.
 * @example lotClassUri('00614141000012', 'A/1') // 'https://id.gs1.org/01/00614141000012/10/A%2F1'
 */
export const lotClassUri = (gtin: string, lot: string) => `https://id.gs1.org/01/${gtin}/10/${dlSegment(lot)}`;
/** GS1 Digital Link URI of one serialised item. */
export const serialUri = (gtin: string, serial: string) => `https://id.gs1.org/01/${gtin}/21/${dlSegment(serial)}`;

/** A site as a location: its GLN as a Digital Link (AI 414), else a lotledger URN of its siteId. */
export function locationUri(lookup: EpcisLookup, siteId: string): string {
  const gln = lookup.site(siteId)?.gln;
  return gln ? `https://id.gs1.org/414/${gln}` : `urn:lotledger:site:${encodeURIComponent(siteId)}`;
}
/** A site as a party: its GLN as a party GLN (AI 417), else a lotledger URN of its siteId. */
export function partyUri(lookup: EpcisLookup, siteId: string): string {
  const gln = lookup.site(siteId)?.gln;
  return gln ? `https://id.gs1.org/417/${gln}` : `urn:lotledger:party:${encodeURIComponent(siteId)}`;
}

/** UN/ECE Rec 20 codes of the units we know; other units (ea, case, ...) are counts, written without `uom`. */
const UOM = new Map([
  ['kg', 'KGM'],
  ['g', 'GRM'],
  ['lb', 'LBR'],
  ['lbs', 'LBR'],
  ['oz', 'ONZ'],
  ['l', 'LTR'],
  ['ml', 'MLT'],
  ['t', 'TNE'],
]);
export function uomOf(unit: string): string | undefined {
  const known = UOM.get(unit.toLowerCase());
  if (known) return known;
  return /^[A-Z0-9]{2,3}$/.test(unit) && unit !== 'EA' ? unit : undefined;
}

const BIZ_TRANSACTION_TYPE: Record<string, string | undefined> = { PO: 'po', BOL: 'bol', INV: 'inv', ASN: 'desadv', RMA: 'rma', OTHER: undefined };

/** `2026-03-01T10:00-05:00` → `2026-03-01T10:00:00-05:00` (date-time needs seconds), and its offset (`Z` → `+00:00`). */
export function eventTimeOf(instant: string): { eventTime: string; eventTimeZoneOffset: string } {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2})(:\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.exec(instant);
  if (!m) return { eventTime: new Date(instant).toISOString(), eventTimeZoneOffset: '+00:00' };
  const offset = m[3] === 'Z' ? '+00:00' : (m[3] as string);
  return { eventTime: `${m[1]}${m[2] ?? ':00'}${m[3]}`, eventTimeZoneOffset: offset };
}

/** CBV 2.0 hash event id from the ledger entry's own hash (`suffix` tells apart the two events of a transfer). */
export const eventIdOf = (e: Pick<LedgerEntry, 'hash'>, suffix = '') =>
  `ni:///sha-256;${suffix ? sha256Hex(`${e.hash}:${suffix}`) : e.hash}?ver=CBV2.0`;

type Step = { bizStep: string; disposition?: string; action: 'ADD' | 'OBSERVE' | 'DELETE' };

/**
 * CBV business step and disposition of the status entries, which are no movement type (movement types take theirs
 * from MOVEMENT_RULES). The schema's CBV word list has no `recalling`: a recall is `holding`/`recalled`.
 */
const STATUS_STEPS: Record<StatusEntryType, Step> = {
  hold: { bizStep: 'holding', disposition: 'non_sellable_other', action: 'OBSERVE' },
  release: { bizStep: 'inspecting', disposition: 'sellable_accessible', action: 'OBSERVE' },
  recall: { bizStep: 'holding', disposition: 'recalled', action: 'OBSERVE' },
};

/** The receiving event at the destination of a `transfer` flow. */
const RECEIVING_AT_DESTINATION: Step = { bizStep: 'receiving', disposition: 'in_progress', action: 'OBSERVE' };

/** The entry's step and flow. A movement's first entry created its lot: ADD (with ilmd) where its rule says so. */
function stepOf(e: LedgerEntry): { step: Step; flow: EpcisFlow } {
  if (isStatusType(e.type)) return { step: STATUS_STEPS[e.type], flow: 'none' };
  const { bizStep, disposition, action, addOnCreate, flow } = MOVEMENT_RULES[e.type].epcis;
  return { step: { bizStep, ...(disposition ? { disposition } : {}), action: addOnCreate && e.seq === 1 ? 'ADD' : action }, flow };
}

function quantityElement(gtin: string, lot: string, quantity: number | undefined, unit: string | undefined) {
  const uom = unit ? uomOf(unit) : undefined;
  return {
    epcClass: lotClassUri(gtin, lot),
    ...(quantity !== undefined && quantity !== 0 ? { quantity: Math.abs(quantity) } : {}),
    ...(uom ? { uom } : {}),
  };
}

/** What the lot is: serials as an epcList, else the lot class with its quantity (status changes: the class alone). */
function what(e: LedgerEntry): Record<string, unknown> {
  if (e.serials?.length) return { epcList: e.serials.map((s) => serialUri(e.gtin, s)) };
  return { quantityList: [quantityElement(e.gtin, e.lot, e.quantity, e.unit)] };
}

const ilmdOf = (e: LedgerEntry) => ({ 'cbvmda:lotNumber': e.lot, ...(e.expiry ? { 'cbvmda:itemExpirationDate': e.expiry } : {}) });

function bizTransactions(e: LedgerEntry) {
  if (!e.reference) return {};
  const type = BIZ_TRANSACTION_TYPE[e.reference.type];
  return {
    bizTransactionList: [
      { ...(type ? { type } : {}), bizTransaction: `urn:lotledger:bt:${e.reference.type.toLowerCase()}:${encodeURIComponent(e.reference.number)}` },
    ],
  };
}

const sourceDest = (lookup: EpcisLookup, from: string | undefined, to: string | undefined) => ({
  ...(from
    ? {
        sourceList: [
          { type: 'owning_party', source: partyUri(lookup, from) },
          { type: 'location', source: locationUri(lookup, from) },
        ],
      }
    : {}),
  ...(to
    ? {
        destinationList: [
          { type: 'owning_party', destination: partyUri(lookup, to) },
          { type: 'location', destination: locationUri(lookup, to) },
        ],
      }
    : {}),
});

/**
 * The EPCIS 2.0 events of one ledger entry: an ObjectEvent per entry (a transfer gives two: shipping at `site`,
 * receiving at `counterparty`), a TransformationEvent for a transform's output entry; a transform's input entries give
 * none (their lots are in the output's inputQuantityList).
 * @example epcisEvents(receiptEntry, lookup)[0]?.bizStep // 'receiving'
 */
export function epcisEvents(e: LedgerEntry, lookup: EpcisLookup): EpcisEvent[] {
  if (e.role === 'input') return [];
  const time = eventTimeOf(e.occurredAt);
  const common = {
    ...time,
    recordTime: new Date(e.recordedAt).toISOString(),
  };
  const at = (siteId: string | undefined) =>
    siteId ? { readPoint: { id: locationUri(lookup, siteId) }, bizLocation: { id: locationUri(lookup, siteId) } } : {};
  const { step, flow } = stepOf(e);
  if (e.role === 'output') {
    const inputs = e.inputs ?? [];
    return [
      {
        type: 'TransformationEvent',
        ...common,
        eventID: eventIdOf(e),
        ...(inputs.length ? { inputQuantityList: inputs.map((i) => quantityElement(i.gtin, i.lot, i.quantity, lookup.product(i.gtin)?.unit)) } : {}),
        ...(e.serials?.length
          ? { outputEPCList: e.serials.map((s) => serialUri(e.gtin, s)) }
          : { outputQuantityList: [quantityElement(e.gtin, e.lot, e.quantity, e.unit)] }),
        bizStep: step.bizStep,
        ...(step.disposition ? { disposition: step.disposition } : {}),
        ...at(e.site),
        ...bizTransactions(e),
        ilmd: ilmdOf(e),
      },
    ];
  }
  // A signed stock change (adjust) loses its sign in the quantity element, so the delta goes beside it.
  const signed = ruleOfEntry(e.type)?.site === 'signed';
  const event = (s: Step, site: string | undefined, flows: Record<string, unknown>, suffix = ''): EpcisEvent => ({
    type: 'ObjectEvent',
    ...common,
    eventID: eventIdOf(e, suffix),
    ...what(e),
    action: s.action,
    bizStep: s.bizStep,
    ...(s.disposition ? { disposition: s.disposition } : {}),
    ...at(site),
    ...bizTransactions(e),
    ...flows,
    ...(s.action === 'ADD' ? { ilmd: ilmdOf(e) } : {}),
    ...(signed ? { 'lotledger:quantityDelta': e.quantity } : {}),
  });
  switch (flow) {
    case 'transfer':
      return [
        event(step, e.site, sourceDest(lookup, e.site, e.counterparty)),
        event(RECEIVING_AT_DESTINATION, e.counterparty, sourceDest(lookup, e.site, e.counterparty), 'receiving'),
      ];
    case 'outbound':
      return [event(step, e.site, sourceDest(lookup, e.site, e.counterparty))];
    case 'inbound':
      return [event(step, e.site, sourceDest(lookup, e.counterparty, e.site))];
    case 'sale':
      return [
        event(step, e.site, e.counterparty ? { destinationList: [{ type: 'owning_party', destination: partyUri(lookup, e.counterparty) }] } : {}),
      ];
    case 'none':
      return [event(step, e.site, {})];
    default:
      return unknownFlow(flow);
  }
}

const unknownFlow = (flow: never): never => {
  throw new Error(`unknown EPCIS flow ${String(flow)}`);
};

/** The document around the events, as a head and a tail to stream the event list between.
 * @example const { head, tail } = epcisDocumentFrame('2026-03-01T12:00:00.000Z'); write(head); events.forEach(...); write(tail)
 */
export function epcisDocumentFrame(creationDate: string): { head: string; tail: string } {
  const head = `{"@context":${JSON.stringify(EPCIS_CONTEXT)},"type":"EPCISDocument","schemaVersion":"2.0","creationDate":${JSON.stringify(creationDate)},"epcisBody":{"eventList":[`;
  return { head, tail: ']}}\n' };
}
