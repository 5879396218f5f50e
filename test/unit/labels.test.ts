import { describe, expect, it } from 'vitest';
import { type Gs1Message, parseGs1 } from '../../lib/domain/gs1.js';
import { lotLabelFor } from '../../lib/domain/label-requests.js';
import {
  digitalLink,
  LABEL_FORMATS,
  type LabelFormat,
  type LabelSpec,
  lotLabel,
  SYMBOLOGIES,
  type Symbology,
  serialLabel,
  sscc,
  ssccLabel,
} from '../../lib/domain/labels.js';
import { scanToMovement } from '../../lib/domain/scans.js';
import { renderLabel } from '../../lib/exports/label-render.js';
import { type Decoded, decodePdf, decodePng, decodeSvg, zplSymbols } from '../support/barcodes.js';

const GTIN = '09506000134352';
// As POST /scans reads a scan: (37) may count the case named by (01) (CONTRACT.md).
const REF = { referenceDate: '2026-06-01', countWithGtin: true };

/** Render, then read every symbol back the way its format allows: a real decoder for images, the field data for ZPL. */
async function readBack(spec: LabelSpec, format: LabelFormat): Promise<Decoded[]> {
  const bytes = await renderLabel(spec, format);
  switch (format) {
    case 'png':
      return decodePng(bytes);
    case 'svg':
      return decodeSvg(bytes.toString('utf8'));
    case 'pdf':
      return decodePdf(bytes);
    case 'zpl':
      return zplSymbols(bytes.toString('utf8'));
  }
}

const parsed = (d: Decoded): Gs1Message => {
  const r = parseGs1(d.scannerData, REF);
  if (!r.ok) throw new Error(`${d.scannerData}: ${r.errors.map((e) => e.message).join('; ')}`);
  return r;
};
const facts = (m: Gs1Message) => ({
  gtin: m.gtin ?? m.contentGtin,
  lot: m.lot,
  serial: m.serial,
  expiry: m.expiry,
  productionDate: m.productionDate,
  packDate: m.packDate,
  quantity: m.quantity,
  sscc: m.sscc,
});
const FORMAT_OF: Record<Symbology, string> = { 'gs1-128': 'Code128', datamatrix: 'DataMatrix', qr: 'QRCode' };

describe('label round trip: render, decode with zxing, parse with our GS1 parser', () => {
  // '>' and '_' and '%' are set-82 characters the encoders must escape (ZPL, Digital Link)
  const lot = 'L-26/05>A_%1';
  for (const format of LABEL_FORMATS) {
    for (const symbology of SYMBOLOGIES) {
      it(`a lot label in ${format} as ${symbology} gives back the GTIN, lot, dates and count`, async () => {
        // Prepare
        const spec = lotLabel({
          gtin: GTIN,
          lot,
          description: 'Romaine hearts 12 x 3',
          expiry: '2026-12-31',
          productionDate: '2026-05-30',
          packDate: '2026-05-31',
          quantity: 24,
          symbology,
        });
        // Act
        const found = await readBack(spec, format);
        // Assess
        expect(found.map((f) => f.format)).toEqual([FORMAT_OF[symbology]]);
        const [one] = found.map(parsed);
        expect(one && facts(one)).toEqual({
          gtin: GTIN,
          lot,
          expiry: '2026-12-31',
          productionDate: '2026-05-30',
          packDate: '2026-05-31',
          quantity: 24,
          serial: undefined,
          sscc: undefined,
        });
        // and POST /scans turns that very data into the movement
        const m = scanToMovement({ eventId: 'e', type: 'receive', site: 'dc-1', occurredAt: '2026-06-01T08:00:00Z', data: found[0]?.scannerData }, 0);
        expect(m.ok && m.movement).toMatchObject({ gtin: GTIN, lot, quantity: 24, expiry: '2026-12-31', productionDate: '2026-05-30' });
        // the count travels as (37), never as (30)
        expect(one?.elements.map((e) => e.ai)).toContain('37');
        expect(one?.elements.map((e) => e.ai)).not.toContain('30');
      });

      it(`a serial label in ${format} as ${symbology} gives back the GTIN and serial`, async () => {
        const found = await readBack(serialLabel({ gtin: GTIN, serial: 'SN/0001>x', description: 'Cordless drill', symbology }), format);
        expect(found.map((f) => f.format)).toEqual([FORMAT_OF[symbology]]);
        expect(found.map(parsed).map(facts)).toEqual([{ gtin: GTIN, serial: 'SN/0001>x' }].map((x) => ({ ...facts({} as Gs1Message), ...x })));
      });

      it(`an SSCC label in ${format} as ${symbology} gives back the SSCC, content GTIN, lot, expiry and count, the SSCC lowest`, async () => {
        const code = sscc('0', '9506000', 42);
        const spec = ssccLabel({
          sscc: code,
          from: { siteId: 'dc-1', name: 'Main DC' },
          shipTo: { siteId: 'store-9', name: 'Store 9' },
          contents: [{ gtin: GTIN, lot: 'P1', quantity: 120, expiry: '2027-02-28' }],
          symbology,
        });
        const found = await readBack(spec, format);
        expect(found.map((f) => f.format)).toEqual([FORMAT_OF[symbology], 'Code128']);
        const [content, last] = found.map(parsed);
        expect(content && facts(content)).toMatchObject({ sscc: code, gtin: GTIN, lot: 'P1', quantity: 120, expiry: '2027-02-28' });
        expect(last && facts(last)).toEqual({ ...facts({} as Gs1Message), sscc: code });
        const m = scanToMovement({ eventId: 'e', type: 'receive', site: 'dc-1', occurredAt: '2026-06-01T08:00:00Z', data: found[0]?.scannerData }, 0);
        expect(m.ok && m.movement).toMatchObject({ gtin: GTIN, lot: 'P1', quantity: 120, expiry: '2027-02-28' });
      });
    }
  }
});

