/**
 * The GS1 Application Identifiers that `gs1.ts` reads, as lotledger's own table.
 *
 * Written from the facts of the GS1 General Specifications: the AI definitions (format, character set, check digit,
 * date form), the AIs of pre-defined length that no FNC1 follows (Figure 7.8.5-2), the mandatory associations and
 * invalid pairs of AIs (section 4.14), and from GS1 Digital Link: which AIs are primary keys, their key qualifiers in
 * path order, and which AIs stay out of the query string. Titles follow the GS1 data titles.
 *
 * Coverage is what a logistics or trade-item label carries (identification, lots and dates, measures, amounts,
 * locations, parcel delivery, origin, fish and meat traceability, pharma national numbers, company-internal AIs).
 * AIs left out (patient data, refurbishment, UIC, sensors, coupons, digital signatures, mobile device ids) are
 * `unknown-ai` to the parser, so (7040) is not listed as a key qualifier either. Checks against external code lists
 * (company prefix, ISO 3166 / 4217, IBAN, alphanumeric check characters) are not made.
 */

/** GS1 character sets: N digits, X set 82, Y set 39, Z set 64 (base64url). */
export type CharSet = 'N' | 'X' | 'Y' | 'Z';

/** A check that `gs1.ts` runs on one component: `csum` GS1 check digit; dates `yymmdd`, `yymmd0` (day 00 allowed, month
 * only) and `yyyymmdd`; times `hhmi`, `hh`, `mi`, `ss`; and the content rules of single AIs. */
export type Linter =
  | 'csum'
  | 'yymmd0'
  | 'yymmdd'
  | 'yyyymmdd'
  | 'hhmi'
  | 'hh'
  | 'mi'
  | 'ss'
  | 'zero'
  | 'nonzero'
  | 'yesno'
  | 'hyphen'
  | 'winding'
  | 'iso5218'
  | 'pieceoftotal'
  | 'nozeroprefix'
  | 'hasnondigit'
  | 'pcenc';

/** One component of an AI's data field, e.g. the 13 digits with check digit that open (253). */
export type AiComponent = { cset: CharSet; min: number; max: number; optional: boolean; linters: readonly Linter[] };

/** What the table says about one AI. */
export type AiSpec = {
  ai: string;
  title: string;
  /** Pre-defined length: no FNC1 separator follows it in an element string. */
  predefinedLength: boolean;
  /** May be carried as a Digital Link query parameter. */
  dlAttribute: boolean;
  components: readonly AiComponent[];
  minLength: number;
  maxLength: number;
  /** Every clause must hold; a clause holds when all AIs (or patterns) of one of its alternatives are present. */
  requires: readonly (readonly (readonly string[])[])[];
  /** AIs or patterns (`310n`, `n` = any digit) that must not appear with this AI. */
  excludes: readonly string[];
  /** Set when the AI is a Digital Link primary key: its alternative ordered lists of key qualifiers. */
  dlQualifiers?: readonly (readonly string[])[];
};

// ---- Building blocks -------------------------------------------------------------------------------------------

const part = (cset: CharSet, min: number, max: number, linters: Linter[]): AiComponent => ({ cset, min, max, optional: false, linters });
/** Exactly `length` digits. */
const n = (length: number, ...checks: Linter[]) => part('N', length, length, checks);
/** 1 to `max` digits. */
const nUpTo = (max: number, ...checks: Linter[]) => part('N', 1, max, checks);
/** Exactly `length` characters of set 82. */
const x = (length: number, ...checks: Linter[]) => part('X', length, length, checks);
/** 1 to `max` characters of set 82. */
const xUpTo = (max: number, ...checks: Linter[]) => part('X', 1, max, checks);
/** A component that may be left out at the end of the value. */
const opt = (c: AiComponent): AiComponent => ({ ...c, optional: true });

