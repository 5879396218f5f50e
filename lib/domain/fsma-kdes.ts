import { CTES, type Cte, columnAt, type FsmaColumn, type FsmaRow, LOCATION_PARTS } from './fsma204.js';

/**
 * The key data elements of 21 CFR 1.1325-1.1350, one entry each: the CFR paragraph, what it asks for, the columns that
 * carry it, and whether it is required. A location KDE names its role; it is present when the role's ID is, and
 * complete with a business name, a phone and a street (or coordinates). A KDE with several columns is present when any
 * is filled (TLC source location or reference; reference type and number are one KDE but both are checked).
 */
export type Kde = {
  cte: Cte;
  cfr: string;
  kde: string;
  /** the columns that carry it (location KDEs: the role, whose nine columns carry it) */
  columns: readonly FsmaColumn[];
  role?: string;
  /** `required`: a gap when missing; `if-applicable`: only recorded (aquaculture container, cooling, variety, ...) */
  need: 'required' | 'if-applicable';
  /** `all`: every column must be filled; `any` (default): one of them */
  match?: 'all' | 'any';
};

const loc = (cte: Cte, cfr: string, kde: string, role: string, need: Kde['need'] = 'required'): Kde => ({
  cte,
  cfr,
  kde,
  role,
  columns: [`${role} ID` as FsmaColumn],
  need,
});
const col = (cte: Cte, cfr: string, kde: string, columns: readonly FsmaColumn[], need: Kde['need'] = 'required', match?: 'all'): Kde => ({
  cte,
  cfr,
  kde,
  columns,
  need,
  ...(match ? { match } : {}),
});
const REF: readonly FsmaColumn[] = ['Reference Document Type', 'Reference Document Number'];
const TLC_SOURCE = (role: string): readonly FsmaColumn[] => [`${role} ID` as FsmaColumn, 'TLC Source Reference'];

