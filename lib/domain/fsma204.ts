import { ruleOfEntry } from './entry-rules.js';
import type { LedgerEntry, LotState } from './ledger.js';
import type { Product, Site } from './master-data.js';
import { localDate } from './movement.js';
import type { FsmaCte, MovementRule } from './movement-types.js';

/** The FDA electronic sortable spreadsheet's columns, in order (shared/FSMA204.md). */
export const FSMA_COLUMNS = [
  'Event ID',
  'Critical Tracking Event',
  'Event Date',
  'Traceability Lot Code',
  'GTIN',
  'Product Description',
  'Quantity',
  'Unit of Measure',
  'Location Description',
  'Location ID',
  'Counterparty Role',
  'Counterparty Location Description',
  'Counterparty Location ID',
  'TLC Source Location Description',
  'TLC Source Location ID',
  'TLC Source Reference',
  'Input Traceability Lot Code',
  'Input GTIN',
  'Input Product Description',
  'Input Quantity',
  'Input Unit of Measure',
  'Reference Document Type',
  'Reference Document Number',
] as const;
export type FsmaColumn = (typeof FSMA_COLUMNS)[number];

/** The critical tracking events, in the order the xlsx export lays out their worksheets. */
export const CTES = [
  'Harvesting',
  'Cooling',
  'Initial Packing',
  'First Land-Based Receiving',
  'Shipping',
  'Receiving',
  'Transformation',
] as const satisfies readonly FsmaCte[];
export type Cte = (typeof CTES)[number];

/** One spreadsheet row: every column as text (quantities too, so the CSV shows them exactly as recorded). */
export type FsmaRow = Record<FsmaColumn, string>;

const COUNTERPARTY: readonly FsmaColumn[] = ['Counterparty Role', 'Counterparty Location Description', 'Counterparty Location ID'];
const TLC_SOURCE: readonly FsmaColumn[] = ['TLC Source Location Description', 'TLC Source Location ID', 'TLC Source Reference'];
const INPUTS: readonly FsmaColumn[] = [
  'Input Traceability Lot Code',
  'Input GTIN',
  'Input Product Description',
  'Input Quantity',
  'Input Unit of Measure',
];

/**
 * The columns each CTE's worksheet carries (xlsx): the 23 columns minus those that never apply to it. Harvesting and
 * Cooling happen before a lot code is assigned (no TLC source); only Transformation has inputs and no counterparty.
 */
export const CTE_COLUMNS: Record<Cte, readonly FsmaColumn[]> = {
  Harvesting: FSMA_COLUMNS.filter((c) => !TLC_SOURCE.includes(c) && !INPUTS.includes(c)),
  Cooling: FSMA_COLUMNS.filter((c) => !TLC_SOURCE.includes(c) && !INPUTS.includes(c)),
  'Initial Packing': FSMA_COLUMNS.filter((c) => !INPUTS.includes(c)),
  'First Land-Based Receiving': FSMA_COLUMNS.filter((c) => !INPUTS.includes(c)),
  Shipping: FSMA_COLUMNS.filter((c) => !INPUTS.includes(c)),
  Receiving: FSMA_COLUMNS.filter((c) => !INPUTS.includes(c)),
  Transformation: FSMA_COLUMNS.filter((c) => !COUNTERPARTY.includes(c)),
};

