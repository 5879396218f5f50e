import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Gs1Error, Gs1ParseOptions, Gs1ParseResult } from '../../lib/domain/gs1.js';
import { gs1Year, parseBracketed, parseDigitalLink, parseElementString, parseGs1, parseGtin, validateAssociations } from '../../lib/domain/gs1.js';
import { AI_TABLE, lookupAi } from '../../lib/domain/gs1-ai-table.js';
import { gs1CheckDigit } from '../../lib/domain/ids.js';

type Vector = {
  id: string;
  input: string;
  inputKind: 'hri' | 'element-string' | 'scan-data' | 'digital-link' | 'gtin';
  expect: {
    valid: boolean;
    errorKind?: string;
    expectedCheckDigit?: number;
    elements?: { ai: string; value: string }[];
    symbology?: string;
    dates?: Record<string, string>;
    raw?: string;
    netWeightKg?: string;
  };
  derived?: { hri: string; elementString: string; associationErrors: string[]; dates?: Record<string, string>; dayZero?: string[] };
};

// Kept relative: in CI the repository is cloned elsewhere with shared/ beside it.
const file = JSON.parse(readFileSync(new URL('../../../shared/gs1/vectors.json', import.meta.url), 'utf8')) as {
  conventions: { dateReferenceYear: number };
  vectors: Vector[];
};
const REF: Gs1ParseOptions = { referenceDate: `${file.conventions.dateReferenceYear}-06-15` };
const LENIENT: Gs1ParseOptions = { ...REF, enforceAssociations: false };
const GS = '\u001d';

const PARSER_FOR = {
  hri: parseBracketed,
  'element-string': parseElementString,
  'scan-data': parseElementString,
  'digital-link': parseDigitalLink,
} as const;

const errorsOf = (r: Gs1ParseResult): Gs1Error[] => (r.ok ? [] : r.errors);
const labels = (errors: readonly Gs1Error[]) => errors.map((e) => `${e.kind}:${e.ai}`);

/** GTIN-14 with a correct check digit from 13 digits. */
const gtinOf = (body: string) => `${body}${gs1CheckDigit(body)}`;

describe('GS1 vectors (shared/gs1/vectors.json)', () => {
  it('holds the 42 transcribed vectors', () => {
    expect(file.vectors).toHaveLength(42);
  });

  for (const v of file.vectors) {
    it(`${v.id}: ${JSON.stringify(v.input)} is ${v.expect.valid ? 'valid' : `rejected (${v.expect.errorKind})`}`, () => {
      const { errorKind, expectedCheckDigit } = v.expect;
      const wanted = { ...(errorKind !== undefined && { kind: errorKind }), ...(expectedCheckDigit !== undefined && { expectedCheckDigit }) };

      if (v.inputKind === 'gtin') {
        const r = parseGtin(v.input);
        expect(r.ok).toBe(v.expect.valid);
        if (!r.ok) expect(r.errors).toContainEqual(expect.objectContaining(wanted));
        else expect(r.gtin).toBe(v.input.padStart(14, '0'));
        return;
      }

      // Act: auto-detection, the parser for the vector's form, and a parse that leaves out the pairing rules
      const strict = parseGs1(v.input, REF);
      const lenient = parseGs1(v.input, LENIENT);
      expect(PARSER_FOR[v.inputKind](v.input, REF)).toEqual(strict);

      // Per the file's conventions, `valid` covers syntax, length, check digit and dates; pairing (req/ex) rules are
      // in derived.associationErrors, except for the vectors whose errorKind is requisite or mutex.
      const pairingVector = errorKind === 'requisite' || errorKind === 'mutex';
      if (!v.expect.valid && !pairingVector) {
        expect(strict.ok).toBe(false);
        expect(errorsOf(lenient)).toContainEqual(expect.objectContaining(wanted));
        return;
      }
      expect(errorsOf(lenient)).toEqual([]);
      if (!lenient.ok) return;
      if (v.expect.elements) expect(lenient.elements.map(({ ai, value }) => ({ ai, value }))).toEqual(v.expect.elements);
      if (v.expect.symbology) expect(lenient.symbology).toBe(v.expect.symbology);
      for (const [ai, iso] of Object.entries({ ...v.expect.dates, ...v.derived?.dates })) {
        expect(lenient.elements.find((e) => e.ai === ai)?.date).toBe(iso);
      }
      if (v.derived?.dayZero) expect(lenient.elements.filter((e) => e.dayZero).map((e) => e.ai)).toEqual(v.derived.dayZero);
      if (v.expect.netWeightKg) expect(lenient.netWeightKg).toBe(v.expect.netWeightKg);
      if (v.expect.raw) expect(lenient.elementString).toBe(v.expect.raw);
      if (v.derived) {
        expect(lenient.hri).toBe(v.derived.hri);
        expect(lenient.elementString).toBe(v.derived.elementString);
      }

      if (pairingVector) {
        expect(strict.ok).toBe(false);
        expect(errorsOf(strict)).toContainEqual(expect.objectContaining(wanted));
        return;
      }
      const pairing = v.derived?.associationErrors ?? [];
      expect(labels(validateAssociations(lenient.elements))).toEqual(pairing);
      expect(labels(errorsOf(strict))).toEqual(pairing);
    });
  }
});

