import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeGetDigitalLinkLot } from '../../functions/get-digital-link-lot.js';
import { makeGetLabelLot } from '../../functions/get-label-lot.js';
import { makeGetLabelSerial } from '../../functions/get-label-serial.js';
import { makeGetLabelSscc } from '../../functions/get-label-sscc.js';
import { makePostLabelSscc } from '../../functions/post-label-sscc.js';
import { makePostMovements } from '../../functions/post-movements.js';
import { makePostScans } from '../../functions/post-scans.js';
import { lambdaContext } from '../../infra/local/lambda-event.js';
import { hasValidCheckDigit } from '../../lib/domain/ids.js';
import { sscc } from '../../lib/domain/labels.js';
import { lotView } from '../../lib/domain/lots.js';
import { ProductInput, SiteInput, upsertProduct, upsertSite } from '../../lib/domain/master-data.js';
import { freshTable } from '../support/aws.js';
import { decodePdf, decodePng, decodeSvg } from '../support/barcodes.js';
import { depsFor } from '../support/deps.js';
import { GTIN, SITES } from '../support/fixtures.js';
import { call, httpEvent } from '../support/http.js';

let d: ReturnType<typeof depsFor>;
const at = '2026-03-01T08:00:00-05:00';
const raw = async (h: ReturnType<typeof makeGetLabelLot>, path: string, headers: Record<string, string> = {}) =>
  (await h(httpEvent('GET', path, undefined, headers), lambdaContext('test'))) as APIGatewayProxyStructuredResultV2 & {
    statusCode: number;
    body: string;
  };
type Sscc = { sscc: string; label: { format: string; encoding: string; data: string; href: string }; contents: unknown[] };

beforeAll(async () => {
  const t = await freshTable('labels');
  d = depsFor(t.doc, t.tableName, undefined, { env: { GS1_COMPANY_PREFIX: '0614141' } });
  await upsertProduct(d, GTIN.romaine, ProductInput.parse({ description: 'Romaine hearts 3ct', ftl: true }));
  await upsertProduct(d, GTIN.phone, ProductInput.parse({ description: 'Handset X' }));
  for (const { siteId, ...s } of SITES) await upsertSite(d, siteId, SiteInput.parse(s));
  const r = await call(makePostMovements(d), 'POST', '/movements', {
    movements: [
      {
        eventId: 'lb-1',
        type: 'receive',
        occurredAt: at,
        gtin: GTIN.romaine,
        lot: 'R-26',
        quantity: 48,
        site: 'dc-1',
        counterparty: 'farm-1',
        expiry: '2026-03-20',
        productionDate: '2026-02-27',
      },
      {
        eventId: 'lb-0',
        type: 'receive',
        occurredAt: at,
        gtin: GTIN.phone,
        lot: 'H-0',
        quantity: 1,
        serials: ['SN-77'],
        site: 'store-1',
        counterparty: 'farm-1',
      },
    ],
  });
  expect(r.body).toMatchObject({ accepted: 2 });
});

