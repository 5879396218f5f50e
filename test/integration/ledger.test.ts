import { DeleteItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Deps } from '../../functions/deps.js';
import { makeGetLedgerVerify } from '../../functions/get-ledger-verify.js';
import { makeGetLot } from '../../functions/get-lot.js';
import { makeGetLotMovements } from '../../functions/get-lot-movements.js';
import { makeGetSerial } from '../../functions/get-serial.js';
import { makePostLotHold } from '../../functions/post-lot-hold.js';
import { makePostLotRelease } from '../../functions/post-lot-release.js';
import { makePostMovements } from '../../functions/post-movements.js';
import { ProductInput, SiteInput, upsertProduct, upsertSite } from '../../lib/domain/master-data.js';
import { keys } from '../../lib/store/keys.js';
import { freshTable } from '../support/aws.js';
import { depsFor } from '../support/deps.js';
import { GTIN, mv, PRODUCTS, SITES } from '../support/fixtures.js';
import { call } from '../support/http.js';

let d: Deps;
let raw: Awaited<ReturnType<typeof freshTable>>;
const post = (movements: unknown[]) =>
  call<{ accepted: number; duplicates: number; rejected: number; results: { status: string; code?: string }[] }>(
    makePostMovements(d),
    'POST',
    '/movements',
    { movements },
  );

beforeAll(async () => {
  raw = await freshTable('ledger');
  d = depsFor(raw.doc, raw.tableName);
  for (const { gtin, ...p } of PRODUCTS) await upsertProduct(d, gtin, ProductInput.parse(p));
  for (const { siteId, ...s } of SITES) await upsertSite(d, siteId, SiteInput.parse(s));
});

