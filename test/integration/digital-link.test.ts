import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeGetDigitalLinkLot } from '../../functions/get-digital-link-lot.js';
import { makeGetDigitalLinkSerial } from '../../functions/get-digital-link-serial.js';
import { makePostMovements } from '../../functions/post-movements.js';
import { makePostRecalls } from '../../functions/post-recalls.js';
import { lambdaContext } from '../../infra/local/lambda-event.js';
import { ProductInput, SiteInput, upsertProduct, upsertSite } from '../../lib/domain/master-data.js';
import type { HttpHandler } from '../../lib/http/handler.js';
import { freshTable } from '../support/aws.js';
import { depsFor } from '../support/deps.js';
import { GTIN, SITES } from '../support/fixtures.js';
import { call, httpEvent } from '../support/http.js';

let d: ReturnType<typeof depsFor>;
const at = '2026-03-01T08:00:00-05:00';
const get = async (h: HttpHandler, path: string, accept: string) =>
  (await h(httpEvent('GET', path, undefined, { accept }), lambdaContext('test'))) as APIGatewayProxyStructuredResultV2 & {
    statusCode: number;
    body: string;
  };

beforeAll(async () => {
  const t = await freshTable('digital-link');
  d = depsFor(t.doc, t.tableName);
  await upsertProduct(d, GTIN.romaine, ProductInput.parse({ description: 'Romaine hearts 3ct', ftl: true }));
  await upsertProduct(d, GTIN.phone, ProductInput.parse({ description: 'Handset <X>' }));
  for (const { siteId, ...s } of SITES) await upsertSite(d, siteId, SiteInput.parse(s));
  const r = await call(makePostMovements(d), 'POST', '/movements', {
    movements: [
      {
        eventId: 'dl-1',
        type: 'receive',
        occurredAt: at,
        gtin: GTIN.romaine,
        lot: 'OK-1',
        quantity: 5,
        site: 'dc-1',
        counterparty: 'farm-1',
        expiry: '2026-03-20',
      },
      {
        eventId: 'dl-2',
        type: 'receive',
        occurredAt: at,
        gtin: GTIN.romaine,
        lot: 'BAD-1',
        quantity: 5,
        site: 'dc-1',
        counterparty: 'farm-1',
        expiry: '2026-03-21',
      },
      {
        eventId: 'dl-3',
        type: 'receive',
        occurredAt: at,
        gtin: GTIN.phone,
        lot: 'P-1',
        quantity: 1,
        serials: ['SN-9'],
        site: 'dc-1',
        counterparty: 'farm-1',
      },
    ],
  });
  expect(r.body).toMatchObject({ accepted: 3 });
  const recall = await call(makePostRecalls(d), 'POST', '/recalls', {
    lots: [{ gtin: GTIN.romaine, lot: 'BAD-1' }],
    classification: 'I',
    reason: 'Listeria monocytogenes',
    hazard: 'Serious illness',
    instructions: 'Do not eat. Return it to the store for a refund.',
  });
  expect(recall.status).toBe(201);
});

describe('GS1 Digital Link resolver', () => {
  it('answers JSON with the public facts of a lot that is not recalled', async () => {
    const r = await get(makeGetDigitalLinkLot(d), `/01/${GTIN.romaine}/10/OK-1`, 'application/json');
    expect(r.statusCode).toBe(200);
    expect(JSON.parse(r.body)).toEqual({
      gtin: GTIN.romaine,
      lot: 'OK-1',
      description: 'Romaine hearts 3ct',
      expiry: '2026-03-20',
      expired: false,
      recalled: false,
    });
  });

  it('says what to do about a recalled lot, in JSON and in large letters on the page, and shows no stock or sites', async () => {
    const j = await get(makeGetDigitalLinkLot(d), `/01/${GTIN.romaine}/10/BAD-1`, 'application/json');
    expect(JSON.parse(j.body)).toMatchObject({
      recalled: true,
      recall: { title: 'URGENT: FOOD RECALL', reason: 'Listeria monocytogenes', instructions: 'Do not eat. Return it to the store for a refund.' },
    });
    const page = await get(makeGetDigitalLinkLot(d), `/01/${GTIN.romaine}/10/BAD-1`, 'text/html,application/xhtml+xml,*/*;q=0.8');
    expect(page.headers?.['content-type']).toBe('text/html; charset=utf-8');
    expect(page.body).toMatch(/<h1>RECALLED<\/h1>/);
    expect(page.body).toContain('Do not eat. Return it to the store for a refund.');
    expect(page.body).not.toMatch(/dc-1|onHand|balances/);
  });

  it('resolves a unit by its serial to its lot, escaping what it prints', async () => {
    const page = await get(makeGetDigitalLinkSerial(d), `/01/${GTIN.phone}/21/SN-9`, '*/*');
    expect(page.body).toContain('Handset &#60;X&#62;');
    expect(page.body).toMatch(/<h1>NOT RECALLED<\/h1>/);
    const j = await get(makeGetDigitalLinkSerial(d), `/01/${GTIN.phone}/21/SN-9`, 'application/json');
    expect(JSON.parse(j.body)).toMatchObject({ gtin: GTIN.phone, lot: 'P-1', serial: 'SN-9', recalled: false });
  });

  it('answers a bad check digit 400, and an unknown lot or serial 404', async () => {
    const bad = await get(makeGetDigitalLinkLot(d), '/01/00614141000013/10/OK-1', 'application/json');
    const lot = await get(makeGetDigitalLinkLot(d), `/01/${GTIN.romaine}/10/NOPE`, 'application/json');
    const serial = await get(makeGetDigitalLinkSerial(d), `/01/${GTIN.phone}/21/NOPE`, 'application/json');
    expect([bad.statusCode, lot.statusCode, serial.statusCode]).toEqual([400, 404, 404]);
    expect(JSON.parse(lot.body ?? '{}')).toMatchObject({ error: { code: 'lot_not_found' } });
  });

  it('answers a phone that scanned an unknown or malformed code with a page, not an error body, with the same status', async () => {
    const lot = await get(makeGetDigitalLinkLot(d), `/01/${GTIN.romaine}/10/NOPE`, 'text/html,*/*');
    const serial = await get(makeGetDigitalLinkSerial(d), `/01/${GTIN.phone}/21/NOPE`, 'text/html;q=0.9,*/*;q=0.8');
    const bad = await get(makeGetDigitalLinkLot(d), '/01/00614141000013/10/OK-1', 'text/html');
    expect([lot.statusCode, serial.statusCode, bad.statusCode]).toEqual([404, 404, 400]);
    for (const r of [lot, serial, bad]) expect(r.headers?.['content-type']).toContain('text/html');
    expect(lot.body).toContain('<h1>Not found</h1>');
    expect(bad.body).toContain('Not a code we can read');
    // a caller that asks for no HTML (curl, fetch) gets the error body
    const plain = await get(makeGetDigitalLinkLot(d), `/01/${GTIN.romaine}/10/NOPE`, '*/*');
    expect(JSON.parse(plain.body)).toMatchObject({ error: { code: 'lot_not_found' } });
  });
});