/** Every KDE of §1.1325-§1.1350 the spreadsheet carries. */
export const KDES: readonly Kde[] = [
  // §1.1325(a)(1): harvesting
  loc('Harvesting', '§1.1325(a)(1)(i)', 'Location description of the immediate subsequent recipient', 'Immediate Subsequent Recipient'),
  col('Harvesting', '§1.1325(a)(1)(ii)', 'Commodity', ['Commodity']),
  col('Harvesting', '§1.1325(a)(1)(ii)', 'Variety, if applicable', ['Variety'], 'if-applicable'),
  col('Harvesting', '§1.1325(a)(1)(iii)', 'Quantity and unit of measure', ['Quantity', 'Unit of Measure'], 'required', 'all'),
  loc('Harvesting', '§1.1325(a)(1)(iv)', 'Location description of the farm where harvested', 'Harvest Farm'),
  col('Harvesting', '§1.1325(a)(1)(v)', 'Field or other growing area name (produce)', ['Field or Growing Area Name']),
  col('Harvesting', '§1.1325(a)(1)(v)', 'Container name (aquacultured food)', ['Container Name'], 'if-applicable'),
  col('Harvesting', '§1.1325(a)(1)(vi)', 'Date of harvesting', ['Harvest Date']),
  col('Harvesting', '§1.1325(a)(1)(vii)', 'Reference document type and number', REF, 'required', 'all'),
  // §1.1325(b)(1): cooling before initial packing
  col('Cooling', '§1.1325(b)(1)(i)', 'Commodity', ['Commodity']),
  col('Cooling', '§1.1325(b)(1)(i)', 'Variety, if applicable', ['Variety'], 'if-applicable'),
  col('Cooling', '§1.1325(b)(1)(ii)', 'Quantity and unit of measure', ['Quantity', 'Unit of Measure'], 'required', 'all'),
  loc('Cooling', '§1.1325(b)(1)(iii)', 'Location description where cooled', 'Cooling Location'),
  col('Cooling', '§1.1325(b)(1)(iv)', 'Date of cooling', ['Cooling Date']),
  loc('Cooling', '§1.1325(b)(1)(v)', 'Location description of the farm where harvested', 'Harvest Farm'),
  loc('Cooling', '§1.1325(b)(1)(vi)', 'Location description of the immediate subsequent recipient', 'Immediate Subsequent Recipient'),
  col('Cooling', '§1.1325(b)(1)(vii)', 'Reference document type and number', REF, 'required', 'all'),
  // §1.1330(a): initial packing
  col('Initial Packing', '§1.1330(a)(1)', 'Commodity received', ['Commodity Received']),
  col('Initial Packing', '§1.1330(a)(1)', 'Variety received, if applicable', ['Variety Received'], 'if-applicable'),
  col('Initial Packing', '§1.1330(a)(2)', 'Date received', ['Date Received']),
  col(
    'Initial Packing',
    '§1.1330(a)(3)',
    'Quantity and unit of measure received',
    ['Quantity Received', 'Unit of Measure Received'],
    'required',
    'all',
  ),
  loc('Initial Packing', '§1.1330(a)(4)', 'Location description of the farm where harvested', 'Harvest Farm'),
  col('Initial Packing', '§1.1330(a)(5)', 'Field or other growing area name (produce)', ['Field or Growing Area Name']),
  col('Initial Packing', '§1.1330(a)(6)', 'Container name (aquacultured food)', ['Container Name'], 'if-applicable'),
  col(
    'Initial Packing',
    '§1.1330(a)(7)',
    'Business name and phone of the harvester',
    ['Harvester Business Name', 'Harvester Phone'],
    'required',
    'all',
  ),
  col('Initial Packing', '§1.1330(a)(8)', 'Date of harvesting', ['Harvest Date']),
  loc('Initial Packing', '§1.1330(a)(9)', 'Location description where cooled, if applicable', 'Cooling Location', 'if-applicable'),
  col('Initial Packing', '§1.1330(a)(10)', 'Date of cooling, if applicable', ['Cooling Date'], 'if-applicable'),
  col('Initial Packing', '§1.1330(a)(11)', 'Traceability lot code assigned', ['Traceability Lot Code']),
  col('Initial Packing', '§1.1330(a)(12)', 'Product description of the packed food', ['Product Description']),
  col('Initial Packing', '§1.1330(a)(13)', 'Quantity and unit of measure of the packed food', ['Quantity', 'Unit of Measure'], 'required', 'all'),
  loc('Initial Packing', '§1.1330(a)(14)', 'Location description where packed (TLC source)', 'Packing Location (TLC Source)'),
  col(
    'Initial Packing',
    '§1.1330(a)(14)',
    'TLC source reference, if applicable',
    ['TLC Source Reference Type', 'TLC Source Reference'],
    'if-applicable',
  ),
  col('Initial Packing', '§1.1330(a)(15)', 'Date of initial packing', ['Packing Date']),
  col('Initial Packing', '§1.1330(a)(16)', 'Reference document type and number', REF, 'required', 'all'),
  loc(
    'Initial Packing',
    '§1.1330(c)',
    'Location description of the person the RAC was received from (not covered by the rule)',
    'Received From',
    'if-applicable',
  ),
  // §1.1335: first land-based receiving
  col('First Land-Based Receiving', '§1.1335(a)', 'Traceability lot code assigned', ['Traceability Lot Code']),
  col('First Land-Based Receiving', '§1.1335(b)', 'Species and/or acceptable market name', ['Product Description']),
  col('First Land-Based Receiving', '§1.1335(c)', 'Quantity and unit of measure', ['Quantity', 'Unit of Measure'], 'required', 'all'),
  col('First Land-Based Receiving', '§1.1335(d)', 'Harvest date range', ['Harvest Date Begin', 'Harvest Date End'], 'required', 'all'),
  col('First Land-Based Receiving', '§1.1335(e)', 'Location of the harvest area', ['Harvest Area']),
  loc('First Land-Based Receiving', '§1.1335(f)', 'Location description where received (TLC source)', 'Receiving Location (TLC Source)'),
  col(
    'First Land-Based Receiving',
    '§1.1335(f)',
    'TLC source reference, if applicable',
    ['TLC Source Reference Type', 'TLC Source Reference'],
    'if-applicable',
  ),
  col('First Land-Based Receiving', '§1.1335(g)', 'Date the food was landed', ['Date Landed']),
  col('First Land-Based Receiving', '§1.1335(h)', 'Reference document type and number', REF, 'required', 'all'),
  // §1.1340(a): shipping
  col('Shipping', '§1.1340(a)(1)', 'Traceability lot code', ['Traceability Lot Code']),
  col('Shipping', '§1.1340(a)(2)', 'Quantity and unit of measure', ['Quantity', 'Unit of Measure'], 'required', 'all'),
  col('Shipping', '§1.1340(a)(3)', 'Product description', ['Product Description']),
  loc('Shipping', '§1.1340(a)(4)', 'Location description of the immediate subsequent recipient', 'Immediate Subsequent Recipient (Ship-To)'),
  loc('Shipping', '§1.1340(a)(5)', 'Location description of where shipped from', 'Ship-From Location'),
  col('Shipping', '§1.1340(a)(6)', 'Date shipped', ['Ship Date']),
  col('Shipping', '§1.1340(a)(7)', 'TLC source location description or TLC source reference', TLC_SOURCE('TLC Source')),
  col('Shipping', '§1.1340(a)(8)', 'Reference document type and number', REF, 'required', 'all'),
  // §1.1345(a): receiving
  col('Receiving', '§1.1345(a)(1)', 'Traceability lot code', ['Traceability Lot Code']),
  col('Receiving', '§1.1345(a)(2)', 'Quantity and unit of measure', ['Quantity', 'Unit of Measure'], 'required', 'all'),
  col('Receiving', '§1.1345(a)(3)', 'Product description', ['Product Description']),
  loc('Receiving', '§1.1345(a)(4)', 'Location description of the immediate previous source', 'Immediate Previous Source (Ship-From)'),
  loc('Receiving', '§1.1345(a)(5)', 'Location description of where received', 'Receiving Location'),
  col('Receiving', '§1.1345(a)(6)', 'Date received', ['Receive Date']),
  col('Receiving', '§1.1345(a)(7)', 'TLC source location description or TLC source reference', TLC_SOURCE('TLC Source')),
  col('Receiving', '§1.1345(a)(8)', 'Reference document type and number', REF, 'required', 'all'),
  // §1.1350(a): transformation
  col('Transformation', '§1.1350(a)(1)(i)', 'Input traceability lot code', ['Input Traceability Lot Code']),
  col('Transformation', '§1.1350(a)(1)(ii)', 'Input product description', ['Input Product Description']),
  col(
    'Transformation',
    '§1.1350(a)(1)(iii)',
    'Input quantity and unit of measure used',
    ['Input Quantity Used', 'Input Unit of Measure'],
    'required',
    'all',
  ),
  col('Transformation', '§1.1350(a)(2)(i)', 'New traceability lot code', ['New Traceability Lot Code']),
  loc('Transformation', '§1.1350(a)(2)(ii)', 'Location description where transformed (TLC source)', 'Transformation Location (TLC Source)'),
  col(
    'Transformation',
    '§1.1350(a)(2)(ii)',
    'TLC source reference, if applicable',
    ['TLC Source Reference Type', 'TLC Source Reference'],
    'if-applicable',
  ),
  col('Transformation', '§1.1350(a)(2)(iii)', 'Date transformation completed', ['Date Transformation Completed']),
  col('Transformation', '§1.1350(a)(2)(iv)', 'New product description', ['New Product Description']),
  col('Transformation', '§1.1350(a)(2)(v)', 'New quantity and unit of measure', ['New Quantity', 'New Unit of Measure'], 'required', 'all'),
  col('Transformation', '§1.1350(a)(2)(vi)', 'Reference document type and number', REF, 'required', 'all'),
];