/** A requirement met by any one of the alternatives; an alternative given as a list needs all of its AIs. */
const anyOf = (...alternatives: (string | string[])[]): string[][] => alternatives.map((a) => (typeof a === 'string' ? [a] : a));

type Rules = {
  /** Of pre-defined length (only AIs starting 00-03, 11-20, 31-36 and 41 are). */
  fixed?: true;
  /** Never a Digital Link query parameter: a key qualifier, or data that only makes sense next to its key. */
  pathOnly?: true;
  needs?: string[][][];
  not?: string[];
  /** Digital Link primary key, with its alternative qualifier paths (`[[]]`: a key without qualifiers). */
  key?: string[][];
};

function ai(code: string, title: string, components: AiComponent[], rules: Rules = {}): AiSpec {
  return {
    ai: code,
    title,
    predefinedLength: rules.fixed === true,
    dlAttribute: rules.pathOnly !== true,
    components,
    minLength: components.reduce((sum, c) => sum + (c.optional ? 0 : c.min), 0),
    maxLength: components.reduce((sum, c) => sum + c.max, 0),
    requires: rules.needs ?? [],
    excludes: rules.not ?? [],
    ...(rules.key && { dlQualifiers: rules.key }),
  };
}

/** One AI per last digit `from`..`to` of a family such as 310n, where the digit is the decimal point position or an index. */
const family = (prefix: string, from: number, to: number, make: (code: string, digit: number) => AiSpec): AiSpec[] =>
  Array.from({ length: to - from + 1 }, (_, k) => make(`${prefix}${from + k}`, from + k));

// ---- Requirements shared by many AIs ---------------------------------------------------------------------------

/** Data about a trade item: needs its GTIN (01), the content GTIN (02), a made-to-order GTIN (03) or an ITIP. */
const TRADE_ITEM = anyOf('01', '02', '03', '8006', '8026');
const GTIN_OR_CONTENT = anyOf('01', '02');
const GTIN_OR_MTO = anyOf('01', '02', '03');
const SSCC_OR_GTIN = anyOf('00', '01');
const SSCC = anyOf('00');
const ANY_MEASURE = anyOf('30', '31nn', '32nn', '35nn', '36nn');

const GLN = n(13, 'csum');
/** Six digits with two implied decimals, then an optional minus sign. */
const TEMPERATURE = [n(6), opt(x(1, 'hyphen'))];
const DATE = n(6, 'yymmd0');
const EXACT_DATE = n(6, 'yymmdd');

// ---- Measures: six digits, the last digit of the AI places the decimal point (3103: 3 decimals) ---------------
// Trade measures describe the trade item and need (01) or (02); logistic measures describe a logistic unit or the
// gross item and need (00) or (01). Two AIs of one family (3102 and 3103) must not appear together.

// biome-ignore format: a grid of prefix and title reads better than one entry per line
const TRADE_MEASURES: readonly [string, string][] = [
  ['310', 'NET WEIGHT (kg)'], ['311', 'LENGTH (m)'], ['312', 'WIDTH (m)'], ['313', 'HEIGHT (m)'], ['314', 'AREA (m²)'],
  ['315', 'NET VOLUME (l)'], ['316', 'NET VOLUME (m³)'], ['320', 'NET WEIGHT (lb)'], ['321', 'LENGTH (in)'], ['322', 'LENGTH (ft)'],
  ['323', 'LENGTH (yd)'], ['324', 'WIDTH (in)'], ['325', 'WIDTH (ft)'], ['326', 'WIDTH (yd)'], ['327', 'HEIGHT (in)'],
  ['328', 'HEIGHT (ft)'], ['329', 'HEIGHT (yd)'], ['350', 'AREA (in²)'], ['351', 'AREA (ft²)'], ['352', 'AREA (yd²)'],
  ['356', 'NET WEIGHT (troy oz)'], ['357', 'NET VOLUME (oz)'], ['360', 'NET VOLUME (qt)'], ['361', 'NET VOLUME (gal)'],
  ['364', 'NET VOLUME (in³)'], ['365', 'NET VOLUME (ft³)'], ['366', 'NET VOLUME (yd³)'],
];