describe('label content', () => {
  it('numbers SSCCs from the company prefix with a valid check digit, and refuses a counter that no longer fits', () => {
    expect(sscc('0', '9506000', 1)).toBe('095060000000000015');
    expect(parseGs1(`(00)${sscc('3', '061414112345', 9999)}`, REF).ok).toBe(true);
    expect(() => sscc('0', '9506000', 1_000_000_000)).toThrow(/used up/);
  });

  it('prints each element in human-readable form under the symbol, and the description', () => {
    const spec = lotLabel({ gtin: GTIN, lot: 'A1', description: 'Romaine', expiry: '2026-12-31', symbology: 'gs1-128' });
    expect(spec.title).toBe('Romaine');
    expect(spec.symbols[0]?.hri).toEqual(['(01) 09506000134352', '(17) 261231', '(10) A1']);
  });

  it('writes a Digital Link with the key and qualifiers in the path and the rest as query attributes', () => {
    const uri = digitalLink([
      { ai: '01', value: GTIN },
      { ai: '17', value: '261231' },
      { ai: '10', value: 'A/B%' },
    ]);
    expect(uri).toBe('https://id.gs1.org/01/09506000134352/10/A%2FB%25?17=261231');
    const back = parseGs1(uri, REF);
    expect(back.ok && back.lot).toBe('A/B%');
  });

  it('puts the SSCC symbol lowest on the ZPL label too', async () => {
    const zpl = (
      await renderLabel(
        ssccLabel({
          sscc: sscc('0', '9506000', 7),
          from: { siteId: 'dc-1', name: 'DC' },
          contents: [{ gtin: GTIN, lot: 'P1', quantity: 5 }],
          symbology: 'gs1-128',
        }),
        'zpl',
      )
    ).toString();
    const ys = [...zpl.matchAll(/\^FO\d+,(\d+)\^BY\d\^BC/g)].map((m) => Number(m[1]));
    expect(ys).toHaveLength(2);
    expect(ys[1]).toBeGreaterThan(ys[0] ?? Infinity);
    const texts = [...zpl.matchAll(/\^FO\d+,(\d+)\^A0/g)].map((m) => Number(m[1]));
    expect(Math.max(...texts)).toBeGreaterThan(ys[1] ?? 0); // only the SSCC's own HRI line sits below it
  });

  it('keeps free text from becoming ZPL commands', async () => {
    const zpl = (await renderLabel(lotLabel({ gtin: GTIN, lot: 'A1', description: 'Evil ^XZ~JA text', symbology: 'qr' }), 'zpl')).toString();
    expect(zpl).not.toContain('^XZ~');
    expect(zpl.match(/\^XZ/g)).toHaveLength(1);
  });
});

