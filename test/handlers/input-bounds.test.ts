import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { need } from '../../functions/deps.js';
import { makeGetLotMovements } from '../../functions/get-lot-movements.js';
import { makeGetRecall } from '../../functions/get-recall.js';
import { makeGetSitePick } from '../../functions/get-site-pick.js';
import { makePostExports } from '../../functions/post-exports.js';
import { makePostMovements } from '../../functions/post-movements.js';
import { makePostRecallAcknowledgements } from '../../functions/post-recall-acknowledgements.js';
import { makePostRecalls } from '../../functions/post-recalls.js';
import { makePostScans } from '../../functions/post-scans.js';
import { makePutProduct } from '../../functions/put-product.js';
import { makePutSite } from '../../functions/put-site.js';
import { lambdaContext } from '../../infra/local/lambda-event.js';
import { recordMovements } from '../../lib/domain/record-movements.js';
import type { HttpHandler } from '../../lib/http/handler.js';
import { documentClient } from '../../lib/store/document-client.js';
import { depsFor } from '../support/deps.js';
import { GTIN, mv } from '../support/fixtures.js';
import { call, httpEvent } from '../support/http.js';
import { memoryLedger } from '../support/memory-ledger.js';

// Validation answers before any store is asked: every command the mock sees is a failure of the test.
const doc = documentClient(new DynamoDBClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }));
const ddb = mockClient(doc);
const d = need(depsFor(doc, 'tbl', undefined, { env: { EXPORT_BUCKET: 'exports' } }), 'exportFiles');
beforeEach(() => ddb.reset());

const LONE = 'a\uD800b';
type ErrorBody = { error: { code: string; details: { path: string }[] } };
type BatchBody = { rejected: number; results: { code?: string; errors?: { path: string }[] }[] };

/** A 400 `validation_failed` naming `path`, with nothing sent to the table. */
const refuses = (r: { status: number; body: unknown }, path: string) => {
  expect(r.status, JSON.stringify(r.body)).toBe(400);
  const body = r.body as ErrorBody;
  expect(body.error.code).toBe('validation_failed');
  expect(body.error.details.map((x) => x.path)).toContain(path);
  expect(ddb.calls()).toHaveLength(0);
};

/** A batch whose one record is `validation_failed` naming `path`, with nothing sent to the table. */
const rejectsRecord = (r: { status: number; body: unknown }, path: string) => {
  expect(r.status).toBe(200);
  const body = r.body as BatchBody;
  expect(body.rejected).toBe(1);
  expect(body.results[0]?.code).toBe('validation_failed');
  expect(body.results[0]?.errors?.map((x) => x.path)).toContain(path);
  expect(ddb.calls()).toHaveLength(0);
};

const receive = (over: Record<string, unknown>) => ({ ...mv({ type: 'receive', counterparty: 'farm-1' }), ...over });

describe('numbers outside what a field allows are 400 naming the field', () => {
  it.each([
    ['quantity', { quantity: 2 ** 53 + 2 }],
    ['quantity', { quantity: -(2 ** 53) }],
    ['quantity', { quantity: 1e308 }],
    ['quantity', { quantity: -0 }],
    ['quantity', { quantity: 0.0001 }],
    ['unitPrice', { unitPrice: 1e308 }],
    ['unitPrice', { unitPrice: 1e-200 }],
    ['unitCost', { unitCost: 2 ** 53 }],
    ['unitPrice', { unitPrice: -1 }],
  ])('movement %s %o', async (field, over) => {
    rejectsRecord(await call(makePostMovements(d), 'POST', '/movements', { movements: [receive(over)] }), `movements.0.${field}`);
  });

  it('a JSON number too large for a double (1e400) is refused, not taken as Infinity', async () => {
    const body = JSON.stringify({ movements: [receive({ quantity: 7 })] }).replace('"quantity":7', '"quantity":1e400');
    rejectsRecord(await call(makePostMovements(d), 'POST', '/movements', body), 'movements.0.quantity');
  });

  it('scans: unitPrice 1e308', async () => {
    const scan = {
      eventId: 's1',
      type: 'receive',
      site: 'dc-1',
      occurredAt: '2026-03-01T08:00:00Z',
      data: `(01)${GTIN.romaine}(10)L1`,
      unitPrice: 1e308,
    };
    rejectsRecord(await call(makePostScans(d), 'POST', '/scans', { scans: [scan] }), 'scans.0.unitPrice');
  });

  it('products: expiryAlertDays 2^53 + 1', async () => {
    refuses(await call(makePutProduct(d), 'PUT', `/products/${GTIN.romaine}`, { description: 'R', expiryAlertDays: 2 ** 53 + 1 }), 'expiryAlertDays');
  });

  it.each([
    ['quantityOnHand', 1e308],
    ['quantityRemoved', 1e308],
    ['quantityOnHand', 5e-324],
    ['quantityRemoved', -1],
  ])('acknowledgements: %s %d', async (field, value) => {
    const body = { siteId: 'store-1', quantityOnHand: 1, quantityRemoved: 1, [field]: value };
    refuses(await call(makePostRecallAcknowledgements(d), 'POST', '/recalls/R-1/acknowledgements', body), field);
  });

  it.each([
    ['limit', `/lots/${GTIN.romaine}/L1/movements?limit=9007199254740993`, makeGetLotMovements],
    ['limit', `/lots/${GTIN.romaine}/L1/movements?limit=1e400`, makeGetLotMovements],
    ['quantity', `/sites/dc-1/pick?gtin=${GTIN.romaine}&quantity=1e308`, makeGetSitePick],
    ['quantity', `/sites/dc-1/pick?gtin=${GTIN.romaine}&quantity=-0`, makeGetSitePick],
  ] as const)('query parameter %s of %s', async (name, path, make) => {
    refuses(await call(make(d), 'GET', path), name);
  });
});