// biome-ignore format: a grid of prefix and title reads better than one entry per line
const LOGISTIC_MEASURES: readonly [string, string][] = [
  ['330', 'GROSS WEIGHT (kg)'], ['331', 'LENGTH (m), log'], ['332', 'WIDTH (m), log'], ['333', 'HEIGHT (m), log'],
  ['334', 'AREA (m²), log'], ['335', 'VOLUME (l), log'], ['336', 'VOLUME (m³), log'], ['340', 'GROSS WEIGHT (lb)'],
  ['341', 'LENGTH (in), log'], ['342', 'LENGTH (ft), log'], ['343', 'LENGTH (yd), log'], ['344', 'WIDTH (in), log'],
  ['345', 'WIDTH (ft), log'], ['346', 'WIDTH (yd), log'], ['347', 'HEIGHT (in), log'], ['348', 'HEIGHT (ft), log'],
  ['349', 'HEIGHT (yd), log'], ['353', 'AREA (in²), log'], ['354', 'AREA (ft²), log'], ['355', 'AREA (yd²), log'],
  ['362', 'VOLUME (qt), log'], ['363', 'VOLUME (gal), log'], ['367', 'VOLUME (in³), log'], ['368', 'VOLUME (ft³), log'],
  ['369', 'VOLUME (yd³), log'],
];

const measure = (prefix: string, title: string, needs: string[][]) =>
  family(prefix, 0, 5, (code) => ai(code, title, [n(6)], { fixed: true, needs: [needs], not: [`${prefix}n`] }));

const NHRN = ['PZN', 'CIP', 'CN', 'DRN', 'AIM', 'NDC', 'AIC', 'SRN']; // national healthcare reimbursement numbers 710-717

/** Data for the delivery of a parcel: needs the parcel's SSCC unless `rules.needs` says otherwise. */
const parcel = (code: string, title: string, components: AiComponent[], rules: Rules = {}) =>
  ai(code, title, components, { needs: [SSCC], ...rules });

// ---- The table ------------------------------------------------------------------------------------------------

