import { createHash } from 'node:crypto';
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
  site(siteId: string): (Pick<Site, 'siteId' | 'gln' | 'name' | 'kind'> & Partial<Pick<Site, 'phone' | 'address' | 'coordinates'>>) | undefined;
  product(gtin: string): (Pick<Product, 'unit'> & Partial<Pick<Product, 'ftl'>>) | undefined;
};

/** What an EPCIS export includes: FTL products only and no consumer sales or returns, unless `includeNonFtl`. */
export type EpcisScope = { includeNonFtl: boolean };

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

/** The namespace of lotledger's name-based event UUIDs (a v4 UUID chosen once). */
const EVENT_NAMESPACE = Buffer.from('6f1c1a8e4b2d4e0f9a3c5d7e8f901234', 'hex');

/**
 * The event's `eventID`: a name-based (RFC 9562 version 5) `urn:uuid:` of the ledger entry's own hash, so the same
 * entry always gets the same id in every export (`suffix` tells apart the two events of a transfer). Not the GS1 CBV
 * 2.0 event hash (`ni:///sha-256;...`), which CONTRACT.md allows as the other choice: lotledger does not compute it.
 * @example eventIdOf({ hash: 'ab'.repeat(32) }) // 'urn:uuid:xxxxxxxx-xxxx-5xxx-yxxx-xxxxxxxxxxxx'
 */
export function eventIdOf(e: Pick<LedgerEntry, 'hash'>, suffix = ''): string {
  const h = createHash('sha1')
    .update(EVENT_NAMESPACE)
    .update(suffix ? `${e.hash}:${suffix}` : e.hash, 'utf8')
    .digest();
  const b = h.subarray(0, 16);
  b[6] = ((b[6] as number) & 0x0f) | 0x50;
  b[8] = ((b[8] as number) & 0x3f) | 0x80;
  const x = b.toString('hex');
  return `urn:uuid:${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

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
  const refs = e.references ?? (e.reference ? [e.reference] : []);
  if (refs.length === 0) return {};
  return {
    bizTransactionList: refs.map((r) => {
      const type = BIZ_TRANSACTION_TYPE[r.type];
      return { ...(type ? { type } : {}), bizTransaction: `urn:lotledger:bt:${r.type.toLowerCase()}:${encodeURIComponent(r.number)}` };
    }),
  };
}

/** Whether an entry's events go into the document: FTL products only (a transform: its output or an input), no consumer sale or return. */
export function epcisIncludes(e: LedgerEntry, lookup: EpcisLookup, scope: EpcisScope): boolean {
  if (scope.includeNonFtl) return true;
  const ftl = (g: string) => lookup.product(g)?.ftl === true;
  if (!ftl(e.gtin) && !(e.role === 'output' && (e.inputs ?? []).some((i) => ftl(i.gtin)))) return false;
  if (isStatusType(e.type)) return true;
  const rule = MOVEMENT_RULES[e.type];
  if (rule.epcis.flow === 'sale') return false;
  if (rule.trace.returnedFrom === true && e.counterparty !== undefined && lookup.site(e.counterparty)?.kind === 'customer') return false;
  return true;
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
export function epcisEvents(e: LedgerEntry, lookup: EpcisLookup, scope: EpcisScope = { includeNonFtl: true }): EpcisEvent[] {
  if (e.role === 'input' || !epcisIncludes(e, lookup, scope)) return [];
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
  const event = (s: Step, site: string | undefined, flows: Record<string, unknown>, suffix = '', time = common): EpcisEvent => ({
    type: 'ObjectEvent',
    ...time,
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
        // The receipt happens when the goods arrived (`receivedAt`), not when they left.
        event(RECEIVING_AT_DESTINATION, e.counterparty, sourceDest(lookup, e.site, e.counterparty), 'receiving', {
          ...common,
          ...eventTimeOf(e.receivedAt ?? e.occurredAt),
        }),
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

/** The sites an entry's events name, as location (readPoint, bizLocation) or party (source, destination). */
export const sitesOf = (e: LedgerEntry): string[] => [e.site, e.counterparty].filter((s): s is string => s !== undefined);

const MDA = 'urn:epcglobal:cbv:mda#';

/** A site's CBV master-data attributes: name, address parts, coordinates (only those it has). */
function siteAttributes(site: NonNullable<ReturnType<EpcisLookup['site']>>) {
  const a = site.address ?? {};
  const pairs: [string, string | number | undefined][] = [
    ['name', site.name],
    ['streetAddressOne', a.street],
    ['city', a.city],
    ['state', a.state],
    ['postalCode', a.postalCode],
    ['countryCode', a.country],
    ['latitude', site.coordinates?.lat],
    ['longitude', site.coordinates?.lon],
  ];
  return pairs.filter(([, v]) => v !== undefined && v !== '').map(([k, v]) => ({ id: `${MDA}${k}`, attribute: v as string | number }));
}

/**
 * The header's `epcisMasterData`: every location (BusinessLocation vocabulary, by the location URI the events use)
 * and every party (SourceDest vocabulary, by the party URI) of the named sites, with name and address.
 * @example epcisMasterData(['dc-1'], lookup).vocabularyList[0].type // 'urn:epcglobal:epcis:vtype:BusinessLocation'
 */
export function epcisMasterData(siteIds: Iterable<string>, lookup: EpcisLookup) {
  const ids = [...new Set(siteIds)].sort();
  const known = ids.flatMap((id) => {
    const site = lookup.site(id);
    return site ? [{ id, site }] : [];
  });
  return {
    vocabularyList: [
      {
        type: 'urn:epcglobal:epcis:vtype:BusinessLocation',
        vocabularyElementList: known.map(({ id, site }) => ({ id: locationUri(lookup, id), attributes: siteAttributes(site) })),
      },
      {
        type: 'urn:epcglobal:epcis:vtype:SourceDest',
        vocabularyElementList: known.map(({ id, site }) => ({ id: partyUri(lookup, id), attributes: siteAttributes(site) })),
      },
    ],
  };
}

/** The document around the events, as a head and a tail to stream the event list between; the header, which names
 * every location the events do, comes after the body (JSON members have no order), once they are all known.
 * @example const { head } = epcisDocumentFrame('2026-03-01T12:00:00.000Z'); write(head); events.forEach(...); write(epcisDocumentTail(md))
 */
export function epcisDocumentFrame(creationDate: string): { head: string; tail: (masterData: ReturnType<typeof epcisMasterData>) => string } {
  const head = `{"@context":${JSON.stringify(EPCIS_CONTEXT)},"type":"EPCISDocument","schemaVersion":"2.0","creationDate":${JSON.stringify(creationDate)},"epcisBody":{"eventList":[`;
  return { head, tail: (masterData) => `]},"epcisHeader":${JSON.stringify({ epcisMasterData: masterData })}}\n` };
}
