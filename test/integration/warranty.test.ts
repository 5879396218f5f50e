import { beforeAll, describe, expect, it } from 'vitest';
import { makeGetLot } from '../../functions/get-lot.js';
import { makeGetReportsLots } from '../../functions/get-reports-lots.js';
import { makeGetSerial } from '../../functions/get-serial.js';
import { makeGetSerialCompatibility } from '../../functions/get-serial-compatibility.js';
import { makePostMovements } from '../../functions/post-movements.js';
import { makePostSerialWarrantyClaims } from '../../functions/post-serial-warranty-claims.js';
import { makePutProduct } from '../../functions/put-product.js';
import { SiteInput, upsertSite } from '../../lib/domain/master-data.js';
import { freshTable } from '../support/aws.js';
import { depsFor } from '../support/deps.js';
import { GTIN, SITES } from '../support/fixtures.js';
import { call } from '../support/http.js';

let d: ReturnType<typeof depsFor>;

beforeAll(async () => {
  const t = await freshTable('warranty');
  d = depsFor(t.doc, t.tableName); // today is 2026-03-01
  for (const { siteId, ...s } of SITES) await upsertSite(d, siteId, SiteInput.parse(s));
  const put = makePutProduct(d);
  expect((await call(put, 'PUT', `/products/${GTIN.tomato}`, { description: 'Charger' })).status).toBe(200);
  const phone = await call(put, 'PUT', `/products/${GTIN.phone}`, {
    description: 'Handset X',
    warrantyMonths: 12,
    compatibility: [
      { with: GTIN.tomato, note: 'any version' },
      { with: GTIN.tomato, lots: ['V2'], compatible: false, note: 'v2 changed the port' },
    ],
  });
  expect(phone.status).toBe(200);
  const r = await call(makePostMovements(d), 'POST', '/movements', {
    movements: [
      {
        eventId: 'w-1',
        type: 'receive',
        occurredAt: '2025-01-10T08:00:00Z',
        gtin: GTIN.phone,
        lot: 'V1',
        quantity: 2,
        serials: ['A1', 'A2'],
        site: 'store-1',
        counterparty: 'farm-1',
      },
      {
        eventId: 'w-2',
        type: 'receive',
        occurredAt: '2025-01-10T08:00:00Z',
        gtin: GTIN.phone,
        lot: 'V2',
        quantity: 1,
        serials: ['B1'],
        site: 'store-1',
        counterparty: 'farm-1',
      },
      {
        eventId: 'w-3',
        type: 'sell',
        occurredAt: '2025-02-28T15:00:00Z',
        gtin: GTIN.phone,
        lot: 'V1',
        quantity: 1,
        serials: ['A1'],
        site: 'store-1',
      },
      {
        eventId: 'w-4',
        type: 'sell',
        occurredAt: '2026-01-31T15:00:00Z',
        gtin: GTIN.phone,
        lot: 'V2',
        quantity: 1,
        serials: ['B1'],
        site: 'store-1',
      },
    ],
  });
  expect(r.body).toMatchObject({ accepted: 4 });
});