describe('transmitted element strings', () => {
  const gtin = '09506000134352';

  it('reads a variable-length lot up to the GS and the next AI after it', () => {
    // Act
    const r = parseGs1(`01${gtin}10ABC123${GS}17261231`, REF);
    // Assess
    expect(r).toMatchObject({ ok: true, gtin, lot: 'ABC123', expiry: '2026-12-31' });
  });

  it('lets a lot without a following GS swallow the next AI, as the standard says it must', () => {
    const r = parseGs1(`01${gtin}10ABC12317261231`, REF);
    expect(r).toMatchObject({ ok: true, lot: 'ABC12317261231' });
    expect(r).not.toHaveProperty('expiry');
  });

  it('tolerates a leading FNC1, a redundant GS after a fixed-length AI and a trailing GS', () => {
    const r = parseGs1(`${GS}01${gtin}${GS}17261231${GS}10ABC${GS}`, REF);
    expect(r).toMatchObject({ ok: true, gtin, expiry: '2026-12-31', lot: 'ABC', elementString: `01${gtin}1726123110ABC` });
  });

  it('rejects a pre-defined-length value cut short by a GS', () => {
    const r = parseGs1(`0109506000134${GS}10ABC`, REF);
    expect(errorsOf(r)).toEqual([expect.objectContaining({ kind: 'length', ai: '01', message: 'AI (01): value must be 14 digits long, got 11' })]);
  });

  it('ends a fixed-length AI that is not of pre-defined length at its length when the encoder left out the FNC1', () => {
    // (8005) is N6 but outside the pre-defined-length list, so an encoder should have put a GS after it
    const r = parseGs1(`01${gtin}800512345610ABC`, REF);
    expect(r).toMatchObject({ ok: true, lot: 'ABC', elementString: `01${gtin}8005123456${GS}10ABC` });
  });

  it.each([
    [']C1', 'GS1-128'],
    [']d2', 'GS1 DataMatrix'],
    [']Q3', 'GS1 QR Code'],
    [']e0', 'GS1 DataBar'],
    [']J1', 'GS1 DotCode'],
  ])('reads data behind the %s symbology identifier (%s)', (symbology) => {
    const r = parseGs1(`${symbology}01${gtin}10ABC${GS}21S1`, REF);
    expect(r).toMatchObject({ ok: true, symbology, gtin, lot: 'ABC', serial: 'S1', hri: `(01)${gtin}(10)ABC(21)S1` });
  });

  it('rejects a symbology identifier that does not carry GS1 data', () => {
    const r = parseGs1(`]E0${gtin.slice(1)}`, REF);
    expect(errorsOf(r)).toMatchObject([{ kind: 'syntax', message: expect.stringContaining(']E0') }]);
  });

  it('puts a GS only after elements that are not of pre-defined length, and none after the last', () => {
    const r = parseBracketed(`(01)${gtin}(10)A(3103)000500(21)S(8005)000100(17)261231(400)PO-1`, REF);
    expect(r.ok && r.elementString).toBe(`01${gtin}10A${GS}310300050021S${GS}8005000100${GS}17261231400PO-1`);
  });

  it('names an unknown AI in a raw string by its position', () => {
    const r = parseGs1(`01${gtin}2312345`, REF);
    expect(errorsOf(r)).toEqual([{ kind: 'unknown-ai', message: 'No GS1 Application Identifier starts at position 17 ("2312")' }]);
  });
});