/** What each column means, for the xlsx Glossary worksheet. */
export const COLUMN_MEANINGS: Record<FsmaColumn, string> = {
  'Event ID': 'The movement event id recorded in lotledger; rows of one event (a transfer, a transformation) share it.',
  'Critical Tracking Event': `The CTE of 21 CFR 1.1325-1.1350: ${CTES.join(', ')}.`,
  'Event Date': 'Date of the event (YYYY-MM-DD) in the time zone offset it was recorded with.',
  'Traceability Lot Code': 'The lot code (GS1 AI 10). For Transformation, the new lot produced.',
  GTIN: 'GS1 GTIN-14 of the product; with the lot code it names the lot uniquely.',
  'Product Description': 'The product description from lotledger master data.',
  Quantity: 'Quantity of the lot in this event, in the unit of measure.',
  'Unit of Measure': "The product's unit of measure (see Units below).",
  'Location Description': 'Where the event happened: business name; phone; street, city, state ZIP, country.',
  'Location ID': 'GLN of that location when known, else its lotledger site id.',
  'Counterparty Role': 'Immediate Subsequent Recipient (Shipping, Harvesting, Cooling) or Immediate Previous Source (Receiving).',
  'Counterparty Location Description': 'The counterparty location: business name; phone; street, city, state ZIP, country.',
  'Counterparty Location ID': 'GLN of the counterparty location when known, else its lotledger site id.',
  'TLC Source Location Description': 'Where the traceability lot code was assigned.',
  'TLC Source Location ID': 'GLN (else site id) of the place the lot code was assigned.',
  'TLC Source Reference': 'A reference to the TLC source (GLN, FDA Food Facility Registration Number or URL) when no location is recorded.',
  'Input Traceability Lot Code': 'Transformation only: the lot code of the food used as input (one row per input lot).',
  'Input GTIN': 'Transformation only: GTIN of the input lot.',
  'Input Product Description': 'Transformation only: description of the input product.',
  'Input Quantity': 'Transformation only: quantity of the input lot used.',
  'Input Unit of Measure': 'Transformation only: unit of measure of the input quantity.',
  'Reference Document Type': 'Type of the reference document: BOL, PO, INV, ASN, RMA or OTHER.',
  'Reference Document Number': 'Number of the reference document.',
};

/** What the mapping reads besides the entry: master data and the lot's TLC source. */
export type FsmaLookup = {
  product(gtin: string): Product | undefined;
  site(siteId: string): Site | undefined;
  lot(gtin: string, lot: string): Pick<LotState, 'tlcSource' | 'tlcSourceReference'> | undefined;
};

/** The FSMA 204 location description, empty parts left out: `Name; Phone; Street, City, State ZIP, Country`.
 * @example locationDescription({ name: 'DC One', address: { city: 'Salinas', state: 'CA', postalCode: '93901' } }) // 'DC One; Salinas, CA 93901'
 */
export function locationDescription(site: Pick<Site, 'name' | 'phone' | 'address'>): string {
  const a = site.address ?? {};
  const stateZip = [a.state, a.postalCode].filter((s) => s?.trim()).join(' ');
  const address = [a.street, a.city, stateZip, a.country].filter((s) => s?.trim()).join(', ');
  return [site.name, site.phone, address].filter((s) => s?.trim()).join('; ');
}

/** A location's id in the spreadsheet: its GLN when it has one, else its siteId. */
export const locationId = (site: Pick<Site, 'gln' | 'siteId'>) => site.gln ?? site.siteId;

/** Descriptions per site record, so a million rows share a handful of strings instead of building one each. */
const placeOfSite = new WeakMap<Site, { description: string; id: string }>();

/** The site's description and id, or the bare siteId when the site is unknown. */
function place(lookup: FsmaLookup, siteId: string | undefined): { description: string; id: string } {
  if (siteId === undefined) return { description: '', id: '' };
  const s = lookup.site(siteId);
  if (!s) return { description: '', id: siteId };
  let p = placeOfSite.get(s);
  if (!p) {
    p = { description: locationDescription(s), id: locationId(s) };
    placeOfSite.set(s, p);
  }
  return p;
}

/** Every column empty; rows start as a copy of it (a spread of one frozen object, not 23 pairs made per row). */
const EMPTY_ROW: Readonly<FsmaRow> = Object.freeze(Object.fromEntries(FSMA_COLUMNS.map((c) => [c, ''])) as FsmaRow);
const empty = (): FsmaRow => ({ ...EMPTY_ROW });

const num = (n: number) => String(Math.abs(n));

/** Does the export include this entry's rows: the lot (or, for a transformation, any input) is an FTL product. */
const isFtl = (lookup: FsmaLookup, gtin: string) => lookup.product(gtin)?.ftl === true;

/**
 * The spreadsheet rows of one ledger entry (shared/FSMA204.md): one per CTE its movement rule names (none for sell,
 * adjust, dispose and the status entries hold, release, recall), none for a consumer return or a non-FTL product. A
 * rule's CTEs follow the goods: the first happens at `site`, a second at `counterparty` (a transfer: Shipping, then
 * Receiving at the destination). Transformation gives one row per input lot (from its output entry; the inputs' own
 * entries give no rows, so nothing doubles). Cells are raw; the writers guard them (formula-guard.ts).
 * @example fsmaRows(shipEntry, lookup)[0]?.['Critical Tracking Event'] // 'Shipping'
 */
