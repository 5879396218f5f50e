import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import { makeGetLot } from '../../functions/get-lot.js';
import { makeGetProduct } from '../../functions/get-product.js';
import { makeHealth } from '../../functions/health.js';
import { makePostMovements } from '../../functions/post-movements.js';
import { makePutProduct } from '../../functions/put-product.js';
import { makePutSite } from '../../functions/put-site.js';
import { documentClient } from '../../lib/store/document-client.js';
import { depsFor } from '../support/deps.js';
import { GTIN, mv } from '../support/fixtures.js';
import { call } from '../support/http.js';

const doc = documentClient(new DynamoDBClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }));
const ddb = mockClient(doc);
const d = depsFor(doc, 'tbl', undefined, { env: { EXPORT_BUCKET: 'exports' }, chain: 'deferred' });

beforeEach(() => ddb.reset());

describe('PUT /products/{gtin}', () => {
  it('writes the product under its 14-digit key with the contract defaults', async () => {
    ddb.on(GetCommand).resolves({});
    ddb.on(PutCommand).resolves({});
    ddb.on(UpdateCommand).resolves({}); // raises the expiry check's bound on expiryAlertDays
    const r = await call(makePutProduct(d), 'PUT', '/products/614141000012', { description: 'Romaine' });
    expect(r.status).toBe(200);
    expect(ddb).toHaveReceivedCommandWith(PutCommand, {
      TableName: 'tbl',
      Item: expect.objectContaining({ pk: 'PRODUCT#00614141000012', sk: 'PRODUCT', unit: 'ea', ftl: false, expiryAlertDays: 7 }),
    });
  });

  it('writes nothing for a bad body and names the field', async () => {
    const r = await call(makePutProduct(d), 'PUT', `/products/${GTIN.romaine}`, { description: 'x', expiryAlertDays: -1 });
    expect(r).toMatchObject({ status: 400, body: { error: { code: 'validation_failed', details: [{ path: 'expiryAlertDays' }] } } });
    expect(ddb).not.toHaveReceivedCommand(PutCommand);
  });
});