describe('the case label’s count and pack date', () => {
  it('counts a case in (37) beside (01), printed `(37) 12` under the symbol and as COUNT in the text', () => {
    const spec = lotLabel({ gtin: GTIN, lot: 'L1', description: 'R', quantity: 12, symbology: 'gs1-128' });
    expect(spec.symbols[0]?.hri).toEqual([`(01) ${GTIN}`, '(37) 12', '(10) L1']);
    expect(spec.text).toContain('COUNT 12');
    expect(lotLabel({ gtin: GTIN, lot: 'L1', description: 'R', symbology: 'gs1-128' }).symbols[0]?.hri).toEqual([`(01) ${GTIN}`, '(10) L1']);
  });

  it('puts the count in a Digital Link as the query attribute 37, which our parser reads back beside the path’s (01) and (10)', () => {
    const spec = lotLabel({ gtin: GTIN, lot: 'L/1', description: 'R', expiry: '2026-12-31', quantity: 12, symbology: 'qr' });
    const uri = spec.symbols[0]?.uri ?? '';
    expect(uri).toBe(`https://id.gs1.org/01/${GTIN}/10/L%2F1?17=261231&37=12`);
    const back = parseGs1(uri, REF);
    expect(back.ok && { gtin: back.gtin, lot: back.lot, expiry: back.expiry, quantity: back.quantity }).toEqual({
      gtin: GTIN,
      lot: 'L/1',
      expiry: '2026-12-31',
      quantity: 12,
    });
  });

  it('draws (01)+(37), which bwip-js’s lint refuses, after checking it with our parser; every other label keeps bwip-js’s checks', async () => {
    const bwipjs = (await import('bwip-js')).default;
    for (const bcid of ['gs1-128', 'gs1datamatrix']) {
      expect(() => bwipjs.toSVG({ bcid, text: `(01)${GTIN}(37)24(10)L1` })).toThrow(/\(01\) and \(37\) are mutually exclusive/);
    }
    expect(() => bwipjs.toSVG({ bcid: 'gs1dlqrcode', text: `https://id.gs1.org/01/${GTIN}/10/L1?37=24` })).toThrow(/mutually exclusive/);
    // A wrong GTIN check digit: with a count our parser refuses it (bwip-js's lint is off there), without one bwip-js does.
    const badGtin = '09506000134353';
    for (const symbology of SYMBOLOGIES) {
      const counted = lotLabel({ gtin: badGtin, lot: 'L1', description: 'R', quantity: 24, symbology });
      await expect(renderLabel(counted, 'svg')).rejects.toMatchObject({
        code: 'validation_failed',
        message: expect.stringMatching(/AI \(01\): check digit is wrong \(expected 2\)/),
      });
      const plain = lotLabel({ gtin: badGtin, lot: 'L1', description: 'R', symbology });
      await expect(renderLabel(plain, 'svg')).rejects.toMatchObject({ code: 'validation_failed', message: expect.stringMatching(/bwipp\./) });
    }
  });

  it('keeps bwip-js’s lint on an SSCC label: its (02)+(37) under (00) is drawn, a wrong (02) check digit refused by bwip-js', async () => {
    const code = sscc('0', '9506000', 3);
    const of = (gtin: string) =>
      ssccLabel({ sscc: code, from: { siteId: 'dc-1', name: 'DC' }, contents: [{ gtin, lot: 'P1', quantity: 5 }], symbology: 'gs1-128' });
    expect(of(GTIN).symbols.map((x) => x.hri)).toEqual([[`(00) ${code}`, `(02) ${GTIN}`, '(37) 5', '(10) P1'], [`(00) ${code}`]]);
    const [content, last] = (await decodePng(await renderLabel(of(GTIN), 'png'))).map(parsed);
    expect(content && facts(content)).toMatchObject({ sscc: code, gtin: GTIN, lot: 'P1', quantity: 5 });
    expect(last?.sscc).toBe(code);
    await expect(renderLabel(of('09506000134353'), 'svg')).rejects.toMatchObject({
      code: 'validation_failed',
      message: expect.stringMatching(/bwipp\./),
    });
  });

  it('prints (13) only for a lot whose pack date the ledger knows: one created by initial-pack, on that day', async () => {
    const lotOf = (createdBy: 'initial-pack' | 'receive') => ({
      getLot: async () => ({ gtin: GTIN, lot: 'P1', createdBy, productionDate: '2026-05-30' }) as never,
      entries: async () => ({ items: [{ type: createdBy, occurredAt: '2026-05-31T23:00:00-05:00' }] as never }),
    });
    const d = (createdBy: 'initial-pack' | 'receive') => ({
      master: { getProduct: async () => ({ gtin: GTIN, description: 'Romaine' }) } as never,
      ledger: lotOf(createdBy),
      labelSettings: { digitalLinkBase: 'https://id.gs1.org' } as never,
    });
    const packed = await lotLabelFor(d('initial-pack'), { gtin: GTIN, lot: 'P1' }, { symbology: 'gs1-128' });
    expect(packed.symbols[0]?.hri).toEqual([`(01) ${GTIN}`, '(11) 260530', '(13) 260531', '(10) P1']);
    const received = await lotLabelFor(d('receive'), { gtin: GTIN, lot: 'P1' }, { symbology: 'gs1-128' });
    expect(received.symbols[0]?.hri).toEqual([`(01) ${GTIN}`, '(11) 260530', '(10) P1']);
  });
});