describe('labels over the real table', () => {
  it('prints a case label for a lot that, scanned back into POST /scans, receives the same lot, expiry and count', async () => {
    // Prepare
    const res = await raw(makeGetLabelLot(d), `/labels/lots/${GTIN.romaine}/R-26?format=png&symbology=datamatrix&quantity=12`);
    expect(res.statusCode).toBe(200);
    expect(res.headers?.['content-type']).toBe('image/png');
    const [symbol] = await decodePng(Buffer.from(res.body, 'base64'));
    // the count is (37) beside (01), as the contract says
    expect(symbol?.scannerData).toBe(`]d201${GTIN.romaine}17260320112602273712\u001d10R-26`);
    // Act
    const scan = await call(makePostScans(d), 'POST', '/scans', {
      scans: [{ eventId: 'lb-scan-1', type: 'receive', site: 'store-1', counterparty: 'dc-1', occurredAt: at, data: symbol?.scannerData }],
    });
    // Assess
    expect(scan.body).toMatchObject({ accepted: 1 });
    const lot = await lotView(d, { gtin: GTIN.romaine, lot: 'R-26' });
    expect(lot).toMatchObject({ expiry: '2026-03-20', productionDate: '2026-02-27' });
    expect(lot.balances.find((b) => b.siteId === 'store-1')?.quantity).toBe(12);
  });

  it('prints a QR case label whose Digital Link carries the count as ?37=, which the resolver answers and POST /scans reads', async () => {
    const res = await raw(makeGetLabelLot(d), `/labels/lots/${GTIN.romaine}/R-26?format=svg&symbology=qr&quantity=5`);
    expect(res.statusCode).toBe(200);
    const [symbol] = await decodeSvg(res.body);
    const uri = `https://id.gs1.org/01/${GTIN.romaine}/10/R-26?17=260320&11=260227&37=5`;
    expect(symbol?.scannerData).toBe(`]Q1${uri}`);
    const resolved = await raw(makeGetDigitalLinkLot(d), new URL(uri).pathname + new URL(uri).search, { accept: 'application/json' });
    expect(resolved.statusCode).toBe(200);
    expect(JSON.parse(resolved.body)).toMatchObject({ gtin: GTIN.romaine, lot: 'R-26', expiry: '2026-03-20', recalled: false });
    const scan = await call(makePostScans(d), 'POST', '/scans', {
      scans: [{ eventId: 'lb-scan-qr', type: 'receive', site: 'store-2', counterparty: 'dc-1', occurredAt: at, data: symbol?.scannerData }],
    });
    expect(scan.body).toMatchObject({ accepted: 1 });
    const lot = await lotView(d, { gtin: GTIN.romaine, lot: 'R-26' });
    expect(lot.balances.find((b) => b.siteId === 'store-2')?.quantity).toBe(5);
  });

  it('answers 404 lot_not_found for a lot never recorded and serial_not_found for an unknown serial, in every format', async () => {
    type Err = { error: { code: string; message: string; details: { path: string; message: string }[] } };
    for (const format of ['svg', 'png', 'pdf', 'zpl']) {
      const lot = await raw(makeGetLabelLot(d), `/labels/lots/${GTIN.romaine}/NEVER-1?format=${format}&quantity=3`);
      expect(lot.statusCode).toBe(404);
      expect(JSON.parse(lot.body) as Err).toEqual({
        error: { code: 'lot_not_found', message: `Lot NEVER-1 of ${GTIN.romaine} not found`, details: [{ path: 'lot', message: 'unknown lot' }] },
      });
      const serial = await raw(makeGetLabelSerial(d), `/labels/serials/${GTIN.phone}/NEVER-SN?format=${format}`);
      expect(serial.statusCode).toBe(404);
      expect(JSON.parse(serial.body) as Err).toEqual({
        error: {
          code: 'serial_not_found',
          message: `Serial NEVER-SN of ${GTIN.phone} not found`,
          details: [{ path: 'serial', message: 'unknown serial' }],
        },
      });
    }
    // a serial is known under its own GTIN only; a known lot and a known serial still print
    expect((await raw(makeGetLabelSerial(d), `/labels/serials/${GTIN.romaine}/SN-77`)).statusCode).toBe(404);
    expect((await raw(makeGetLabelLot(d), `/labels/lots/${GTIN.romaine}/R-26?format=zpl`)).statusCode).toBe(200);
    expect((await raw(makeGetLabelSerial(d), `/labels/serials/${GTIN.phone}/SN-77?format=zpl`)).statusCode).toBe(200);
  });

  it('prints a unit label as a PDF whose symbol reads back as (01) and (21)', async () => {
    const res = await raw(makeGetLabelSerial(d), `/labels/serials/${GTIN.phone}/SN-77?format=pdf&symbology=qr`);
    expect(res.headers?.['content-type']).toBe('application/pdf');
    const pdf = Buffer.from(res.body, 'base64');
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect((await decodePdf(pdf)).map((x) => x.scannerData)).toEqual([`]Q1https://id.gs1.org/01/${GTIN.phone}/21/SN-77`]);
  });

  it('prints a unit label that, scanned into POST /scans, sells that serial of its lot (the label carries no lot)', async () => {
    // Prepare
    const recv = await call(makePostMovements(d), 'POST', '/movements', {
      movements: [
        {
          eventId: 'lb-u1',
          type: 'receive',
          occurredAt: at,
          gtin: GTIN.phone,
          lot: 'H-1',
          quantity: 1,
          serials: ['U-77'],
          site: 'store-1',
          counterparty: 'farm-1',
        },
      ],
    });
    expect(recv.body).toMatchObject({ accepted: 1 });
    const res = await raw(makeGetLabelSerial(d), `/labels/serials/${GTIN.phone}/U-77?format=png&symbology=gs1-128`);
    const [symbol] = await decodePng(Buffer.from(res.body, 'base64'));
    // Act
    const scan = await call(makePostScans(d), 'POST', '/scans', {
      scans: [
        { eventId: 'lb-u2', type: 'sell', site: 'store-1', occurredAt: at, data: symbol?.scannerData },
        { eventId: 'lb-u3', type: 'sell', site: 'store-1', occurredAt: at, data: `(01)${GTIN.phone}(21)NEVER-SEEN` },
      ],
    });
    // Assess
    expect(scan.body).toMatchObject({ accepted: 1, rejected: 1 });
    expect((scan.body as { results: { errors?: { message: string }[] }[] }).results[1]?.errors?.[0]?.message).toMatch(/serial is not known/);
    expect(await d.ledger.getSerial(GTIN.phone, 'U-77')).toMatchObject({ lot: 'H-1', status: 'sold' });
  });

  it('answers a bad GTIN check digit, a lot outside set 82, an unknown product and a bad format with 4xx naming the field', async () => {
    const h = makeGetLabelLot(d);
    const bad = await Promise.all([
      raw(h, '/labels/lots/00614141000013/R-26'),
      raw(h, `/labels/lots/${GTIN.romaine}/${encodeURIComponent('lot with space')}`),
      raw(h, '/labels/lots/09506000134352/R-26'),
      raw(h, `/labels/lots/${GTIN.romaine}/R-26?format=gif`),
      raw(h, `/labels/lots/${GTIN.romaine}/R-26?quantity=0`),
    ]);
    expect(bad.map((r) => r.statusCode)).toEqual([400, 400, 404, 400, 400]);
    expect(bad.map((r) => (JSON.parse(r.body) as { error: { details: { path: string }[] } }).error.details[0]?.path)).toEqual([
      'gtin',
      'lot',
      'gtin',
      'format',
      'quantity',
    ]);
  });

  it('issues 20 different SSCCs to 20 concurrent requests, each valid and each printable again', async () => {
    const h = makePostLabelSscc(d);
    const body = { site: 'dc-1', shipTo: 'store-2', contents: [{ gtin: GTIN.romaine, lot: 'R-26', quantity: 24 }], format: 'zpl' };
    const all = await Promise.all(Array.from({ length: 20 }, () => call<Sscc>(h, 'POST', '/labels/sscc', body)));
    expect(all.map((r) => r.status)).toEqual(Array(20).fill(201));
    const codes = all.map((r) => r.body.sscc);
    expect(new Set(codes).size).toBe(20);
    for (const c of codes) expect(c).toMatch(/^00614141\d{9}\d$/);
    expect(codes.every(hasValidCheckDigit)).toBe(true);
    const again = await raw(makeGetLabelSscc(d), `/labels/sscc/${codes[0]}?format=png`);
    const found = await decodePng(Buffer.from(again.body, 'base64'));
    expect(found.at(-1)?.scannerData).toBe(`]C1${'00'}${codes[0]}`);
    expect(found[0]?.scannerData).toContain(`02${GTIN.romaine}`);
  });

  it('gives a retried SSCC request with the same Idempotency-Key the same SSCC, and refuses the key for another body', async () => {
    const h = makePostLabelSscc(d);
    const body = { site: 'dc-1', contents: [{ gtin: GTIN.romaine, lot: 'R-26', quantity: 6 }] };
    const [a, b] = await Promise.all([1, 2].map(() => call<Sscc>(h, 'POST', '/labels/sscc', body, { 'idempotency-key': 'pallet-7' })));
    expect(a?.body.sscc).toBe(b?.body.sscc);
    const other = await call(
      h,
      'POST',
      '/labels/sscc',
      { ...body, contents: [{ gtin: GTIN.romaine, lot: 'R-26', quantity: 7 }] },
      { 'idempotency-key': 'pallet-7' },
    );
    expect(other.status).toBe(409);
  });

  it('refuses an SSCC for an external site, an unknown product or a lot outside set 82, and answers 404 for an SSCC never issued', async () => {
    const h = makePostLabelSscc(d);
    const ext = await call(h, 'POST', '/labels/sscc', { site: 'farm-1', contents: [{ gtin: GTIN.romaine, lot: 'R-26', quantity: 1 }] });
    const unknown = await call(h, 'POST', '/labels/sscc', { site: 'dc-1', contents: [{ gtin: '09506000134352', lot: 'R-26', quantity: 1 }] });
    const badLot = await call(h, 'POST', '/labels/sscc', { site: 'dc-1', contents: [{ gtin: GTIN.romaine, lot: 'é', quantity: 1 }] });
    expect([ext.status, unknown.status, badLot.status]).toEqual([400, 404, 400]);
    // a lot the ledger never recorded: 404 naming it, and no number spent
    const before = await call<Sscc>(h, 'POST', '/labels/sscc', { site: 'dc-1', contents: [{ gtin: GTIN.romaine, lot: 'R-26', quantity: 1 }] });
    const noLot = await call<{ error: { code: string; details: { path: string }[] } }>(h, 'POST', '/labels/sscc', {
      site: 'dc-1',
      contents: [
        { gtin: GTIN.romaine, lot: 'R-26', quantity: 1 },
        { gtin: GTIN.romaine, lot: 'NEVER-RECORDED', quantity: 1 },
      ],
    });
    expect(noLot).toMatchObject({ status: 404, body: { error: { code: 'lot_not_found', details: [{ path: 'contents.1.lot' }] } } });
    const after = await call<Sscc>(h, 'POST', '/labels/sscc', { site: 'dc-1', contents: [{ gtin: GTIN.romaine, lot: 'R-26', quantity: 1 }] });
    expect(BigInt(after.body.sscc.slice(1, 17)) - BigInt(before.body.sscc.slice(1, 17))).toBe(1n);
    expect((await raw(makeGetLabelSscc(d), '/labels/sscc/006141410000099999')).statusCode).toBe(400);
    const never = sscc('0', '0614141', 999_999_999);
    const missing = await raw(makeGetLabelSscc(d), `/labels/sscc/${never}`);
    expect(missing.statusCode).toBe(404);
    expect(await d.ssccs.get(never)).toBeUndefined();
  });
});
