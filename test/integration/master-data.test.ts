import { beforeAll, describe, expect, it } from 'vitest';
import type { Deps } from '../../functions/deps.js';
import { makeGetProduct } from '../../functions/get-product.js';
import { makeGetSite } from '../../functions/get-site.js';
import { makePutProduct } from '../../functions/put-product.js';
import { makePutSite } from '../../functions/put-site.js';
import { freshTable } from '../support/aws.js';
import { depsFor } from '../support/deps.js';
import { call } from '../support/http.js';

let d: Deps;
beforeAll(async () => {
  const t = await freshTable('master');
  d = depsFor(t.doc, t.tableName);
});

describe('master data against DynamoDB Local', () => {
  it('stores a product under its 14-digit GTIN when given a GTIN-13, and reads it back', async () => {
    const put = await call(makePutProduct(d), 'PUT', '/products/4006381333931', { description: 'Pencils', ftl: false });
    const got = await call(makeGetProduct(d), 'GET', '/products/04006381333931');
    expect(put.status).toBe(200);
    expect(got).toMatchObject({ status: 200, body: { gtin: '04006381333931', description: 'Pencils', unit: 'ea', ftl: false, expiryAlertDays: 7 } });
  });

  it('answers 400 naming gtin for a bad check digit, and writes nothing', async () => {
    const r = await call(makePutProduct(d), 'PUT', '/products/00614141000013', { description: 'x' });
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ error: { code: 'validation_failed', details: [{ path: 'gtin' }] } });
    expect((await call(makeGetProduct(d), 'GET', '/products/00614141000012')).status).toBe(404);
  });

  it('answers 400 naming each bad field of a site', async () => {
    const r = await call(makePutSite(d), 'PUT', '/sites/dc-1', { kind: 'depot', name: '', gln: '123' });
    expect(r.status).toBe(400);
    const paths = (r.body as { error: { details: { path: string }[] } }).error.details.map((x) => x.path).sort();
    expect(paths).toEqual(['gln', 'kind', 'name']);
  });

  it('answers 400 for a siteId outside [A-Za-z0-9._-]', async () => {
    const r = await call(makePutSite(d), 'PUT', '/sites/bad%20id', { kind: 'store', name: 'S' });
    expect(r).toMatchObject({ status: 400, body: { error: { details: [{ path: 'siteId' }] } } });
  });

  it('stores a site with its FSMA 204 location description fields', async () => {
    const body = {
      kind: 'store',
      name: 'Main St',
      phone: '555-0100',
      address: { street: '1 Main St', city: 'Springfield', state: 'IL', postalCode: '62701', country: 'US' },
      gln: '0614141000005',
    };
    await call(makePutSite(d), 'PUT', '/sites/store-9', body);
    const r = await call(makeGetSite(d), 'GET', '/sites/store-9');
    expect(r).toMatchObject({ status: 200, body: { siteId: 'store-9', ...body } });
  });

  it('answers 404 for an unknown site and 400 for malformed JSON', async () => {
    expect((await call(makeGetSite(d), 'GET', '/sites/nowhere')).status).toBe(404);
    expect((await call(makePutSite(d), 'PUT', '/sites/x', '{not json')).body).toMatchObject({ error: { code: 'validation_failed' } });
  });
});