const AIS: AiSpec[] = [
  // Keys and their qualifiers
  ai('00', 'SSCC', [n(18, 'csum')], { fixed: true, key: [[]] }),
  ai('01', 'GTIN', [n(14, 'csum')], { fixed: true, not: ['255', '37'], key: [['22', '10', '21'], ['235']] }),
  ai('02', 'CONTENT', [n(14, 'csum')], { fixed: true, needs: [anyOf('37')], not: ['01', '03'] }),
  ai('03', 'MTO GTIN', [n(14, 'csum')], { fixed: true, pathOnly: true, not: ['01', '02', '37', '235'] }),
  ai('10', 'BATCH/LOT', [xUpTo(20)], { needs: [TRADE_ITEM] }),
  ai('21', 'SERIAL', [xUpTo(20)], { pathOnly: true, needs: [anyOf('01', '03', '8006')], not: ['235'] }),
  ai('22', 'CPV', [xUpTo(20)], { pathOnly: true, needs: [anyOf('01')] }),
  ai('235', 'TPX', [xUpTo(28)], { pathOnly: true, needs: [anyOf('01')] }),
  ai('253', 'GDTI', [n(13, 'csum'), opt(xUpTo(17))], { key: [[]] }),
  ai('254', 'GLN EXTENSION COMPONENT', [xUpTo(20)], { pathOnly: true, needs: [anyOf('414')] }),
  ai('255', 'GCN', [n(13, 'csum'), opt(nUpTo(12))], { key: [[]], not: ['01', '02', '415', '8006', '8020', '8026'] }),
  ai('401', 'GINC', [xUpTo(30)], { key: [[]] }),
  ai('402', 'GSIN', [n(17, 'csum')], { key: [[]] }),

  // Dates (YYMMDD; day 00 means the whole month where the AI allows it)
  ai('11', 'PROD DATE', [DATE], { fixed: true, needs: [TRADE_ITEM] }),
  ai('12', 'DUE DATE', [DATE], { fixed: true, needs: [anyOf('8020')] }),
  ai('13', 'PACK DATE', [DATE], { fixed: true, needs: [TRADE_ITEM] }),
  ai('15', 'BEST BEFORE or BEST BY', [DATE], { fixed: true, needs: [TRADE_ITEM] }),
  ai('16', 'SELL BY', [DATE], { fixed: true, needs: [TRADE_ITEM] }),
  ai('17', 'USE BY or EXPIRY', [DATE], { fixed: true, needs: [anyOf('01', '02', '03', '255', '8006', '8026')] }),
  ai('7003', 'EXPIRY TIME', [EXACT_DATE, n(4, 'hhmi')], { needs: [GTIN_OR_MTO] }),
  ai('7006', 'FIRST FREEZE DATE', [EXACT_DATE], { needs: [GTIN_OR_CONTENT] }),
  ai('7007', 'HARVEST DATE', [EXACT_DATE, opt(EXACT_DATE)], { needs: [GTIN_OR_CONTENT] }),
  ai('7011', 'TEST BY DATE', [EXACT_DATE, opt(n(4, 'hhmi'))], { needs: [GTIN_OR_MTO] }),
  ai('8008', 'PROD TIME', [EXACT_DATE, n(2, 'hh'), opt(n(2, 'mi')), opt(n(2, 'ss'))], { needs: [GTIN_OR_MTO] }),

  // More about a trade item
  ai('20', 'VARIANT', [n(2)], { fixed: true, needs: [TRADE_ITEM] }),
  ai('240', 'ADDITIONAL ID', [xUpTo(30)], { needs: [TRADE_ITEM] }),
  ai('241', 'CUST. PART No.', [xUpTo(30)], { needs: [TRADE_ITEM] }),
  ai('242', 'MTO VARIANT', [nUpTo(6)], { needs: [anyOf('01', '02', '8006', '8026')] }),
  ai('243', 'PCN', [xUpTo(20)], { needs: [anyOf('01', '03')] }),
  ai('250', 'SECONDARY SERIAL', [xUpTo(30)], { needs: [anyOf(['01', '21'], ['03', '21'], ['8006', '21'])] }),
  ai('251', 'REF. TO SOURCE', [xUpTo(30)], { needs: [anyOf('01', '03', '8006')] }),
  ai('30', 'VAR. COUNT', [nUpTo(8)], { needs: [GTIN_OR_CONTENT] }),
  ai('37', 'COUNT', [nUpTo(8)], { needs: [anyOf(['00', '02'], ['00', '8026'])] }),
  ai('8001', 'DIMENSIONS', [n(4, 'nonzero'), n(5, 'nonzero'), n(3, 'nonzero'), n(1, 'winding'), n(1)], { needs: [anyOf('01')] }),
  ai('8005', 'PRICE PER UNIT', [n(6)], { needs: [GTIN_OR_CONTENT] }),
  ai('8006', 'ITIP', [n(14, 'csum'), n(4, 'pieceoftotal')], { not: ['01', '03', '37'], key: [['22', '10', '21']] }),
  ai('8012', 'VERSION', [xUpTo(20)], { needs: [anyOf('01', '03', '8006')] }),
  ai('8026', 'ITIP CONTENT', [n(14, 'csum'), n(4, 'pieceoftotal')], { needs: [anyOf('37')], not: ['02', '03', '8006'] }),
  ai('8200', 'PRODUCT URL', [xUpTo(70)], { pathOnly: true, needs: [anyOf('01')] }),
  ...family('71', 0, 7, (code, k) => ai(code, `NHRN ${NHRN[k]}`, [xUpTo(20)], { needs: [anyOf('01')] })),

  // Measures
  ...TRADE_MEASURES.flatMap(([prefix, title]) => measure(prefix, title, GTIN_OR_CONTENT)),
  ...LOGISTIC_MEASURES.flatMap(([prefix, title]) => measure(prefix, title, SSCC_OR_GTIN)),
  ...measure('337', 'KG PER m²', anyOf('01')),

  // Amounts and prices: the last digit places the decimal point; 391n and 393n start with an ISO 4217 currency code
  ...family('390', 0, 9, (code) => ai(code, 'AMOUNT', [nUpTo(15)], { needs: [anyOf('255', '8020')], not: ['390n', '391n', '394n', '8111'] })),
  ...family('391', 0, 9, (code) => ai(code, 'AMOUNT', [n(3), nUpTo(15)], { needs: [anyOf('8020')], not: ['391n'] })),
  ...family('392', 0, 9, (code) =>
    ai(code, 'PRICE', [nUpTo(15)], {
      needs: [anyOf(['01', '30'], ['01', '31nn'], ['01', '32nn'], ['01', '35nn'], ['01', '36nn'])],
      not: ['392n', '393n'],
    }),
  ),
  ...family('393', 0, 9, (code) => ai(code, 'PRICE', [n(3), nUpTo(15)], { needs: [ANY_MEASURE], not: ['393n'] })),
  ...family('394', 0, 3, (code) => ai(code, 'PRCNT OFF', [n(4)], { needs: [anyOf('255')], not: ['394n', '8111'] })),
  ...family('395', 0, 5, (code) => ai(code, 'PRICE/UoM', [n(6)], { needs: [ANY_MEASURE], not: ['392n', '393n', '395n', '8005'] })),
  ai('8111', 'POINTS', [n(4)], { needs: [anyOf('255')] }),

  // Orders, references and locations (GLNs)
  ai('400', 'ORDER NUMBER', [xUpTo(30)]),
  ai('403', 'ROUTE', [xUpTo(30)], { needs: [SSCC] }),
  ai('410', 'SHIP TO LOC', [GLN], { fixed: true }),
  ai('411', 'BILL TO', [GLN], { fixed: true }),
  ai('412', 'PURCHASE FROM', [GLN], { fixed: true }),
  ai('413', 'SHIP FOR LOC', [GLN], { fixed: true }),
  ai('414', 'LOC No.', [GLN], { fixed: true, key: [['254']] }),
  ai('415', 'PAY TO', [GLN], { fixed: true, needs: [anyOf('8020')], key: [['8020']] }),
  ai('416', 'PROD/SERV LOC', [GLN], { fixed: true }),
  ai('417', 'PARTY', [GLN], { fixed: true, key: [[]] }),
  ai('8002', 'CMT No.', [xUpTo(20)]),
  ai('8003', 'GRAI', [n(1, 'zero'), n(13, 'csum'), opt(xUpTo(16))], { key: [[]] }),
  ai('8004', 'GIAI', [xUpTo(30)], { key: [[]] }),
  ai('8007', 'IBAN', [xUpTo(34)], { needs: [anyOf('415')] }),
  ai('8010', 'CPID', [part('Y', 1, 30, [])], { key: [['8011']] }),
  ai('8011', 'CPID SERIAL', [nUpTo(12, 'nozeroprefix')], { pathOnly: true, needs: [anyOf('8010')] }),
  ai('8013', 'GMN', [xUpTo(25)], { key: [[]] }),
  ai('8017', 'GSRN - PROVIDER', [n(18, 'csum')], { not: ['8018'], key: [['8019']] }),
  ai('8018', 'GSRN - RECIPIENT', [n(18, 'csum')], { not: ['8017'], key: [['8019']] }),
  ai('8019', 'SRIN', [nUpTo(10)], { pathOnly: true, needs: [anyOf('8017', '8018')] }),
  ai('8020', 'REF No.', [xUpTo(25)], { pathOnly: true, needs: [anyOf('415')] }),

  // Shipping and delivery of a parcel (each 43nn needs the parcel's SSCC, or the AI named)
  ai('420', 'SHIP TO POST', [xUpTo(20)], { not: ['421'] }),
  ai('421', 'SHIP TO POST', [n(3), xUpTo(9)], { not: ['4307'] }),
  parcel('4300', 'SHIP TO COMP', [xUpTo(35, 'pcenc')]),
  parcel('4301', 'SHIP TO NAME', [xUpTo(35, 'pcenc')]),
  parcel('4302', 'SHIP TO ADD1', [xUpTo(70, 'pcenc')]),
  parcel('4303', 'SHIP TO ADD2', [xUpTo(70, 'pcenc')], { needs: [anyOf('4302')] }),
  parcel('4304', 'SHIP TO SUB', [xUpTo(70, 'pcenc')]),
  parcel('4305', 'SHIP TO LOC', [xUpTo(70, 'pcenc')]),
  parcel('4306', 'SHIP TO REG', [xUpTo(70, 'pcenc')]),
  parcel('4307', 'SHIP TO COUNTRY', [x(2)]),
  parcel('4308', 'SHIP TO PHONE', [xUpTo(30)]),
  parcel('4309', 'SHIP TO GEO', [n(10), n(10)]),
  parcel('4310', 'RTN TO COMP', [xUpTo(35, 'pcenc')]),
  parcel('4311', 'RTN TO NAME', [xUpTo(35, 'pcenc')]),
  parcel('4312', 'RTN TO ADD1', [xUpTo(70, 'pcenc')]),
  parcel('4313', 'RTN TO ADD2', [xUpTo(70, 'pcenc')], { needs: [anyOf('4312')] }),
  parcel('4314', 'RTN TO SUB', [xUpTo(70, 'pcenc')]),
  parcel('4315', 'RTN TO LOC', [xUpTo(70, 'pcenc')]),
  parcel('4316', 'RTN TO REG', [xUpTo(70, 'pcenc')]),
  parcel('4317', 'RTN TO COUNTRY', [x(2)]),
  parcel('4318', 'RTN TO POST', [xUpTo(20)]),
  parcel('4319', 'RTN TO PHONE', [xUpTo(30)]),
  parcel('4320', 'SRV DESCRIPTION', [xUpTo(35, 'pcenc')]),
  parcel('4321', 'DANGEROUS GOODS', [n(1, 'yesno')]),
  parcel('4322', 'AUTH TO LEAVE', [n(1, 'yesno')]),
  parcel('4323', 'SIG REQUIRED', [n(1, 'yesno')]),
  parcel('4324', 'NOT BEF DEL DT', [DATE, n(4, 'hhmi')]),
  parcel('4325', 'NOT AFT DEL DT', [DATE, n(4, 'hhmi')]),
  parcel('4326', 'REL DATE', [EXACT_DATE]),
  // Temperatures: six digits with two implied decimals and an optional trailing minus sign; F and C exclude each other
  parcel('4330', 'MAX TEMP F.', TEMPERATURE, { not: ['4331'] }),
  parcel('4331', 'MAX TEMP C.', TEMPERATURE, { not: ['4330'] }),
  parcel('4332', 'MIN TEMP F.', TEMPERATURE, { not: ['4333'] }),
  parcel('4333', 'MIN TEMP C.', TEMPERATURE, { not: ['4332'] }),

  // Origin and processing (ISO 3166 numeric country codes; 999 in 703n means "not known")
  ai('422', 'ORIGIN', [n(3)], { needs: [TRADE_ITEM], not: ['426'] }),
  ai('423', 'COUNTRY - INITIAL PROCESS', [n(3), opt(n(3)), opt(n(3)), opt(n(3)), opt(n(3))], { needs: [GTIN_OR_MTO], not: ['426'] }),
  ai('424', 'COUNTRY - PROCESS', [n(3)], { needs: [GTIN_OR_MTO], not: ['426'] }),
  ai('425', 'COUNTRY - DISASSEMBLY', [n(3), opt(n(3)), opt(n(3)), opt(n(3)), opt(n(3))], { needs: [GTIN_OR_MTO], not: ['426'] }),
  ai('426', 'COUNTRY - FULL PROCESS', [n(3)], { needs: [GTIN_OR_MTO] }),
  ai('427', 'ORIGIN SUBDIVISION', [xUpTo(3)], { needs: [anyOf(['01', '422'], ['02', '422'], ['03', '422'])] }),
  ai('7001', 'NSN', [n(13)], { needs: [anyOf('01', '02', '8006', '8026')] }),
  ai('7002', 'MEAT CUT', [xUpTo(30)], { needs: [GTIN_OR_CONTENT] }),
  ai('7004', 'ACTIVE POTENCY', [nUpTo(4)], { needs: [anyOf(['01', '10'], ['03', '10'])] }),
  ai('7005', 'CATCH AREA', [xUpTo(12)], { needs: [GTIN_OR_CONTENT] }),
  ai('7008', 'AQUATIC SPECIES', [xUpTo(3)], { needs: [GTIN_OR_CONTENT] }),
  ai('7009', 'FISHING GEAR TYPE', [xUpTo(10)], { needs: [GTIN_OR_CONTENT] }),
  ai('7010', 'PROD METHOD', [xUpTo(2)], { needs: [GTIN_OR_MTO] }),
  ...family('703', 0, 9, (code, k) => ai(code, `PROCESSOR # ${k}`, [n(3), xUpTo(27)], { needs: [GTIN_OR_CONTENT] })),
  ...family('723', 0, 9, (code, k) => ai(code, `CERT # ${k + 1}`, [x(2), xUpTo(28)], { needs: [anyOf('01', '8004')] })),

  // Company internal information
  ai('90', 'INTERNAL', [xUpTo(30)]),
  ...family('9', 1, 9, (code) => ai(code, 'INTERNAL', [xUpTo(90)])),
];