/** One missing KDE of a row: the column (or location part) that is empty, and why the rule wants it. */
export type KdeGap = { readonly missing: string; readonly why: string };

const gap = (missing: string, why: string): KdeGap => Object.freeze({ missing, why });

/** A required KDE as a row is checked for it: column positions, and the gaps it can give (made once, shared by every row). */
type Check =
  | {
      kind: 'location';
      id: number;
      name: number;
      phone: number;
      street: number;
      coordinates: number;
      gaps: readonly [KdeGap, KdeGap, KdeGap, KdeGap];
    }
  | { kind: 'all'; columns: readonly { at: number; gap: KdeGap }[] }
  | { kind: 'any'; columns: readonly number[]; gap: KdeGap };

function checkOf(k: Kde): Check {
  const why = `${k.cfr}: ${k.kde}`;
  if (k.role) {
    const r = k.role;
    return {
      kind: 'location',
      id: columnAt(`${r} ID`),
      name: columnAt(`${r} Business Name`),
      phone: columnAt(`${r} Phone`),
      street: columnAt(`${r} Street`),
      coordinates: columnAt(`${r} Coordinates`),
      gaps: [gap(r, why), gap(`${r} Business Name`, why), gap(`${r} Phone`, why), gap(`${r} Street or Coordinates`, why)],
    };
  }
  if (k.match === 'all') return { kind: 'all', columns: k.columns.map((c) => ({ at: columnAt(c), gap: gap(c, why) })) };
  return { kind: 'any', columns: k.columns.map(columnAt), gap: gap(k.columns.join(' or '), why) };
}

