import { ruleOfEntry } from './entry-rules.js';
import type { LedgerEntry, LotState } from './ledger.js';
import type { Product, Site } from './master-data.js';
import { localDate, type MovementType } from './movement.js';
import { tlcReferenceType, tlcReferenceValue } from './movement-kdes.js';
import type { FsmaCte, MovementRule } from './movement-types.js';

/**
 * The FDA electronic sortable spreadsheet, v2 (shared/FSMA204.md): one tab per critical tracking event (CTE), that
 * CTE's key data elements (KDEs) as columns, a location description always split into its parts per role.
 */

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

/** The nine columns of a location description (§1.1310) for one role, in order. */
export const LOCATION_PARTS = ['Business Name', 'Phone', 'Street', 'City', 'State', 'ZIP', 'Country', 'Coordinates', 'ID'] as const;
export type LocationPart = (typeof LOCATION_PARTS)[number];
const R = <const Role extends string>(role: Role) => LOCATION_PARTS.map((p) => `${role} ${p}` as const);

const COMMON = ['Event ID', 'Event Time', 'Traceability Lot Code', 'GTIN'] as const;
const REFS = ['Reference Document Type', 'Reference Document Number'] as const;
const TLC_REF = ['TLC Source Reference Type', 'TLC Source Reference'] as const;

/** Each CTE tab's columns, exactly as FSMA204.md v2 lists them, in order. */
export const CTE_COLUMNS = {
  Harvesting: [
    ...COMMON,
    'Commodity',
    'Variety',
    'Quantity',
    'Unit of Measure',
    ...R('Harvest Farm'),
    'Field or Growing Area Name',
    'Container Name',
    'Harvest Date',
    ...R('Immediate Subsequent Recipient'),
    ...REFS,
  ],
  Cooling: [
    ...COMMON,
    'Commodity',
    'Variety',
    'Quantity',
    'Unit of Measure',
    ...R('Cooling Location'),
    'Cooling Date',
    ...R('Harvest Farm'),
    ...R('Immediate Subsequent Recipient'),
    ...REFS,
  ],
  'Initial Packing': [
    ...COMMON,
    'Product Description',
    'Quantity',
    'Unit of Measure',
    ...R('Packing Location (TLC Source)'),
    ...TLC_REF,
    'Packing Date',
    'Commodity Received',
    'Variety Received',
    'Quantity Received',
    'Unit of Measure Received',
    'Date Received',
    ...R('Harvest Farm'),
    'Field or Growing Area Name',
    'Container Name',
    'Harvester Business Name',
    'Harvester Phone',
    'Harvest Date',
    ...R('Cooling Location'),
    'Cooling Date',
    ...R('Received From'),
    ...REFS,
  ],
  'First Land-Based Receiving': [
    ...COMMON,
    'Product Description',
    'Quantity',
    'Unit of Measure',
    'Harvest Date Begin',
    'Harvest Date End',
    'Harvest Area',
    ...R('Receiving Location (TLC Source)'),
    ...TLC_REF,
    'Date Landed',
    ...REFS,
  ],
  Shipping: [
    ...COMMON,
    'Quantity',
    'Unit of Measure',
    'Product Description',
    ...R('Immediate Subsequent Recipient (Ship-To)'),
    ...R('Ship-From Location'),
    'Ship Date',
    ...R('TLC Source'),
    ...TLC_REF,
    ...REFS,
  ],
  Receiving: [
    ...COMMON,
    'Quantity',
    'Unit of Measure',
    'Product Description',
    ...R('Immediate Previous Source (Ship-From)'),
    ...R('Receiving Location'),
    'Receive Date',
    ...R('TLC Source'),
    ...TLC_REF,
    ...REFS,
  ],
  Transformation: [
    ...COMMON,
    'Input Traceability Lot Code',
    'Input GTIN',
    'Input Product Description',
    'Input Quantity Used',
    'Input Unit of Measure',
    'New Traceability Lot Code',
    'New GTIN',
    'New Product Description',
    'New Quantity',
    'New Unit of Measure',
    ...R('Transformation Location (TLC Source)'),
    ...TLC_REF,
    'Date Transformation Completed',
    ...REFS,
  ],
} as const satisfies Record<Cte, readonly string[]>;