describe('a serial’s warranty and compatibility', () => {
  it('shows the warranty from the day sold: expired, in warranty, not started', async () => {
    const get = (s: string) => call<{ warranty?: unknown }>(makeGetSerial(d), 'GET', `/serials/${GTIN.phone}/${s}`);
    expect((await get('A1')).body.warranty).toEqual({ months: 12, startsOn: '2025-02-28', endsOn: '2026-02-28', status: 'expired', claims: [] });
    expect((await get('B1')).body.warranty).toEqual({ months: 12, startsOn: '2026-01-31', endsOn: '2027-01-31', status: 'in-warranty', claims: [] });
    expect((await get('A2')).body.warranty).toEqual({ months: 12, status: 'not-started', claims: [] });
  });

  it('answers compatibility for this very unit by its lot', async () => {
    const h = makeGetSerialCompatibility(d);
    const v1 = await call(h, 'GET', `/serials/${GTIN.phone}/A1/compatibility?with=${GTIN.tomato}`);
    const v2 = await call(h, 'GET', `/serials/${GTIN.phone}/B1/compatibility?with=${GTIN.tomato}`);
    const unknown = await call(h, 'GET', `/serials/${GTIN.phone}/B1/compatibility?with=${GTIN.romaine}`);
    expect([v1.body.compatible, v2.body.compatible, unknown.body.compatible]).toEqual([true, false, null]);
    const all = await call(h, 'GET', `/serials/${GTIN.phone}/B1/compatibility`);
    expect(all.body).toEqual({ compatible: [], incompatible: [{ gtin: GTIN.tomato, description: 'Charger', note: 'v2 changed the port' }] });
    const bad = await call(h, 'GET', `/serials/${GTIN.phone}/NOPE/compatibility`);
    const badWith = await call(h, 'GET', `/serials/${GTIN.phone}/A1/compatibility?with=00614141000013`);
    expect([bad.status, badWith.status]).toEqual([404, 400]);
  });

  it('refuses a bad compatibility rule naming the field', async () => {
    const r = await call<{ error: { details: { path: string }[] } }>(makePutProduct(d), 'PUT', `/products/${GTIN.saladKit}`, {
      description: 'Kit',
      warrantyMonths: 0,
      compatibility: [{ with: '00614141000013', lots: ['bad lot'] }],
    });
    expect(r.status).toBe(400);
    expect(r.body.error.details.map((x) => x.path).sort()).toEqual(['compatibility.0.lots.0', 'compatibility.0.with', 'warrantyMonths']);
  });
});