/** Every AI lotledger reads, by AI. */
export const AI_TABLE: ReadonlyMap<string, AiSpec> = new Map(AIS.map((spec) => [spec.ai, spec]));
if (AI_TABLE.size !== AIS.length) throw new Error('GS1 AI table: an AI is defined twice');

/** The table entry of an AI, or undefined when the AI is not assigned (or not one lotledger reads).
 * @example lookupAi('17')?.title // 'USE BY or EXPIRY'
 */
export function lookupAi(ai: string): AiSpec | undefined {
  return AI_TABLE.get(ai);
}

/** True when an AI matches a `requires`/`excludes` pattern, where `n` stands for any digit.
 * @example aiMatchesPattern('310n', '3103') // true
 */
export function aiMatchesPattern(pattern: string, ai: string): boolean {
  if (pattern.length !== ai.length) return false;
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i] !== 'n' && pattern[i] !== ai[i]) return false;
  }
  return true;
}

/** Digital Link "convenience" short names for path keys (GS1 Digital Link 1.1), e.g. `/gtin/...` for `/01/...`. */
export const DL_SHORT_NAMES: Readonly<Record<string, string>> = {
  sscc: '00',
  gtin: '01',
  cpv: '22',
  lot: '10',
  ser: '21',
  gdti: '253',
  glnx: '254',
  gcn: '255',
  ginc: '401',
  gsin: '402',
  gln: '414',
  party: '417',
  grai: '8003',
  giai: '8004',
  itip: '8006',
  cpid: '8010',
  cpsn: '8011',
  gmn: '8013',
  gsrnp: '8017',
  gsrn: '8018',
  srin: '8019',
  refno: '8020',
};
