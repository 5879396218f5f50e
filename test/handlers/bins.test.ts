import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, GetCommand, PutCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { makeGetSitePutaway } from '../../functions/get-site-putaway.js';
import { makePostMovements } from '../../functions/post-movements.js';
import { makePutSite } from '../../functions/put-site.js';
import { documentClient } from '../../lib/store/document-client.js';
import { depsFor } from '../support/deps.js';
import { GTIN, mv } from '../support/fixtures.js';
import { call } from '../support/http.js';

const doc = documentClient(new DynamoDBClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }));
const ddb = mockClient(doc);
const d = depsFor(doc, 'tbl', undefined, { chain: 'deferred' });

const product = {
  pk: `PRODUCT#${GTIN.romaine}`,
  sk: 'PRODUCT',
  entity: 'product',
  gtin: GTIN.romaine,
  description: 'R',
  unit: 'case',
  ftl: false,
  expiryAlertDays: 5,
};
const site = (siteId: string, kind: string, bins?: string[]) => ({
  pk: `SITE#${siteId}`,
  sk: 'SITE',
  entity: 'site',
  siteId,
  kind,
  name: siteId,
  ...(bins ? { bins } : {}),
});
type Rejected = { results: { status: string; code?: string; errors?: { path: string }[] }[] };
type ErrorBody = { error: { code: string; details: { path: string }[] } };

beforeEach(() => ddb.reset());