describe('bracketed strings', () => {
  it('rejects an unknown AI', () => {
    expect(errorsOf(parseGs1('(01)09506000134352(23)1', REF))).toEqual([
      { kind: 'unknown-ai', ai: '23', message: '(23) is not a GS1 Application Identifier' },
    ]);
    expect(errorsOf(parseGs1('(9999)1', REF))).toMatchObject([{ kind: 'unknown-ai', ai: '9999' }]);
  });

  it('rejects text that is not a sequence of bracketed AIs', () => {
    expect(errorsOf(parseBracketed('01)09506000134352', REF))).toMatchObject([{ kind: 'syntax' }]);
    expect(errorsOf(parseBracketed('(01', REF))).toMatchObject([{ kind: 'syntax', message: 'Expected an AI in brackets at position 1' }]);
  });

  it('names a wrong check digit and the digit expected', () => {
    const r = parseGs1('(01)09506000134353(10)A', REF);
    expect(errorsOf(r)).toEqual([{ kind: 'check-digit', ai: '01', expectedCheckDigit: 2, message: 'AI (01): check digit is wrong (expected 2)' }]);
  });

  it('rejects a lot longer than 20 characters', () => {
    const r = parseGs1(`(01)09506000134352(10)${'L'.repeat(21)}`, REF);
    expect(errorsOf(r)).toEqual([{ kind: 'length', ai: '10', message: 'AI (10): value must be 1 to 20 characters long, got 21' }]);
  });

  it.each([
    ['a space', 'AB 12', '" " at position 3'],
    ['#, which is in set 39 but not in set 82', 'AB#', '"#" at position 3'],
    ['a non-ASCII letter', 'LÖT', '"Ö" at position 2'],
    ['a GS inside a bracketed value', `AB${GS}`, '"<U+001D>" at position 3'],
  ])('rejects a lot with %s', (_, lot, found) => {
    const r = parseGs1(`(01)09506000134352(10)${lot}`, REF);
    expect(errorsOf(r)).toEqual([{ kind: 'charset', ai: '10', message: `AI (10): ${found} is not in GS1 character set 82` }]);
  });

  it('rejects letters in a numeric AI', () => {
    expect(errorsOf(parseGs1('(01)0950600013435X', REF))).toMatchObject([
      { kind: 'charset', message: 'AI (01): value must be digits only, found "X" at position 14' },
    ]);
  });

  it.each([
    ['GTIN-8', '95012346'],
    ['GTIN-12', '614141123452'],
    ['GTIN-13', '9506000134352'],
  ])('rejects a %s in (01), which always holds 14 digits', (_, short) => {
    const r = parseGs1(`(01)${short}`, REF);
    expect(errorsOf(r)).toEqual([
      {
        kind: 'length',
        ai: '01',
        message: `AI (01): value must be 14 digits long, got ${short.length}; a GTIN-8, -12 or -13 is written with leading zeros as 14 digits`,
      },
    ]);
    expect(parseGtin(short)).toEqual({ ok: true, gtin: short.padStart(14, '0') });
  });

  it('rejects the same AI twice with different values', () => {
    const r = parseGs1('(01)09506000134352(10)A(10)B', REF);
    expect(errorsOf(r)).toMatchObject([{ kind: 'duplicate-ai', ai: '10' }]);
  });
});

describe('dates', () => {
  it.each([
    ['240200', '2024-02-29'],
    ['230200', '2023-02-28'],
    ['000200', '2000-02-29'],
    ['260400', '2026-04-30'],
  ])('reads expiry %s (day 00) as the last day of the month, %s', (yymmdd, iso) => {
    const r = parseGs1(`(01)09506000134352(17)${yymmdd}`, REF);
    expect(r).toMatchObject({ ok: true, expiry: iso, elements: [{}, { ai: '17', date: iso, dayZero: true }] });
  });

  it.each([
    [75, 2075],
    [76, 1976],
    [74, 2074],
    [25, 2025],
    [0, 2000],
    [99, 1999],
  ])('resolves YY=%i with reference year 2025 to %i', (yy, year) => {
    expect(gs1Year(yy, 2025)).toBe(year);
    const r = parseGs1(`(01)09506000134352(17)${String(yy).padStart(2, '0')}0101`, { referenceDate: new Date('2025-12-31T23:00:00Z') });
    expect(r.ok && r.expiry).toBe(`${year}-01-01`);
  });

  it('moves the century window with the reference year', () => {
    expect(gs1Year(20, 2080)).toBe(2120);
    expect(gs1Year(31, 2080)).toBe(2031);
    expect(gs1Year(99, 2000)).toBe(1999);
    expect(gs1Year(50, 2000)).toBe(2050);
  });

  it('rejects month 13 and 30 February', () => {
    expect(errorsOf(parseGs1('(01)09506000134352(17)261301', REF))).toEqual([
      { kind: 'illegal-month', ai: '17', message: 'AI (17): month 13 does not exist' },
    ]);
    expect(errorsOf(parseGs1('(01)09506000134352(11)260230', REF))).toEqual([
      { kind: 'illegal-day', ai: '11', message: 'AI (11): day 30 does not exist in 2026-02' },
    ]);
  });

  it('does not take day 00 in a date AI that requires a full date (7006)', () => {
    expect(errorsOf(parseGs1('(01)09506000134352(7006)260300', REF))).toMatchObject([{ kind: 'illegal-day', ai: '7006' }]);
  });

  it('refuses to guess the century without a usable reference date', () => {
    expect(() => parseGs1('(01)09506000134352', { referenceDate: 'yesterday' })).toThrow(RangeError);
  });
});