describe('warranty claims on the local stack', () => {
  type Entry = { eventId: string; type: string; lot: string; serials?: string[]; counterparty?: string; reference?: unknown };
  type SerialBody = {
    status: string;
    history: Entry[];
    warranty: { startsOn: string; endsOn: string; status: string; replaces?: unknown; claims: unknown[] };
  };
  const getSerial = (s: string) => call<SerialBody>(makeGetSerial(d), 'GET', `/serials/${GTIN.phone}/${s}`);
  const claim = (serial: string, body: Record<string, unknown>) =>
    call(makePostSerialWarrantyClaims(d), 'POST', `/serials/${GTIN.phone}/${serial}/warranty-claims`, body);
  const defectReturns = async (lot: string) => (await d.ledger.getLot({ gtin: GTIN.phone, lot }))?.defectReturns;

  beforeAll(async () => {
    const phone = (eventId: string, type: string, lot: string, serials: string[], occurredAt: string, more: Record<string, unknown> = {}) => ({
      eventId,
      type,
      occurredAt,
      gtin: GTIN.phone,
      lot,
      quantity: serials.length,
      serials,
      site: 'store-1',
      ...more,
    });
    const r = await call(makePostMovements(d), 'POST', '/movements', {
      movements: [
        phone('wc-1', 'receive', 'V3', ['C1', 'C2', 'C3'], '2025-06-01T08:00:00Z', { counterparty: 'farm-1' }),
        phone('wc-2', 'receive', 'V4', ['R1', 'R2'], '2025-06-01T08:00:00Z', { counterparty: 'farm-1' }),
        phone('wc-3', 'sell', 'V3', ['C1'], '2026-01-31T15:00:00-05:00', { counterparty: 'cust-1' }),
        phone('wc-4', 'sell', 'V3', ['C2', 'C3'], '2026-02-10T15:00:00Z'),
      ],
    });
    expect(r.body).toMatchObject({ accepted: 4 });
  });

  it('hands a replacement out: both histories show it, it keeps the rest of the cover, the lot counts a defect, a resend changes nothing', async () => {
    const body = {
      claimId: 'RMA-1',
      reportedAt: '2026-02-20T09:00:00-05:00',
      problem: 'Does not power on',
      resolution: 'replace',
      replacementSerial: 'R1',
    };
    const first = await claim('C1', body);
    expect(first.status).toBe(201);
    const eventId = `warranty-claim:${GTIN.phone}:C1:RMA-1`;
    expect(first.body).toMatchObject({
      claimId: 'RMA-1',
      serial: 'C1',
      lot: 'V3',
      warranty: { startsOn: '2026-01-31', endsOn: '2027-01-31' },
      replacement: { serial: 'R1', lot: 'V4', eventId, site: 'store-1', warranty: { startsOn: '2026-02-20', endsOn: '2027-01-31' } },
    });
    const handedOut = { eventId, type: 'sell', lot: 'V4', serials: ['R1'], counterparty: 'cust-1', reference: { type: 'RMA', number: 'RMA-1' } };
    const original = await getSerial('C1');
    const replacement = await getSerial('R1');
    expect(original.body.history.at(-1)).toMatchObject(handedOut);
    expect(original.body.warranty.claims).toEqual([first.body]);
    expect(replacement.body).toMatchObject({
      status: 'sold',
      history: [{ type: 'receive' }, handedOut],
      warranty: { startsOn: '2026-02-20', endsOn: '2027-01-31', status: 'in-warranty', replaces: { serial: 'C1', claimId: 'RMA-1' }, claims: [] },
    });
    const lotV4 = await call<{ onHand: number; seq: number }>(makeGetLot(d), 'GET', `/lots/${GTIN.phone}/V4`);
    expect(lotV4.body.onHand).toBe(1);
    expect(await defectReturns('V3')).toBe(1);

    const again = await claim('C1', body);
    expect(again).toEqual(first);
    expect((await getSerial('R1')).body.history).toHaveLength(2);
    expect((await call<{ seq: number }>(makeGetLot(d), 'GET', `/lots/${GTIN.phone}/V4`)).body.seq).toBe(lotV4.body.seq);
    expect(await defectReturns('V3')).toBe(1);

    const reused = await claim('C1', { ...body, problem: 'Cracked screen' });
    expect(reused).toMatchObject({ status: 409, body: { error: { code: 'idempotency_key_reused', details: [{ path: 'claimId' }] } } });
  });

  it('refuses a replacement no longer in stock, or of another product, and a claim out of warranty, writing nothing', async () => {
    const notInStock = await claim('C2', { claimId: 'RMA-2', reportedAt: '2026-02-21T09:00:00Z', problem: 'x', replacementSerial: 'R1' });
    expect(notInStock).toMatchObject({ status: 409, body: { error: { code: 'serial_not_in_stock', details: [{ path: 'replacementSerial' }] } } });
    const expired = await claim('A1', { claimId: 'RMA-3', reportedAt: '2026-03-01T09:00:00Z', problem: 'x' });
    expect(expired).toMatchObject({ status: 409, body: { error: { code: 'warranty_expired' } } });
    const notSold = await claim('R2', { claimId: 'RMA-4', reportedAt: '2026-02-21T09:00:00Z', problem: 'x' });
    expect(notSold).toMatchObject({ status: 409, body: { error: { code: 'warranty_not_started' } } });
    expect((await getSerial('C2')).body.warranty.claims).toEqual([]);
    expect(await defectReturns('V3')).toBe(1);
  });

  it('puts the lot on QA hold once its claims pass the defect-rate limit', async () => {
    for (const s of ['C2', 'C3'])
      expect((await claim(s, { claimId: `RMA-${s}`, reportedAt: '2026-02-22T09:00:00Z', problem: 'Battery swells' })).status).toBe(201);
    expect(await defectReturns('V3')).toBe(3);
    expect((await call<{ status: string }>(makeGetLot(d), 'GET', `/lots/${GTIN.phone}/V3`)).body.status).toBe('on-hold');
    // the lot report counts the claims as the lot's defect returns, in the days they were reported
    const report = async (q: string) =>
      (
        await call<{ lots: { lot: string; defectReturns: number }[] }>(makeGetReportsLots(d), 'GET', `/reports/lots?gtin=${GTIN.phone}${q}`)
      ).body.lots.find((l) => l.lot === 'V3')?.defectReturns;
    expect(await report('')).toBe(3);
    expect(await report('&from=2026-02-22&to=2026-02-22')).toBe(2);
  });
});