/** Call `h` with the event of `method path`, changed by `edit` (lone surrogates cannot travel in a URL). */
async function callEdited(h: HttpHandler, method: string, path: string, edit: (e: APIGatewayProxyEventV2) => void) {
  const event = httpEvent(method, path);
  edit(event);
  const res = (await h(event, lambdaContext('test'))) as APIGatewayProxyStructuredResultV2;
  return { status: res.statusCode ?? 200, body: JSON.parse(res.body ?? 'null') as unknown };
}

describe('strings that are not well-formed Unicode are 400 naming the field', () => {
  it.each(['eventId', 'reason', 'unit', 'tlcSourceReference'])('movement %s', async (field) => {
    rejectsRecord(await call(makePostMovements(d), 'POST', '/movements', { movements: [receive({ [field]: LONE })] }), `movements.0.${field}`);
  });

  it('movement reference.number', async () => {
    const m = receive({ reference: { type: 'PO', number: LONE } });
    rejectsRecord(await call(makePostMovements(d), 'POST', '/movements', { movements: [m] }), 'movements.0.reference.number');
  });

  it.each(['eventId', 'data', 'reason'])('scan %s', async (field) => {
    const scan = {
      eventId: 's1',
      type: 'receive',
      site: 'dc-1',
      occurredAt: '2026-03-01T08:00:00Z',
      data: `(01)${GTIN.romaine}(10)L1`,
      [field]: LONE,
    };
    rejectsRecord(await call(makePostScans(d), 'POST', '/scans', { scans: [scan] }), `scans.0.${field}`);
  });

  it.each(['description', 'unit'])('product %s', async (field) => {
    refuses(await call(makePutProduct(d), 'PUT', `/products/${GTIN.romaine}`, { description: 'R', [field]: LONE }), field);
  });

  it.each([
    ['name', { name: LONE }],
    ['phone', { phone: LONE }],
    ['address.city', { address: { city: LONE } }],
    ['contact.phone', { contact: { phone: LONE } }],
  ])('site %s', async (path, over) => {
    refuses(await call(makePutSite(d), 'PUT', '/sites/s1', { kind: 'store', name: 'S', ...over }), path);
  });

  it.each(['reason', 'hazard', 'instructions'])('recall %s', async (field) => {
    const body = { lots: [{ gtin: GTIN.romaine, lot: 'L1' }], classification: 'II', reason: 'x', [field]: LONE };
    refuses(await call(makePostRecalls(d), 'POST', '/recalls', body), field);
  });

  it('acknowledgement note', async () => {
    const body = { siteId: 'store-1', quantityOnHand: 1, quantityRemoved: 1, note: LONE };
    refuses(await call(makePostRecallAcknowledgements(d), 'POST', '/recalls/R-1/acknowledgements', body), 'note');
  });

  it('export from', async () => {
    refuses(
      await call(makePostExports({ ...d, queue: { send: async () => undefined } }), 'POST', '/exports', {
        format: 'fsma204-csv',
        from: `2026-03-01${LONE}`,
        to: '2026-03-01',
      }),
      'from',
    );
  });

  it('a path parameter', async () => {
    const r = await callEdited(makeGetRecall(d), 'GET', '/recalls/R-1', (e) => {
      e.pathParameters = { recallId: `R-${LONE}` };
    });
    refuses(r, 'recallId');
  });

  it('a query parameter', async () => {
    const r = await callEdited(makeGetLotMovements(d), 'GET', `/lots/${GTIN.romaine}/L1/movements`, (e) => {
      e.queryStringParameters = { cursor: LONE };
    });
    refuses(r, 'cursor');
  });
});

describe('eventIds that differ only in a lone surrogate', () => {
  it('are both refused as malformed, so they can never collide in storage', async () => {
    const l = await memoryLedger();
    const r = await recordMovements(l, [receive({ eventId: 'ev-\uD800' }), receive({ eventId: 'ev-\uDBFF' })]);
    expect(r.results.map((x) => [x.status, x.code, x.errors?.[0]?.path])).toEqual([
      ['rejected', 'validation_failed', 'movements.0.eventId'],
      ['rejected', 'validation_failed', 'movements.1.eventId'],
    ]);
    expect(l.ledger.commits).toBe(0);
  });

  it('while well-formed astral characters are ids like any other', async () => {
    const l = await memoryLedger();
    const r = await recordMovements(l, [receive({ eventId: 'ev-\u{1F96C}' }), receive({ eventId: 'ev-\u{1F345}' })]);
    expect(r.results.map((x) => x.status)).toEqual(['accepted', 'accepted']);
    expect([...l.ledger.events.keys()].sort()).toEqual(['ev-\u{1F345}', 'ev-\u{1F96C}']);
  });
});