export type FsmaColumn = (typeof CTE_COLUMNS)[Cte][number];

/** The union of every tab's columns, in the order they first appear (Harvesting's first, Transformation's last). */
export const ALL_COLUMNS: readonly FsmaColumn[] = [...new Set(CTES.flatMap((c) => CTE_COLUMNS[c] as readonly FsmaColumn[]))];
/** The one sortable CSV sheet: the CTE first, then the union of all tab columns. */
export const CSV_COLUMNS: readonly string[] = ['Critical Tracking Event', ...ALL_COLUMNS];

/** Columns holding quantities (numbers in xlsx). */
export const NUMERIC_COLUMNS: ReadonlySet<string> = new Set(['Quantity', 'Quantity Received', 'Input Quantity Used', 'New Quantity']);
/** Columns holding `YYYY-MM-DD` dates (real dates in xlsx). */
export const DATE_COLUMNS: ReadonlySet<string> = new Set(
  ALL_COLUMNS.filter((c) => c.endsWith(' Date') || c.startsWith('Date ') || c.startsWith('Harvest Date ')),
);
/**
 * Free-text columns: names, descriptions, addresses. Only these pass the formula guard; identifiers (GTIN, GLN, lot
 * codes, ZIP, reference numbers) are never altered.
 */
export const FREE_TEXT_COLUMNS: ReadonlySet<string> = new Set(
  ALL_COLUMNS.filter(
    (c) =>
      / (Business Name|Street|City|State|Country)$/.test(c) ||
      c.endsWith('Description') ||
      [
        'Commodity',
        'Variety',
        'Commodity Received',
        'Variety Received',
        'Field or Growing Area Name',
        'Container Name',
        'Harvest Area',
        'Harvester Business Name',
      ].includes(c),
  ),
);

/** Each column's position in ALL_COLUMNS: a row keeps its cells in that order. */
export const COLUMN_INDEX: ReadonlyMap<string, number> = new Map(ALL_COLUMNS.map((c, i) => [c, i]));

/** A column's position in ALL_COLUMNS; a name that is no column is a bug, not an empty cell. */
export function columnAt(c: string): number {
  const i = COLUMN_INDEX.get(c);
  if (i === undefined) throw new Error(`no FSMA 204 column ${c}`);
  return i;
}

/**
 * One spreadsheet row: its CTE, its sort key and its cells. `values` holds the cells by position in ALL_COLUMNS (absent
 * = empty, never ''), which is what the writers read; `cells` names them, made when first read.
 */
export type FsmaRow = {
  cte: Cte;
  eventId: string;
  time: number;
  values: readonly (string | undefined)[];
  readonly cells: Partial<Record<FsmaColumn, string>>;
};

class Row implements FsmaRow {
  private named: Partial<Record<FsmaColumn, string>> | undefined;
  constructor(
    readonly cte: Cte,
    readonly eventId: string,
    readonly time: number,
    readonly values: (string | undefined)[],
  ) {}
  get cells(): Partial<Record<FsmaColumn, string>> {
    if (!this.named) {
      const named: Partial<Record<FsmaColumn, string>> = {};
      ALL_COLUMNS.forEach((c, i) => {
        const v = this.values[i];
        if (v !== undefined) named[c] = v;
      });
      this.named = named;
    }
    return this.named;
  }
}

/**
 * A row from cells named by column (empty strings left out), for callers that build rows by hand.
 * @example rowOf('Shipping', 'E1', 0, { 'Event ID': 'E1' }).values[0] // 'E1'
 */
