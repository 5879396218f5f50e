import { beforeAll, describe, expect, it } from 'vitest';
import type { Deps } from '../../functions/deps.js';
import { makeGetLedgerVerify } from '../../functions/get-ledger-verify.js';
import { makeGetLot } from '../../functions/get-lot.js';
import { makeGetSitePick } from '../../functions/get-site-pick.js';
import { makeGetSitePutaway } from '../../functions/get-site-putaway.js';
import { makePostMovements } from '../../functions/post-movements.js';
import { makePutSite } from '../../functions/put-site.js';
import { ProductInput, SiteInput, upsertProduct, upsertSite } from '../../lib/domain/master-data.js';
import { freshTable } from '../support/aws.js';
import { depsFor } from '../support/deps.js';
import { GTIN, mv, PRODUCTS, SITES } from '../support/fixtures.js';
import { call } from '../support/http.js';

type Results = { accepted: number; results: { status: string; code?: string; errors?: { path: string }[] }[] };

describe('bins and putaway on the local stack', () => {
  let d: Deps;
  const post = async (movements: unknown[]) => (await call<Results>(makePostMovements(d), 'POST', '/movements', { movements })).body;
  const putawayOf = (siteId: string, lot: string) =>
    call<{ bin?: string; reason?: string; error?: { code: string; details: { path: string }[] } }>(
      makeGetSitePutaway(d),
      'GET',
      `/sites/${siteId}/putaway?gtin=${GTIN.romaine}&lot=${lot}`,
    );

  beforeAll(async () => {
    const t = await freshTable('bins');
    d = depsFor(t.doc, t.tableName);
    for (const { gtin, ...p } of PRODUCTS) await upsertProduct(d, gtin, ProductInput.parse(p));
    for (const { siteId, ...s } of SITES) await upsertSite(d, siteId, SiteInput.parse(s));
    const put = makePutSite(d);
    expect((await call(put, 'PUT', '/sites/dc-1', { kind: 'warehouse', name: 'DC One', bins: ['A-01', 'A-02', 'B-01'] })).status).toBe(200);
    expect((await call(put, 'PUT', '/sites/store-1', { kind: 'store', name: 'Store One', bins: ['S1', 'S2'] })).status).toBe(200);
  });

  it('refuses bins on an external site, naming the field', async () => {
    const r = await call<{ error: { code: string; details: { path: string }[] } }>(makePutSite(d), 'PUT', '/sites/farm-1', {
      kind: 'supplier',
      name: 'Green Farm',
      bins: ['X'],
    });
    expect(r.status).toBe(400);
    expect(r.body.error.details.map((x) => x.path)).toEqual(['bins']);
  });

  it('receives into bins, transfers to a destination bin, sells from a bin, and the chain still verifies', async () => {
    // an empty site: the first bin in the site's order
    expect((await putawayOf('dc-1', 'B1')).body).toMatchObject({ bin: 'A-01', reason: 'empty-bin' });
    const receive = (lot: string, bin: string, quantity: number) =>
      mv({ type: 'receive', lot, bin, quantity, counterparty: 'farm-1', expiry: lot === 'B1' ? '2026-03-10' : '2026-03-20' });
    const r = await post([receive('B1', 'A-01', 10), receive('B2', 'A-02', 5), receive('B3', 'B-01', 4)]);
    expect(r.accepted).toBe(3);

    const moved = await post([
      mv({ type: 'transfer', lot: 'B1', bin: 'A-01', quantity: 6, counterparty: 'store-1', counterpartyBin: 'S2' }),
      mv({ type: 'sell', lot: 'B1', site: 'store-1', bin: 'S2', quantity: 2, counterparty: 'cust-1' }),
    ]);
    expect(moved.results.map((x) => x.status)).toEqual(['accepted', 'accepted']);

    const lot = await call<{ balances: unknown[] }>(makeGetLot(d), 'GET', `/lots/${GTIN.romaine}/B1`);
    expect(lot.body.balances).toEqual([
      { siteId: 'dc-1', quantity: 4, received: 10, bins: [{ bin: 'A-01', quantity: 4 }] },
      { siteId: 'store-1', quantity: 4, received: 6, bins: [{ bin: 'S2', quantity: 4 }] },
    ]);

    const pick = await call<{ picks: unknown[] }>(makeGetSitePick(d), 'GET', `/sites/dc-1/pick?gtin=${GTIN.romaine}&quantity=6`);
    expect(pick.body.picks).toEqual([
      { lot: 'B1', expiry: '2026-03-10', quantity: 4, available: 4, bin: 'A-01' },
      { lot: 'B2', expiry: '2026-03-20', quantity: 2, available: 5, bin: 'A-02' },
    ]);

    const verify = await call<{ ok: boolean; entries: number }>(makeGetLedgerVerify(d), 'GET', `/ledger/verify?gtin=${GTIN.romaine}&lot=B1`);
    expect(verify.body).toMatchObject({ ok: true, entries: 3 });
    const all = await call<{ ok: boolean; failures: unknown[] }>(makeGetLedgerVerify(d), 'GET', '/ledger/verify');
    expect(all.body).toMatchObject({ ok: true, failures: [] });
  });

  it('answers putaway from what the bins hold: the lot, an empty bin, the fewest other lots', async () => {
    expect((await putawayOf('dc-1', 'B2')).body).toMatchObject({ bin: 'A-02', reason: 'holds-lot' });
    // store-1: S2 holds B1, S1 is empty
    expect((await putawayOf('store-1', 'B9')).body).toMatchObject({ bin: 'S1', reason: 'empty-bin' });
    // dc-1: every bin holds one other lot; the first in the site's order
    expect((await putawayOf('dc-1', 'B9')).body).toMatchObject({ bin: 'A-01', reason: 'fewest-other-lots' });
    // taking B1 out of A-01 empties it
    expect((await post([mv({ type: 'ship', lot: 'B1', bin: 'A-01', quantity: 4, counterparty: 'dist-1' })])).accepted).toBe(1);
    expect((await putawayOf('dc-1', 'B9')).body).toMatchObject({ bin: 'A-01', reason: 'empty-bin' });
  });

  it('rejects an unknown bin per record and writes nothing; putaway refuses bad queries and sites', async () => {
    const r = await post([
      mv({ type: 'receive', lot: 'B5', bin: 'Z-99', quantity: 1, counterparty: 'farm-1' }),
      mv({ type: 'transfer', lot: 'B2', bin: 'A-02', quantity: 1, counterparty: 'store-1', counterpartyBin: 'A-02' }),
    ]);
    expect(r.results.map((x) => [x.status, x.code, x.errors?.[0]?.path])).toEqual([
      ['rejected', 'bin_not_found', 'movements.0.bin'],
      ['rejected', 'bin_not_found', 'movements.1.counterpartyBin'],
    ]);
    expect((await call(makeGetLot(d), 'GET', `/lots/${GTIN.romaine}/B5`)).status).toBe(404);
    expect((await call<{ balances: unknown[] }>(makeGetLot(d), 'GET', `/lots/${GTIN.romaine}/B2`)).body.balances).toEqual([
      { siteId: 'dc-1', quantity: 5, received: 5, bins: [{ bin: 'A-02', quantity: 5 }] },
    ]);

    expect((await putawayOf('nowhere', 'B1')).status).toBe(404);
    const noBins = await putawayOf('store-2', 'B1');
    expect([noBins.status, noBins.body.error?.code]).toEqual([409, 'invalid_state']);
    const badLot = await call<{ error: { details: { path: string }[] } }>(
      makeGetSitePutaway(d),
      'GET',
      `/sites/dc-1/putaway?gtin=${GTIN.romaine}&lot=`,
    );
    expect([badLot.status, badLot.body.error.details[0]?.path]).toEqual([400, 'lot']);
    const badGtin = await call<{ error: { details: { path: string }[] } }>(makeGetSitePutaway(d), 'GET', '/sites/dc-1/putaway?gtin=123&lot=B1');
    expect([badGtin.status, badGtin.body.error.details[0]?.path]).toEqual([400, 'gtin']);
  });
});