describe('pairing rules', () => {
  it('rejects a lot without the GTIN it belongs to', () => {
    const r = parseGs1('(10)ABC123', REF);
    expect(errorsOf(r)).toEqual([{ kind: 'requisite', ai: '10', message: 'AI (10) needs (01), (02), (03), (8006) or (8026)' }]);
    expect(parseGs1('(10)ABC123', LENIENT)).toMatchObject({ ok: true, lot: 'ABC123' });
  });

  it('names every AI of a combined requirement', () => {
    const r = parseGs1('(02)09506000134352(37)10', REF);
    expect(errorsOf(r)).toEqual([{ kind: 'requisite', ai: '37', message: 'AI (37) needs (00) with (02) or (00) with (8026)' }]);
  });

  it('rejects (01) with (02), and two net weights with different decimals, once per pair', () => {
    expect(errorsOf(parseGs1('(01)09506000134352(02)09506000134352', REF))).toContainEqual({
      kind: 'mutex',
      ai: '02',
      message: 'AI (02) cannot be used together with (01)',
    });
    const r = parseGs1('(01)09506000134352(3102)000100(3103)001000', REF);
    expect(errorsOf(r)).toEqual([{ kind: 'mutex', ai: '3102', message: 'AI (3102) cannot be used together with (3103)' }]);
  });

  it("lets (37) count a case named by (01) only when asked (countWithGtin, the contract's reading), keeping every other rule", () => {
    const caseLabel = '(01)09506000134352(17)261231(37)4(10)L1';
    expect(errorsOf(parseGs1(caseLabel, REF))).toEqual([
      { kind: 'mutex', ai: '01', message: 'AI (01) cannot be used together with (37)' },
      { kind: 'requisite', ai: '37', message: 'AI (37) needs (00) with (02) or (00) with (8026)' },
    ]);
    expect(parseGs1(caseLabel, { ...REF, countWithGtin: true })).toMatchObject({ ok: true, gtin: '09506000134352', lot: 'L1', quantity: 4 });
    expect(parseGs1(`]C101095060001343521726123110L1${GS}374`, { ...REF, countWithGtin: true })).toMatchObject({ ok: true, quantity: 4 });
    // still GS1's rules otherwise: (37) alone, (02)+(37) without (00), (01) with (02), a bad check digit
    expect(errorsOf(parseGs1('(37)4', { ...REF, countWithGtin: true }))).toEqual([
      { kind: 'requisite', ai: '37', message: 'AI (37) needs (00) with (02) or (00) with (8026)' },
    ]);
    expect(errorsOf(parseGs1('(02)09506000134352(37)10', { ...REF, countWithGtin: true }))[0]?.kind).toBe('requisite');
    expect(errorsOf(parseGs1('(01)09506000134352(02)09506000134352(37)1', { ...REF, countWithGtin: true }))).toContainEqual({
      kind: 'mutex',
      ai: '02',
      message: 'AI (02) cannot be used together with (01)',
    });
    expect(errorsOf(parseGs1('(01)09506000134353(37)4(10)L1', { ...REF, countWithGtin: true }))[0]?.kind).toBe('check-digit');
    expect(validateAssociations([{ ai: '01' }, { ai: '37' }], { countWithGtin: true })).toEqual([]);
  });

  it('refuses a (30) and a (37) that disagree, and reads them as one count when they agree', () => {
    const both = (a: string, b: string) => parseGs1(`(01)09506000134352(30)${a}(37)${b}(10)L1`, { ...REF, countWithGtin: true });
    expect(errorsOf(both('5', '4'))).toEqual([
      { kind: 'content', ai: '37', message: 'AI (30) count 5 and AI (37) count 4 disagree: the barcode must carry one count' },
    ]);
    expect(both('04', '4')).toMatchObject({ ok: true, quantity: 4 });
  });
});