export function rowOf(cte: Cte, eventId: string, time: number, cells: Partial<Record<FsmaColumn, string>>): FsmaRow {
  const values: (string | undefined)[] = new Array(ALL_COLUMNS.length);
  for (const [c, v] of Object.entries(cells)) if (v !== undefined && v !== '') values[columnAt(c)] = v;
  return new Row(cte, eventId, time, values);
}

/** What the mapping reads besides the entry: master data, the lot's head and the RAC history of packed lots. */
export type FsmaLookup = {
  product(gtin: string): Product | undefined;
  site(siteId: string): Site | undefined;
  lot(gtin: string, lot: string): (Pick<LotState, 'tlcSource' | 'tlcSourceReference'> & { createdBy?: MovementType }) | undefined;
  /** the harvest and cooling entries of a harvested (RAC) lot recorded here, when the lookup has read them */
  rac?(gtin: string, lot: string): { harvest?: LedgerEntry; cool?: LedgerEntry } | undefined;
};

/** A location's id in the spreadsheet: its GLN when it has one, else its siteId. */
export const locationId = (site: Pick<Site, 'gln' | 'siteId'>) => site.gln ?? site.siteId;

/** The nine location cells of a site (unknown site: only its id). */
export function locationCells(site: Site | undefined, siteId: string): Record<LocationPart, string> {
  const a = site?.address ?? {};
  const c = site?.coordinates;
  return {
    'Business Name': site?.name ?? '',
    Phone: site?.phone ?? '',
    Street: a.street ?? '',
    City: a.city ?? '',
    State: a.state ?? '',
    ZIP: a.postalCode ?? '',
    Country: a.country ?? '',
    Coordinates: c ? `${c.lat},${c.lon}` : '',
    ID: site ? locationId(site) : siteId,
  };
}

/** The nine location cells of a site in LOCATION_PARTS order, per site record: a million rows share a handful. */
const cellsOfSite = new WeakMap<Site, readonly string[]>();
/** Each role's nine column positions, in LOCATION_PARTS order. */
const roleColumns = new Map<string, readonly number[]>();
const columnsOfRole = (role: string) => {
  let at = roleColumns.get(role);
  if (!at) {
    at = LOCATION_PARTS.map((p) => columnAt(`${role} ${p}`));
    roleColumns.set(role, at);
  }
  return at;
};
const partsOf = (site: Site | undefined, siteId: string) => {
  const cells = locationCells(site, siteId);
  return LOCATION_PARTS.map((p) => cells[p]);
};

/**
 * The Product Description KDE: the product's description with brand, commodity, variety, pack size and style where it
 * has them and the description does not already say them.
 * @example productDescription({ description: 'Romaine hearts', brand: 'Sunny', packSize: '24 ct', packStyle: 'carton' }) // 'Romaine hearts; Sunny; 24 ct; carton'
 */
export function productDescription(
  p: Pick<Product, 'description' | 'brand' | 'commodity' | 'variety' | 'packSize' | 'packStyle'> | undefined,
): string {
  if (!p) return '';
  const known = descriptionOf.get(p);
  if (known !== undefined) return known;
  const d = describe(p);
  descriptionOf.set(p, d);
  return d;
}

/** Product descriptions per product record (the export asks once per row). */
const descriptionOf = new WeakMap<object, string>();

function describe(p: Pick<Product, 'description' | 'brand' | 'commodity' | 'variety' | 'packSize' | 'packStyle'>): string {
  const lower = p.description.toLowerCase();
  const extra = [p.brand, p.commodity, p.variety, p.packSize, p.packStyle].filter(
    (s): s is string => s !== undefined && s !== '' && !lower.includes(s.toLowerCase()),
  );
  return [p.description, ...extra].join('; ');
}

const num = (n: number) => String(Math.abs(n));
const isFtl = (lookup: FsmaLookup, gtin: string) => lookup.product(gtin)?.ftl === true;