/** Each CTE's required KDEs, in KDES order, as checks. */
const CHECKS_OF: ReadonlyMap<Cte, readonly Check[]> = new Map(
  CTES.map((c) => [c, KDES.filter((k) => k.cte === c && k.need === 'required').map(checkOf)]),
);
const NO_GAPS: readonly KdeGap[] = Object.freeze([]);

/**
 * The required KDEs a row lacks (shared/FSMA204.md, "Required KDEs and gaps"). A location is missing as a whole when it
 * has no ID; a known location lacks its business name, its phone, or both its street and its coordinates. The gaps are
 * shared, frozen objects: a million rows make no new ones.
 * @example kdeGaps(shippingRowWithoutReference) // [{ missing: 'Reference Document Type', why: '§1.1340(a)(8): reference document type and number' }, ...]
 */
export function kdeGaps(row: Pick<FsmaRow, 'cte' | 'values'>): readonly KdeGap[] {
  let out: KdeGap[] | undefined;
  const v = row.values;
  const add = (g: KdeGap) => {
    out ??= [];
    out.push(g);
  };
  for (const k of CHECKS_OF.get(row.cte) ?? []) {
    if (k.kind === 'location') {
      if (v[k.id] === undefined) {
        add(k.gaps[0]);
        continue;
      }
      if (v[k.name] === undefined) add(k.gaps[1]);
      if (v[k.phone] === undefined) add(k.gaps[2]);
      if (v[k.street] === undefined && v[k.coordinates] === undefined) add(k.gaps[3]);
    } else if (k.kind === 'all') {
      for (const c of k.columns) if (v[c.at] === undefined) add(c.gap);
    } else if (!k.columns.some((c) => v[c] !== undefined)) add(k.gap);
  }
  return out ?? NO_GAPS;
}

/** The location parts, re-exported for the glossary. */
export const LOCATION_COLUMNS_NOTE = `A location description is split into ${LOCATION_PARTS.join(', ')} columns, each prefixed with its role.`;