describe('a claim right after the sale, before the sequencer chains it', () => {
  it('sees the accepted sale: the warranty has started, in the claim and in GET /serials', async () => {
    const t = await freshTable('warranty-unchained');
    const dd = depsFor(t.doc, t.tableName, undefined, { chain: 'deferred' });
    for (const { siteId, ...s } of SITES) await upsertSite(dd, siteId, SiteInput.parse(s));
    expect((await call(makePutProduct(dd), 'PUT', `/products/${GTIN.phone}`, { description: 'Handset X', warrantyMonths: 12 })).status).toBe(200);
    const at = (day: string) => `2026-02-${day}T08:00:00Z`;
    const recorded = await call<{ accepted: number }>(makePostMovements(dd), 'POST', '/movements', {
      movements: [
        {
          eventId: 'u-1',
          type: 'receive',
          occurredAt: at('01'),
          gtin: GTIN.phone,
          lot: 'U1',
          quantity: 1,
          serials: ['U-1'],
          site: 'store-1',
          counterparty: 'farm-1',
        },
        {
          eventId: 'u-2',
          type: 'sell',
          occurredAt: at('02'),
          gtin: GTIN.phone,
          lot: 'U1',
          quantity: 1,
          serials: ['U-1'],
          site: 'store-1',
          counterparty: 'cust-1',
        },
      ],
    });
    expect(recorded.body.accepted).toBe(2);
    expect(await dd.ledger.unchainedCount({ gtin: GTIN.phone, lot: 'U1' })).toBe(2);
    const serial = await call<{ status: string; warranty: { status: string; startsOn: string } }>(
      makeGetSerial(dd),
      'GET',
      `/serials/${GTIN.phone}/U-1`,
    );
    expect(serial.body).toMatchObject({ status: 'sold', warranty: { status: 'in-warranty', startsOn: '2026-02-02' } });
    const claim = await call(makePostSerialWarrantyClaims(dd), 'POST', `/serials/${GTIN.phone}/U-1/warranty-claims`, {
      claimId: 'RMA-U1',
      reportedAt: '2026-02-20T09:00:00Z',
      problem: 'No power',
    });
    expect(claim.status).toBe(201);
  });

  it('answers every concurrent resend of a claim with a replacement with the one claim, the unit handed out once', async () => {
    const t = await freshTable('warranty-resends');
    const dd = depsFor(t.doc, t.tableName, undefined, { chain: 'deferred' });
    for (const { siteId, ...s } of SITES) await upsertSite(dd, siteId, SiteInput.parse(s));
    expect((await call(makePutProduct(dd), 'PUT', `/products/${GTIN.phone}`, { description: 'Handset X', warrantyMonths: 12 })).status).toBe(200);
    const recorded = await call<{ accepted: number }>(makePostMovements(dd), 'POST', '/movements', {
      movements: [
        {
          eventId: 'p-1',
          type: 'receive',
          occurredAt: '2026-02-01T08:00:00Z',
          gtin: GTIN.phone,
          lot: 'P1',
          quantity: 2,
          serials: ['P-1', 'P-2'],
          site: 'store-1',
          counterparty: 'farm-1',
        },
        {
          eventId: 'p-2',
          type: 'sell',
          occurredAt: '2026-02-02T08:00:00Z',
          gtin: GTIN.phone,
          lot: 'P1',
          quantity: 1,
          serials: ['P-1'],
          site: 'store-1',
          counterparty: 'cust-1',
        },
      ],
    });
    expect(recorded.body.accepted).toBe(2);
    const body = { claimId: 'RMA-P1', reportedAt: '2026-02-20T09:00:00Z', problem: 'No power', replacementSerial: 'P-2' };
    const answers = await Promise.all(
      Array.from({ length: 6 }, () =>
        call<{ claimId: string }>(makePostSerialWarrantyClaims(dd), 'POST', `/serials/${GTIN.phone}/P-1/warranty-claims`, body),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual([201, 201, 201, 201, 201, 201]);
    for (const a of answers) expect(a.body).toEqual(answers[0]?.body);
    expect((await dd.ledger.getSerial(GTIN.phone, 'P-2'))?.status).toBe('sold');
  });
});