/** The lot types that are packed, landed or made: a cooling of such a lot comes after initial packing and is no Cooling CTE. */
const PACKED_ORIGINS: ReadonlySet<string> = new Set(['initial-pack', 'first-land-receive', 'transform']);
/** Whether a `cool` entry of this lot is a Cooling CTE (§1.1325(b): only a cooling before initial packing). */
export const coolingIsCte = (createdBy: string | undefined) => createdBy === undefined || !PACKED_ORIGINS.has(createdBy);

/** The documents of an entry: `references`, else the single `reference` of v1. */
export const referencesOf = (e: Pick<LedgerEntry, 'reference' | 'references'>) => e.references ?? (e.reference ? [e.reference] : []);

/** A row under construction: cells are set by name, locations by role, into the row's positional values. */
class RowBuilder {
  readonly values: (string | undefined)[] = new Array(ALL_COLUMNS.length);
  constructor(private readonly lookup: FsmaLookup) {}
  set(c: FsmaColumn, v: string | undefined) {
    if (v !== undefined && v !== '') this.values[columnAt(c)] = v;
  }
  place(role: string, siteId: string | undefined) {
    if (siteId === undefined) return;
    const site = this.lookup.site(siteId);
    let parts = site ? cellsOfSite.get(site) : undefined;
    if (!parts) {
      parts = partsOf(site, siteId);
      if (site) cellsOfSite.set(site, parts);
    }
    const at = columnsOfRole(role);
    for (let p = 0; p < at.length; p++) {
      const v = parts[p];
      if (v !== undefined && v !== '') this.values[at[p] as number] = v;
    }
  }
}

/**
 * The TLC source of a lot (§1.1310): its `tlcSource` site, else the site of the movement that created it here; its
 * reference: the lot's own reference, else the source site's GLN, else its FFRN.
 */
function tlcSourceOf(
  e: LedgerEntry,
  rule: MovementRule,
  lookup: FsmaLookup,
): { site: string | undefined; refType: string | undefined; ref: string | undefined } {
  const lot = lookup.lot(e.gtin, e.lot);
  const site =
    (lot?.tlcSource ?? e.tlcSource ?? (rule.lotCodeOrigin === 'site' || rule.lotCodeOrigin === 'tlcSourceOrSite' ? e.site : undefined)) || undefined;
  const own = lot?.tlcSourceReference ?? e.tlcSourceReference;
  if (own !== undefined) return { site, refType: tlcReferenceType(own) ?? '', ref: tlcReferenceValue(own) };
  const s = site ? lookup.site(site) : undefined;
  if (s?.gln) return { site, refType: 'GLN', ref: s.gln };
  if (s?.ffrn) return { site, refType: 'FFRN', ref: s.ffrn };
  return { site, refType: undefined, ref: undefined };
}

/**
 * The spreadsheet rows of one ledger entry (shared/FSMA204.md v2): one per CTE its movement rule names (none for sell,
 * adjust, dispose and the status entries), none for a consumer return, a non-FTL product or a cooling after packing.
 * A transfer gives Shipping at `site` (at `occurredAt`) and Receiving at `counterparty` (at `receivedAt`).
 * Transformation gives one row per FTL input lot (from the output entry). Cells are raw; the writers guard free text.
 * @example fsmaRows(shipEntry, lookup)[0]?.cte // 'Shipping'
 */
