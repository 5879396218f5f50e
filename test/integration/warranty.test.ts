import { beforeAll, describe, expect, it } from 'vitest';
import { makeGetSerial } from '../../functions/get-serial.js';
import { makeGetSerialCompatibility } from '../../functions/get-serial-compatibility.js';
import { makePostMovements } from '../../functions/post-movements.js';
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
