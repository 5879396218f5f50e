import { beforeAll, describe, expect, it } from 'vitest';
import { makeGetLotTrace } from '../../functions/get-lot-trace.js';
import { makeGetSerial } from '../../functions/get-serial.js';
import { makePostMovements } from '../../functions/post-movements.js';
import { ProductInput, SiteInput, upsertProduct, upsertSite } from '../../lib/domain/master-data.js';
import { freshTable } from '../support/aws.js';
import { chainAll } from '../support/chaining-ledger.js';
import { depsFor } from '../support/deps.js';
import { GTIN, mv, PRODUCTS, SITES } from '../support/fixtures.js';
import { call } from '../support/http.js';

/**
 * The contract lets only the movements list, verify and exports trail acceptance (by up to 2 s): a trace's movements
 * and a serial's history right after a write must list it. Here chaining is the sequencer's (deferred), run a moment
 * after the read starts, as the deployed sequencer runs a moment after acceptance.
 */
let t: Awaited<ReturnType<typeof freshTable>>;
let d: ReturnType<typeof depsFor>;

beforeAll(async () => {
  t = await freshTable('read-after-write');
  d = depsFor(t.doc, t.tableName, undefined, { chain: 'deferred' });
  for (const { gtin, ...p } of PRODUCTS) await upsertProduct(d, gtin, ProductInput.parse(p));
  for (const { siteId, ...s } of SITES) await upsertSite(d, siteId, SiteInput.parse(s));
});

const sequencerSoon = () => setTimeout(() => void chainAll(t.doc, t.tableName), 300);

describe('reads right after a write', () => {
  it('a trace lists the movements accepted a moment ago, once they are chained', async () => {
    const r = await call<{ accepted: number }>(makePostMovements(d), 'POST', '/movements', {
      movements: [
        mv({ type: 'receive', lot: 'RW1', quantity: 5, counterparty: 'farm-1' }),
        mv({ type: 'transfer', lot: 'RW1', quantity: 2, counterparty: 'store-1' }),
        mv({ type: 'sell', lot: 'RW1', quantity: 1, site: 'store-1', counterparty: 'cust-1' }),
      ],
    });
    expect(r.body.accepted).toBe(3);
    sequencerSoon();
    const trace = await call<{ movements: { seq: number }[]; sites: { siteId: string }[] }>(
      makeGetLotTrace(d),
      'GET',
      `/lots/${GTIN.romaine}/RW1/trace?direction=forward`,
    );
    expect(trace.body.movements.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(trace.body.sites.map((s) => s.siteId)).toEqual(['cust-1', 'dc-1', 'store-1']);
  });

  it("a serial's history lists its sale of a moment ago, and its warranty counts it", async () => {
    const phone = { gtin: GTIN.phone, lot: 'RW2', quantity: 1, serials: ['RW-1'] };
    await call(makePostMovements(d), 'POST', '/movements', {
      movements: [mv({ type: 'receive', ...phone, counterparty: 'farm-1' }), mv({ type: 'sell', ...phone, counterparty: 'cust-1' })],
    });
    sequencerSoon();
    const got = await call<{ status: string; history: { type: string; seq: number }[] }>(makeGetSerial(d), 'GET', `/serials/${GTIN.phone}/RW-1`);
    expect(got.body.status).toBe('sold');
    expect(got.body.history.map((e) => [e.type, e.seq])).toEqual([
      ['receive', 1],
      ['sell', 2],
    ]);
  });
});