export function fsmaRows(e: LedgerEntry, lookup: FsmaLookup): FsmaRow[] {
  if (e.role === 'input') return [];
  const rule = ruleOfEntry(e.type);
  if (!rule || isConsumerReturn(e, rule, lookup)) return [];
  const ftl = isFtl(lookup, e.gtin);
  const product = lookup.product(e.gtin);
  const out: FsmaRow[] = [];
  const start = (cte: Cte, instant: string) => {
    const b = new RowBuilder(lookup);
    b.set('Event ID', e.eventId);
    b.set('Event Time', instant);
    b.set('Traceability Lot Code', e.lot);
    b.set('GTIN', e.gtin);
    out.push(new Row(cte, e.eventId, Date.parse(instant), b.values));
    return b;
  };
  const refs = (b: RowBuilder) => {
    const rs = referencesOf(e);
    b.set('Reference Document Type', rs.map((r) => r.type).join('; '));
    b.set('Reference Document Number', rs.map((r) => r.number).join('; '));
  };
  const qty = (b: RowBuilder) => {
    b.set('Quantity', num(e.quantity));
    b.set('Unit of Measure', e.unit);
  };
  const tlc = (b: RowBuilder, role: string) => {
    const src = tlcSourceOf(e, rule, lookup);
    b.place(role, src.site);
    b.set('TLC Source Reference Type', src.refType);
    b.set('TLC Source Reference', src.ref);
  };
  const date = localDate(e.occurredAt);
  for (const cte of rule.cte) {
    if (cte !== 'Transformation' && !ftl) continue;
    switch (cte) {
      case 'Harvesting': {
        const b = start(cte, e.occurredAt);
        b.set('Commodity', product?.commodity);
        b.set('Variety', product?.variety);
        qty(b);
        b.place('Harvest Farm', e.harvest?.farm ?? e.site);
        b.set('Field or Growing Area Name', e.harvest?.field);
        b.set('Container Name', e.harvest?.container);
        b.set('Harvest Date', e.harvest?.date ?? date);
        b.place('Immediate Subsequent Recipient', e.counterparty);
        refs(b);
        break;
      }
      case 'Cooling': {
        if (!coolingIsCte(lookup.lot(e.gtin, e.lot)?.createdBy)) break;
        const b = start(cte, e.occurredAt);
        b.set('Commodity', product?.commodity);
        b.set('Variety', product?.variety);
        qty(b);
        b.place('Cooling Location', e.site);
        b.set('Cooling Date', date);
        const lot = lookup.lot(e.gtin, e.lot);
        b.place('Harvest Farm', lot?.createdBy === 'harvest' ? lot.tlcSource : undefined);
        b.place('Immediate Subsequent Recipient', e.counterparty);
        refs(b);
        break;
      }
      case 'Initial Packing': {
        const b = start(cte, e.occurredAt);
        b.set('Product Description', productDescription(product));
        qty(b);
        tlc(b, 'Packing Location (TLC Source)');
        b.set('Packing Date', date);
        packingKdes(b, e, lookup, date);
        refs(b);
        break;
      }
      case 'First Land-Based Receiving': {
        const b = start(cte, e.occurredAt);
        b.set('Product Description', productDescription(product));
        qty(b);
        b.set('Harvest Date Begin', e.landing?.harvestDateBegin);
        b.set('Harvest Date End', e.landing?.harvestDateEnd);
        b.set('Harvest Area', e.landing?.area);
        tlc(b, 'Receiving Location (TLC Source)');
        b.set('Date Landed', date);
        refs(b);
        break;
      }
      case 'Shipping': {
        const b = start(cte, e.occurredAt);
        qty(b);
        b.set('Product Description', productDescription(product));
        b.place('Immediate Subsequent Recipient (Ship-To)', e.counterparty);
        b.place('Ship-From Location', e.site);
        b.set('Ship Date', date);
        tlc(b, 'TLC Source');
        refs(b);
        break;
      }
      case 'Receiving': {
        // A transfer's receipt happens at its destination, when the goods arrived; a receipt at `site` from `counterparty`.
        const transfer = rule.counterparty === 1;
        const at = transfer ? (e.receivedAt ?? e.occurredAt) : e.occurredAt;
        const b = start(cte, at);
        qty(b);
        b.set('Product Description', productDescription(product));
        b.place('Immediate Previous Source (Ship-From)', transfer ? e.site : e.counterparty);
        b.place('Receiving Location', transfer ? e.counterparty : e.site);
        b.set('Receive Date', localDate(at));
        tlc(b, 'TLC Source');
        refs(b);
        break;
      }
      case 'Transformation': {
        for (const input of e.inputs ?? []) {
          if (!ftl && !isFtl(lookup, input.gtin)) continue;
          const b = start(cte, e.occurredAt);
          const ip = lookup.product(input.gtin);
          b.set('Input Traceability Lot Code', input.lot);
          b.set('Input GTIN', input.gtin);
          b.set('Input Product Description', productDescription(ip));
          b.set('Input Quantity Used', num(input.quantity));
          b.set('Input Unit of Measure', ip?.unit);
          b.set('New Traceability Lot Code', e.lot);
          b.set('New GTIN', e.gtin);
          b.set('New Product Description', productDescription(product));
          b.set('New Quantity', num(e.quantity));
          b.set('New Unit of Measure', e.unit);
          tlc(b, 'Transformation Location (TLC Source)');
          b.set('Date Transformation Completed', date);
          refs(b);
        }
        break;
      }
      default:
        unknownCte(cte);
    }
  }
  return out;
}