describe('lifted fields', () => {
  it('reads a pallet label: SSCC, content GTIN and count (37) as a number', () => {
    const r = parseGs1(`]C10037340030680998173302095060001343523725${GS}10LOT7`, REF);
    expect(r).toMatchObject({ ok: true, sscc: '373400306809981733', contentGtin: '09506000134352', quantity: 25, lot: 'LOT7' });
  });

  it('reads a variable count (30) as a number and a net weight with its decimals', () => {
    const r = parseGs1('(01)09506000134352(30)0012(3102)001250', REF);
    expect(r).toMatchObject({ ok: true, quantity: 12, netWeightKg: '12.50', elements: [{}, {}, { ai: '3102', decimal: '12.50' }] });
  });

  it('leaves out fields the barcode did not carry', () => {
    const r = parseGs1('(01)09506000134352', REF);
    expect(r.ok && Object.keys(r).sort()).toEqual(['elementString', 'elements', 'gtin', 'hri', 'ok']);
  });
});

describe('GS1 Digital Link', () => {
  it('reads key qualifiers from the path and other AIs from the query, on any host and behind a stem', () => {
    const r = parseGs1('https://brand.example/products/01/09506000134352/10/ABC%2F1/21/S%2B2?17=261231&3103=000500&linkType=gs1:pip#top', REF);
    expect(r).toMatchObject({
      ok: true,
      gtin: '09506000134352',
      lot: 'ABC/1',
      serial: 'S+2',
      expiry: '2026-12-31',
      netWeightKg: '0.500',
      hri: '(01)09506000134352(10)ABC/1(21)S+2(17)261231(3103)000500',
    });
  });

  it('reads the short-name form and a URI sent behind a plain QR symbology identifier', () => {
    const r = parseGs1(']Q1https://id.gs1.org/gtin/09506000134352/lot/ABC', REF);
    expect(r).toMatchObject({ ok: true, symbology: ']Q1', gtin: '09506000134352', lot: 'ABC' });
  });

  it('reads a GTIN-8, -12 or -13 in the path as its 14 digits, still checking the check digit', () => {
    expect(parseGs1('https://example.org/01/614141000012/10/DL12', REF)).toMatchObject({ ok: true, gtin: '00614141000012', lot: 'DL12' });
    expect(parseGs1('https://example.org/01/9506000134352/10/A', REF)).toMatchObject({ ok: true, gtin: '09506000134352' });
    expect(parseGs1('https://example.org/01/95050003', REF)).toMatchObject({ ok: true, gtin: '00000095050003' });
    expect(errorsOf(parseGs1('https://example.org/01/614141000013/10/DL12', REF))).toMatchObject([{ kind: 'check-digit' }]);
  });

  it('decodes + in the query as a space, which set 82 then rejects', () => {
    expect(errorsOf(parseGs1('https://id.gs1.org/00/373400306809981733?400=PO+1', REF))).toMatchObject([{ kind: 'charset', ai: '400' }]);
  });

  it.each([
    ['no primary key', 'https://example.com/products/123', 'The URI path has no GS1 primary key, e.g. /01/{GTIN}'],
    [
      'qualifiers out of order',
      'https://id.gs1.org/01/09506000134352/21/S/10/L',
      '(21) (10) cannot follow (01) in the URI path, or not in that order',
    ],
    ['a qualifier in the query', 'https://id.gs1.org/01/09506000134352?10=L', 'AI (10) qualifies (01) and belongs in the URI path, not in the query'],
    ['an AI that is no query attribute', 'https://id.gs1.org/00/373400306809981733?21=S', 'AI (21) cannot be a Digital Link query parameter'],
    ['a scheme that is not http(s)', 'ftp://id.gs1.org/01/09506000134352', '"ftp://id.gs1.org/01/09506000134352" is not an http(s) URI'],
  ])('rejects %s', (_, uri, message) => {
    expect(errorsOf(parseDigitalLink(uri, REF))).toEqual([expect.objectContaining({ kind: 'digital-link', message })]);
  });

  it('rejects a numeric query parameter that is no AI', () => {
    expect(errorsOf(parseGs1('https://id.gs1.org/01/09506000134352?9999=1', REF))).toMatchObject([{ kind: 'unknown-ai', ai: '9999' }]);
  });
});