export function fsmaRows(e: LedgerEntry, lookup: FsmaLookup): FsmaRow[] {
  if (e.role === 'input') return [];
  const rule = ruleOfEntry(e.type);
  if (!rule || isConsumerReturn(e, rule, lookup)) return [];
  const ftl = isFtl(lookup, e.gtin);
  const product = lookup.product(e.gtin);
  const base = (cte: Cte, at: string | undefined, counterparty: string | undefined): FsmaRow => {
    const row = empty();
    row['Event ID'] = e.eventId;
    row['Critical Tracking Event'] = cte;
    row['Event Date'] = localDate(e.occurredAt);
    row['Traceability Lot Code'] = e.lot;
    row.GTIN = e.gtin;
    row['Product Description'] = product?.description ?? '';
    row.Quantity = num(e.quantity);
    row['Unit of Measure'] = e.unit;
    const loc = place(lookup, at);
    row['Location Description'] = loc.description;
    row['Location ID'] = loc.id;
    const cp = place(lookup, counterparty);
    row['Counterparty Role'] = COUNTERPARTY_ROLE[cte];
    row['Counterparty Location Description'] = cp.description;
    row['Counterparty Location ID'] = cp.id;
    if (cte !== 'Harvesting' && cte !== 'Cooling') {
      const lot = lookup.lot(e.gtin, e.lot);
      const source = lot?.tlcSource ?? e.tlcSource ?? (rule.lotCodeOrigin === 'site' ? e.site : undefined);
      const src = place(lookup, source);
      row['TLC Source Location Description'] = src.description;
      row['TLC Source Location ID'] = src.id;
      row['TLC Source Reference'] = lot?.tlcSourceReference ?? e.tlcSourceReference ?? '';
    }
    if (e.reference) {
      row['Reference Document Type'] = e.reference.type;
      row['Reference Document Number'] = e.reference.number;
    }
    return row;
  };
  return rule.cte.flatMap((cte: Cte, i) => {
    if (cte === 'Transformation')
      return (e.inputs ?? [])
        .filter((input) => ftl || isFtl(lookup, input.gtin))
        .map((input) => {
          const row = base(cte, e.site, undefined);
          const ip = lookup.product(input.gtin);
          row['Input Traceability Lot Code'] = input.lot;
          row['Input GTIN'] = input.gtin;
          row['Input Product Description'] = ip?.description ?? '';
          row['Input Quantity'] = num(input.quantity);
          row['Input Unit of Measure'] = ip?.unit ?? '';
          return row;
        });
    if (!ftl) return [];
    return [i === 0 ? base(cte, e.site, e.counterparty) : base(cte, e.counterparty, e.site)];
  });
}

/** The counterparty a CTE names: where the food goes next, or where it came from. */
const COUNTERPARTY_ROLE: Record<Cte, string> = {
  Harvesting: 'Immediate Subsequent Recipient',
  Cooling: 'Immediate Subsequent Recipient',
  'Initial Packing': '',
  'First Land-Based Receiving': '',
  Shipping: 'Immediate Subsequent Recipient',
  Receiving: 'Immediate Previous Source',
  Transformation: '',
};

/** A consumer handing food back is no CTE; a business returning it is a receipt. */
function isConsumerReturn(e: LedgerEntry, rule: MovementRule, lookup: FsmaLookup): boolean {
  if (rule.trace.returnedFrom !== true || e.counterparty === undefined) return false;
  return lookup.site(e.counterparty)?.kind === 'customer';
}

/** Order rows by Event Date, then Event ID; rows of one event keep the order they were made in (Shipping before Receiving).
 * @example rows.sort(compareRows)
 */
export const compareRows = (a: Pick<FsmaRow, 'Event Date' | 'Event ID'>, b: Pick<FsmaRow, 'Event Date' | 'Event ID'>) =>
  a['Event Date'] < b['Event Date']
    ? -1
    : a['Event Date'] > b['Event Date']
      ? 1
      : a['Event ID'] < b['Event ID']
        ? -1
        : a['Event ID'] > b['Event ID']
          ? 1
          : 0;