describe('the ledger against DynamoDB Local', () => {
  it('records a lot’s life and shows it through GET /lots, paging /movements with a cursor', async () => {
    const r = await post([
      mv({ type: 'receive', lot: 'A1', quantity: 20, counterparty: 'farm-1', expiry: '2026-12-31' }),
      mv({ type: 'transfer', lot: 'A1', quantity: 8, counterparty: 'store-1' }),
      mv({ type: 'sell', lot: 'A1', quantity: 3, site: 'store-1', counterparty: 'cust-1' }),
      mv({ type: 'ship', lot: 'A1', quantity: 2, counterparty: 'dist-1' }),
    ]);
    expect(r.body).toMatchObject({ accepted: 4, rejected: 0 });
    const lot = await call(makeGetLot(d), 'GET', `/lots/${GTIN.romaine}/A1`);
    expect(lot.body).toMatchObject({
      gtin: GTIN.romaine,
      lot: 'A1',
      description: 'Romaine hearts 3ct',
      expiry: '2026-12-31',
      status: 'active',
      onHand: 15,
      balances: [
        { siteId: 'dc-1', quantity: 10 },
        { siteId: 'store-1', quantity: 5 },
      ],
    });
    const movements = makeGetLotMovements(d);
    const p1 = await call<{ items: { seq: number; hash: string; prevHash: string }[]; nextCursor?: string }>(
      movements,
      'GET',
      `/lots/${GTIN.romaine}/A1/movements?limit=3`,
    );
    expect(p1.body.items.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(p1.body.items[1]?.prevHash).toBe(p1.body.items[0]?.hash);
    const p2 = await call<{ items: { seq: number }[]; nextCursor?: string }>(
      movements,
      'GET',
      `/lots/${GTIN.romaine}/A1/movements?limit=3&cursor=${p1.body.nextCursor}`,
    );
    expect(p2.body.items.map((e) => e.seq)).toEqual([4]);
    expect(p2.body.nextCursor).toBeUndefined();
    // a last page that is exactly full carries no cursor (DynamoDB says there may be more; the chain head says not)
    const whole = await call<{ items: { seq: number }[]; nextCursor?: string }>(movements, 'GET', `/lots/${GTIN.romaine}/A1/movements?limit=4`);
    expect(whole.body.items.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    expect(whole.body.nextCursor).toBeUndefined();
  });

  it('holds a lot (ingest then refuses to ship it) and releases it, both as chain entries', async () => {
    await post([mv({ type: 'receive', lot: 'H1', quantity: 5, counterparty: 'farm-1' })]);
    const held = await call(makePostLotHold(d), 'POST', `/lots/${GTIN.romaine}/H1/hold`, { reason: 'lab sample pending' });
    expect(held.body).toMatchObject({ status: 'on-hold' });
    const ship = await post([mv({ type: 'ship', lot: 'H1', quantity: 1, counterparty: 'dist-1' })]);
    expect(ship.body.results[0]).toMatchObject({ status: 'rejected', code: 'lot_blocked' });
    const released = await call(makePostLotRelease(d), 'POST', `/lots/${GTIN.romaine}/H1/release`, { reason: 'lab clear' });
    expect(released.body).toMatchObject({ status: 'active', seq: 3 });
    expect((await post([mv({ type: 'ship', lot: 'H1', quantity: 1, counterparty: 'dist-1' })])).body.accepted).toBe(1);
  });

  it('shows a serial with its status, site and history', async () => {
    await post([
      mv({ type: 'receive', gtin: GTIN.phone, lot: 'P1', quantity: 2, serials: ['SN1', 'SN2'], counterparty: 'farm-1' }),
      mv({ type: 'transfer', gtin: GTIN.phone, lot: 'P1', quantity: 1, serials: ['SN1'], counterparty: 'store-1' }),
      mv({ type: 'sell', gtin: GTIN.phone, lot: 'P1', quantity: 1, serials: ['SN1'], site: 'store-1', counterparty: 'cust-1' }),
    ]);
    const s = await call<{ history: { type: string }[] }>(makeGetSerial(d), 'GET', `/serials/${GTIN.phone}/SN1`);
    expect(s.body).toMatchObject({ gtin: GTIN.phone, serial: 'SN1', lot: 'P1', status: 'sold', siteId: 'cust-1' });
    expect(s.body.history.map((h) => h.type)).toEqual(['receive', 'transfer', 'sell']);
    const lot = await call(makeGetLot(d), 'GET', `/lots/${GTIN.phone}/P1`);
    expect(lot.body).toMatchObject({ serials: { inStock: 1, total: 2 } });
    expect((await call(makeGetSerial(d), 'GET', `/serials/${GTIN.phone}/NOPE`)).status).toBe(404);
  });

  it('verifies the chains, then detects an entry changed and an entry removed directly in the table', async () => {
    await post([
      mv({ type: 'receive', lot: 'T1', quantity: 9, counterparty: 'farm-1' }),
      mv({ type: 'sell', lot: 'T1', quantity: 1 }),
      mv({ type: 'sell', lot: 'T1', quantity: 1 }),
      mv({ type: 'receive', lot: 'T2', quantity: 9, counterparty: 'farm-1' }),
      mv({ type: 'sell', lot: 'T2', quantity: 1 }),
    ]);
    const verify = makeGetLedgerVerify(d);
    expect((await call(verify, 'GET', `/ledger/verify?gtin=${GTIN.romaine}&lot=T1`)).body).toMatchObject({
      ok: true,
      entries: 3,
      seq: 3,
      head: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect((await call(verify, 'GET', '/ledger/verify')).body).toMatchObject({ ok: true, failures: [] });

    const e2 = keys.entry({ gtin: GTIN.romaine, lot: 'T1' }, 2);
    await raw.client.send(
      new UpdateItemCommand({
        TableName: raw.tableName,
        Key: { pk: { S: e2.pk }, sk: { S: e2.sk } },
        UpdateExpression: 'SET quantity = :q',
        ExpressionAttributeValues: { ':q': { N: '0.5' } },
      }),
    );
    const e1 = keys.entry({ gtin: GTIN.romaine, lot: 'T2' }, 1);
    await raw.client.send(new DeleteItemCommand({ TableName: raw.tableName, Key: { pk: { S: e1.pk }, sk: { S: e1.sk } } }));

    expect((await call(verify, 'GET', `/ledger/verify?gtin=${GTIN.romaine}&lot=T1`)).body).toMatchObject({ ok: false, firstBadSeq: 2 });
    const all = await call<{ ok: boolean; failures: { lot: string; seq: number }[] }>(verify, 'GET', '/ledger/verify');
    expect(all.body.ok).toBe(false);
    expect(all.body.failures.map((f) => [f.lot, f.seq])).toEqual([
      ['T1', 2],
      ['T2', 1],
    ]);
  });

  it('answers 400 with the field for bad query parameters and 404 for an unknown lot', async () => {
    expect((await call(makeGetLot(d), 'GET', '/lots/123/L1')).body).toMatchObject({
      error: { code: 'validation_failed', details: [{ path: 'gtin' }] },
    });
    expect((await call(makeGetLot(d), 'GET', `/lots/${GTIN.romaine}/NOPE`)).status).toBe(404);
    expect((await call(makeGetLotMovements(d), 'GET', `/lots/${GTIN.romaine}/A1/movements?limit=0`)).status).toBe(400);
    expect((await call(makeGetLotMovements(d), 'GET', `/lots/${GTIN.romaine}/A1/movements?cursor=zzz`)).status).toBe(400);
  });

  it('answers 400 for an empty batch and for more than 500 records', async () => {
    expect((await post([])).status).toBe(400);
    expect((await post(Array.from({ length: 501 }, () => ({})))).status).toBe(400);
  });
});