describe('AI table', () => {
  it('has no AI that is a prefix of another, so raw strings split one way only', () => {
    const ais = [...AI_TABLE.keys()];
    expect(ais.filter((a) => ais.some((b) => b !== a && b.startsWith(a)))).toEqual([]);
  });

  it('gives every pre-defined-length AI a fixed length', () => {
    const predefined = [...AI_TABLE.values()].filter((s) => s.predefinedLength);
    expect(predefined.filter((s) => s.minLength !== s.maxLength)).toEqual([]);
    expect(predefined.map((s) => s.ai.slice(0, 2))).toEqual(expect.arrayContaining(['00', '01', '02', '03', '11', '17', '20', '31', '36', '41']));
  });

  it('follows the dictionary where the 2-digit prefix list would not: (235) needs an FNC1 after it', () => {
    expect(lookupAi('235')).toMatchObject({ predefinedLength: false, maxLength: 28 });
  });

  it.each([
    '00',
    '01',
    '02',
    '10',
    '11',
    '12',
    '13',
    '15',
    '16',
    '17',
    '20',
    '21',
    '22',
    '235',
    '240',
    '241',
    '250',
    '251',
    '253',
    '254',
    '30',
  ])('knows (%s)', (ai) => {
    expect(lookupAi(ai)).toBeDefined();
  });

  it.each([
    '3100',
    '3165',
    '3200',
    '3695',
    '37',
    '3900',
    '3939',
    '400',
    '401',
    '402',
    '403',
    '410',
    '417',
    '420',
    '421',
    '422',
    '7003',
    '8003',
    '8004',
    '8005',
    '8020',
    '90',
    '91',
    '99',
  ])('knows (%s)', (ai) => {
    expect(lookupAi(ai)).toBeDefined();
  });
});

describe('round trips (property)', () => {
  const SET82_NO_BRACKET = [...'!"%&\'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz'].filter((c) => c !== '(');
  const text20 = fc.string({ unit: fc.constantFrom(...SET82_NO_BRACKET), minLength: 1, maxLength: 20 });
  const label = fc.record({
    gtin: fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 13, maxLength: 13 }).map(gtinOf),
    lot: text20,
    serial: text20,
    // The window a 2025 reference year resolves YY into
    expiry: fc
      .date({ min: new Date('1976-01-01T00:00:00Z'), max: new Date('2075-12-31T00:00:00Z'), noInvalidDate: true })
      .map((d) => d.toISOString().slice(0, 10)),
  });
  const yymmdd = (iso: string) => iso.slice(2).replaceAll('-', '');

  it('re-reads the HRI it produces to the same fields', () => {
    fc.assert(
      fc.property(label, ({ gtin, lot, serial, expiry }) => {
        const first = parseGs1(`(01)${gtin}(17)${yymmdd(expiry)}(10)${lot}(21)${serial}`, REF);
        expect(first).toMatchObject({ ok: true, gtin, lot, serial, expiry });
        if (!first.ok) return;
        expect(parseGs1(first.hri, REF)).toEqual(first);
        expect(parseGs1(first.elementString, REF)).toEqual(first);
      }),
    );
  });

  it('reads a raw element string with GS separators, in any order, as its bracketed form', () => {
    const scan = fc.record({
      label,
      order: fc.shuffledSubarray(['01', '17', '10', '21'], { minLength: 4, maxLength: 4 }),
      symbology: fc.constantFrom('', ']C1', ']d2', ']Q3', ']e0', ']J1'),
      leadingGs: fc.boolean(),
      trailingGs: fc.boolean(),
    });
    fc.assert(
      fc.property(scan, ({ label: l, order, symbology, leadingGs, trailingGs }) => {
        const values: Record<string, string> = { '01': l.gtin, '17': yymmdd(l.expiry), '10': l.lot, '21': l.serial };
        const bracketed = order.map((ai) => `(${ai})${values[ai]}`).join('');
        // (01) and (17) have pre-defined lengths; (10) and (21) need a GS unless they come last
        const raw = order.map((ai, k) => `${ai}${values[ai]}${(ai === '10' || ai === '21') && k < order.length - 1 ? GS : ''}`).join('');
        const fromRaw = parseGs1(`${symbology}${leadingGs ? GS : ''}${raw}${trailingGs ? GS : ''}`, REF);
        const fromBracketed = parseGs1(bracketed, REF);
        expect(fromRaw).toEqual({ ...fromBracketed, ...(symbology ? { symbology } : {}) });
        expect(fromRaw.ok && fromRaw.elementString).toBe(raw);
      }),
    );
  });
});