const unknownCte = (cte: never): never => {
  throw new Error(`unknown CTE ${String(cte)}`);
};

/**
 * The received-RAC, harvest and cooling KDEs of an initial pack (§1.1330(a)(1)-(10)): from the movement's own
 * `received`, `harvest` and `cooling` fields, else from the harvest and cool entries of the RAC lots it names in `inputs`.
 * A cooling dated after the packing is no cooling before packing, and is left out.
 */
function packingKdes(b: RowBuilder, e: LedgerEntry, lookup: FsmaLookup, packDate: string) {
  const first = e.inputs?.[0];
  const rac = first ? lookup.rac?.(first.gtin, first.lot) : undefined;
  const racProduct = first ? lookup.product(first.gtin) : undefined;
  const harvest = e.harvest ?? rac?.harvest?.harvest;
  const received = e.received;
  b.set('Commodity Received', received?.commodity ?? racProduct?.commodity);
  b.set('Variety Received', received?.variety ?? racProduct?.variety);
  const inputQty = e.inputs?.reduce((s, i) => s + i.quantity, 0);
  b.set('Quantity Received', received ? num(received.quantity) : inputQty !== undefined ? num(inputQty) : undefined);
  b.set('Unit of Measure Received', received?.unit ?? (received ? undefined : racProduct?.unit));
  b.set('Date Received', received?.date ?? (rac?.harvest ? packDate : undefined));
  b.place('Harvest Farm', harvest?.farm ?? rac?.harvest?.site);
  b.set('Field or Growing Area Name', harvest?.field);
  b.set('Container Name', harvest?.container);
  const farm = harvest?.farm ?? rac?.harvest?.site;
  const farmSite = farm ? lookup.site(farm) : undefined;
  b.set('Harvester Business Name', harvest?.harvester?.name ?? (rac?.harvest ? farmSite?.name : undefined));
  b.set('Harvester Phone', harvest?.harvester?.phone ?? (rac?.harvest ? farmSite?.phone : undefined));
  b.set('Harvest Date', harvest?.date ?? (rac?.harvest ? localDate(rac.harvest.occurredAt) : undefined));
  const cooling = e.cooling ?? (rac?.cool ? { site: rac.cool.site, date: localDate(rac.cool.occurredAt) } : undefined);
  if (cooling && cooling.date <= packDate) {
    b.place('Cooling Location', cooling.site);
    b.set('Cooling Date', cooling.date);
  }
  b.place('Received From', received?.from);
}

/** A consumer handing food back is no CTE; a business returning it is a receipt. */
function isConsumerReturn(e: LedgerEntry, rule: MovementRule, lookup: FsmaLookup): boolean {
  if (rule.trace.returnedFrom !== true || e.counterparty === undefined) return false;
  return lookup.site(e.counterparty)?.kind === 'customer';
}

/** Order rows by Event Time (the instant, whatever its offset), then Event ID; rows of one event keep their order.
 * @example rows.sort(compareRows)
 */
export const compareRows = (a: Pick<FsmaRow, 'time' | 'eventId'>, b: Pick<FsmaRow, 'time' | 'eventId'>) =>
  a.time - b.time || (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0);