describe('PUT of a record as GET answered it', () => {
  it('accepts the record id when it matches the path (a GTIN-12 as its GTIN-14) and ignores the timestamps', async () => {
    ddb.on(GetCommand).resolves({});
    ddb.on(PutCommand).resolves({});
    ddb.on(UpdateCommand).resolves({});
    const got = { gtin: GTIN.romaine, description: 'Romaine', createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-02T00:00:00.000Z' };
    expect((await call(makePutProduct(d), 'PUT', '/products/614141000012', got)).status).toBe(200);
    const site = { siteId: 's1', kind: 'store', name: 'S', createdAt: '2026-01-01T00:00:00.000Z' };
    expect((await call(makePutSite(d), 'PUT', '/sites/s1', site)).status).toBe(200);
  });

  it('refuses an id that names another record, writing nothing', async () => {
    const r = await call(makePutProduct(d), 'PUT', `/products/${GTIN.romaine}`, { gtin: GTIN.tomato, description: 'x' });
    expect(r).toMatchObject({ status: 400, body: { error: { code: 'validation_failed', details: [{ path: 'gtin' }] } } });
    const s = await call(makePutSite(d), 'PUT', '/sites/s1', { siteId: 's2', kind: 'store', name: 'S' });
    expect(s).toMatchObject({ status: 400, body: { error: { code: 'validation_failed', details: [{ path: 'siteId' }] } } });
    expect(ddb).not.toHaveReceivedCommand(PutCommand);
  });
});

describe('PUT /sites/{siteId}', () => {
  it('rejects an unknown field rather than silently dropping it', async () => {
    const r = await call(makePutSite(d), 'PUT', '/sites/s1', { kind: 'store', name: 'S', colour: 'red' });
    expect(r.status).toBe(400);
    expect(ddb).not.toHaveReceivedCommand(PutCommand);
  });
});

describe('GET /products/{gtin}', () => {
  it('answers 404 with product_not_found when the item is absent', async () => {
    ddb.on(GetCommand).resolves({});
    expect((await call(makeGetProduct(d), 'GET', `/products/${GTIN.romaine}`)).body).toMatchObject({ error: { code: 'product_not_found' } });
  });

  it('hides an SDK failure behind a 500 with no internal detail', async () => {
    ddb.on(GetCommand).rejects(new Error('connect ECONNREFUSED 10.1.2.3:443'));
    const r = await call(makeGetProduct(d), 'GET', `/products/${GTIN.romaine}`);
    expect(r).toEqual({ status: 500, body: { error: { code: 'internal', message: 'Internal error', details: [] } } });
  });
});

describe('POST /movements', () => {
  it('commits an accepted receipt as one conditional transaction: event, lot meta, stock head and pending entry', async () => {
    ddb.on(BatchGetCommand).resolves({
      Responses: {
        tbl: [
          {
            pk: `PRODUCT#${GTIN.romaine}`,
            sk: 'PRODUCT',
            entity: 'product',
            gtin: GTIN.romaine,
            description: 'R',
            unit: 'case',
            ftl: true,
            expiryAlertDays: 5,
          },
          { pk: 'SITE#dc-1', sk: 'SITE', entity: 'site', siteId: 'dc-1', kind: 'warehouse', name: 'DC' },
        ],
      },
    });
    ddb.on(TransactWriteCommand).resolves({});
    const r = await call(makePostMovements(d), 'POST', '/movements', { movements: [mv({ type: 'receive', eventId: 'e-1' })] });
    expect(r.body).toMatchObject({ accepted: 1 });
    const tx = ddb.commandCalls(TransactWriteCommand)[0]?.args[0].input;
    expect(tx?.TransactItems?.map((i) => [i.Put?.Item?.pk, i.Put?.Item?.sk, i.Put?.ConditionExpression])).toEqual([
      ['EVENT#e-1', 'EVENT', 'attribute_not_exists(pk)'],
      [`LOT#${GTIN.romaine}#L1`, 'LOT', 'attribute_not_exists(pk)'],
      [`LOT#${GTIN.romaine}#L1`, 'BAL#dc-1', 'attribute_not_exists(pk)'],
      [`LOT#${GTIN.romaine}#L1`, expect.stringMatching(/^PEND#2026-03-01T12:00:00\.000Z#e-1#000$/), 'attribute_not_exists(pk)'],
    ]);
    expect(tx?.TransactItems?.[1]?.Put?.Item).toMatchObject({ gsi1pk: `GTIN#${GTIN.romaine}`, seq: 0, statusVersion: 0 });
    expect(tx?.TransactItems?.[2]?.Put?.Item).toMatchObject({ siteId: 'dc-1', q: 10, r: 10, version: 1 });
    expect(tx?.TransactItems?.[3]?.Put?.Item).toMatchObject({
      entity: 'pending',
      entry: { eventId: 'e-1', deltas: [{ siteId: 'dc-1', quantity: 10 }] },
    });
  });

  it('never answers 5xx to an arbitrary body', async () => {
    ddb.on(BatchGetCommand).resolves({ Responses: { tbl: [] } });
    const handler = makePostMovements(d);
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.json(),
          fc.string(),
          fc.array(fc.object(), { maxLength: 3 }).map((movements) => JSON.stringify({ movements })),
          fc.record({ movements: fc.array(fc.anything(), { minLength: 1, maxLength: 3 }) }).map((b) => JSON.stringify(b)),
        ),
        async (body) => {
          const r = await call(handler, 'POST', '/movements', body);
          expect(r.status).toBeLessThan(500);
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe('GET /lots/{gtin}/{lot}', () => {
  it('shows status expired once the expiry date has passed', async () => {
    ddb.on(GetCommand).resolves({});
    ddb.on(QueryCommand).callsFake((input: { ExpressionAttributeValues: Record<string, string>; Select?: string }) => {
      if (input.Select === 'COUNT') return { Count: 0, Items: [] };
      const pk = input.ExpressionAttributeValues[':pk'] as string;
      return {
        Items: [
          {
            pk,
            sk: 'BAL#dc-1',
            entity: 'stock',
            gtin: GTIN.romaine,
            lot: 'L1',
            siteId: 'dc-1',
            q: 2,
            r: 2,
            sold: 0,
            defectReturns: 0,
            serialsTotal: 0,
            serialsInStock: 0,
            version: 1,
            lastAt: 'x',
            status: 'active',
            statusVersion: 0,
          },
          {
            pk,
            sk: 'LOT',
            entity: 'lot',
            gtin: GTIN.romaine,
            lot: 'L1',
            seq: 1,
            headHash: 'h',
            status: 'active',
            statusVersion: 0,
            expiry: '2026-02-01',
            unit: 'case',
            createdAt: 'x',
          },
        ],
      };
    });
    const r = await call(makeGetLot(d), 'GET', `/lots/${GTIN.romaine}/L1`);
    expect(r.body).toMatchObject({ status: 'expired', onHand: 2, description: null, unchained: 0 });
  });
});

describe('GET /health', () => {
  it('reports the table, bucket and the endpoints the SDK was pointed at', async () => {
    ddb.on(GetCommand).resolves({});
    const env = { AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:1', AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:2' };
    const r = await call(makeHealth(d, env), 'GET', '/health');
    expect(r.body).toEqual({
      ok: true,
      tableName: 'tbl',
      exportBucket: 'exports',
      endpoints: { dynamodb: 'http://127.0.0.1:1', s3: 'http://127.0.0.1:2', sns: null, ses: null },
    });
  });
});