describe('POST /movements with bins', () => {
  it('rejects a bin the site does not list, naming the field, and sends no transaction', async () => {
    ddb.on(BatchGetCommand).resolves({ Responses: { tbl: [product, site('dc-1', 'warehouse', ['A1']), site('farm-1', 'supplier')] } });
    const r = await call<Rejected>(makePostMovements(d), 'POST', '/movements', {
      movements: [mv({ type: 'receive', eventId: 'e-bin', bin: 'B9', counterparty: 'farm-1' })],
    });
    expect(r.status).toBe(200);
    expect(r.body.results[0]).toMatchObject({ status: 'rejected', code: 'bin_not_found', errors: [{ path: 'movements.0.bin' }] });
    expect(ddb).not.toHaveReceivedCommand(TransactWriteCommand);
  });

  it('rejects a destination bin the counterparty does not list', async () => {
    ddb.on(BatchGetCommand).resolves({ Responses: { tbl: [product, site('dc-1', 'warehouse', ['A1']), site('store-1', 'store', ['S1'])] } });
    const r = await call<Rejected>(makePostMovements(d), 'POST', '/movements', {
      movements: [mv({ type: 'transfer', eventId: 'e-cb', bin: 'A1', counterparty: 'store-1', counterpartyBin: 'A1' })],
    });
    expect(r.body.results[0]).toMatchObject({ status: 'rejected', code: 'bin_not_found', errors: [{ path: 'movements.0.counterpartyBin' }] });
    expect(ddb).not.toHaveReceivedCommand(TransactWriteCommand);
  });

  it('writes a receipt into a bin on the stock head, in the site bins index, with the bin in the delta', async () => {
    ddb.on(BatchGetCommand).resolves({ Responses: { tbl: [product, site('dc-1', 'warehouse', ['A1']), site('farm-1', 'supplier')] } });
    ddb.on(TransactWriteCommand).resolves({});
    const r = await call(makePostMovements(d), 'POST', '/movements', {
      movements: [mv({ type: 'receive', eventId: 'e-in', bin: 'A1', counterparty: 'farm-1' })],
    });
    expect(r.body).toMatchObject({ accepted: 1 });
    const items = ddb.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems?.map((i) => i.Put?.Item) ?? [];
    expect(items.find((i) => i?.entity === 'stock')).toMatchObject({
      q: 10,
      bins: [{ bin: 'A1', q: 10 }],
      gsi1pk: expect.stringMatching(/^BINS#dc-1#\d+$/),
    });
    expect(items.find((i) => i?.entity === 'pending')).toMatchObject({ entry: { deltas: [{ siteId: 'dc-1', quantity: 10, bin: 'A1' }] } });
  });
});

describe('PUT /sites/{siteId} with bins', () => {
  it('refuses a bin listed twice and bins on an external site, writing nothing', async () => {
    const twice = await call<ErrorBody>(makePutSite(d), 'PUT', '/sites/dc-1', { kind: 'warehouse', name: 'DC', bins: ['A1', 'A1'] });
    const external = await call<ErrorBody>(makePutSite(d), 'PUT', '/sites/farm-1', { kind: 'supplier', name: 'F', bins: ['A1'] });
    expect([twice.status, twice.body.error.details[0]?.path]).toEqual([400, 'bins.1']);
    expect([external.status, external.body.error.details[0]?.path]).toEqual([400, 'bins']);
    expect(ddb).not.toHaveReceivedCommand(PutCommand);
  });
});

describe('GET /sites/{siteId}/putaway', () => {
  const getItem = (items: Record<string, unknown>[]) => (input: { Key?: Record<string, unknown> }) => ({
    Item: items.find((i) => i.pk === input.Key?.pk && i.sk === input.Key?.sk),
  });

  it('answers 400 naming gtin or lot, before reading anything', async () => {
    const h = makeGetSitePutaway(d);
    const noLot = await call<ErrorBody>(h, 'GET', `/sites/dc-1/putaway?gtin=${GTIN.romaine}`);
    const badGtin = await call<ErrorBody>(h, 'GET', '/sites/dc-1/putaway?gtin=00614141000013&lot=L1');
    const badLot = await call<ErrorBody>(h, 'GET', `/sites/dc-1/putaway?gtin=${GTIN.romaine}&lot=${'x'.repeat(21)}`);
    expect([noLot, badGtin, badLot].map((r) => [r.status, r.body.error.details[0]?.path])).toEqual([
      [400, 'lot'],
      [400, 'gtin'],
      [400, 'lot'],
    ]);
    expect(ddb.calls()).toHaveLength(0);
  });

  it('answers 404 for an unknown site and 409 for a site without bins', async () => {
    ddb.on(GetCommand).callsFake(getItem([product, site('store-2', 'store')]));
    const h = makeGetSitePutaway(d);
    const unknown = await call<ErrorBody>(h, 'GET', `/sites/nowhere/putaway?gtin=${GTIN.romaine}&lot=L1`);
    const noBins = await call<ErrorBody>(h, 'GET', `/sites/store-2/putaway?gtin=${GTIN.romaine}&lot=L1`);
    expect([unknown.status, unknown.body.error.code]).toEqual([404, 'site_not_found']);
    expect([noBins.status, noBins.body.error.code]).toEqual([409, 'invalid_state']);
  });

  it('reads the 16 shards of the site bins index and names the bin holding the lot', async () => {
    ddb.on(GetCommand).callsFake(getItem([product, site('dc-1', 'warehouse', ['A1', 'A2'])]));
    ddb.on(QueryCommand).callsFake((input: { ExpressionAttributeValues?: Record<string, unknown> }) => ({
      Items:
        input.ExpressionAttributeValues?.[':pk'] === 'BINS#dc-1#3'
          ? [
              {
                pk: `LOT#${GTIN.romaine}#L1`,
                sk: 'BAL#dc-1',
                entity: 'stock',
                gtin: GTIN.romaine,
                lot: 'L1',
                siteId: 'dc-1',
                q: 4,
                bins: [{ bin: 'A2', q: 4 }],
              },
            ]
          : [],
    }));
    const r = await call(makeGetSitePutaway(d), 'GET', `/sites/dc-1/putaway?gtin=${GTIN.romaine}&lot=L1`);
    expect(r).toMatchObject({ status: 200, body: { siteId: 'dc-1', gtin: GTIN.romaine, lot: 'L1', bin: 'A2', reason: 'holds-lot' } });
    expect(ddb.commandCalls(QueryCommand).map((c) => c.args[0].input.IndexName)).toEqual(Array(16).fill('gsi1'));
  });
});
