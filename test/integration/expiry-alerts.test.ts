import { SNSClient } from '@aws-sdk/client-sns';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeGetReportsLots } from '../../functions/get-reports-lots.js';
import { makeGetSitePick } from '../../functions/get-site-pick.js';
import { makePostExpiryChecks } from '../../functions/post-expiry-checks.js';
import { makePostMovements } from '../../functions/post-movements.js';
import { lambdaContext } from '../../infra/local/lambda-event.js';
import { ensureTopic } from '../../infra/local/provision.js';
import { S3RVER_CREDENTIALS } from '../../infra/local/s3-local.js';
import { SnsEmulator } from '../../infra/local/sns-emulator.js';
import { fixedClock } from '../../lib/domain/clock.js';
import { type ExpiryReport, runExpiryCheck } from '../../lib/domain/expiry.js';
import type { LotState } from '../../lib/domain/ledger.js';
import { lotView } from '../../lib/domain/lots.js';
import { ProductInput, SiteInput, upsertProduct, upsertSite } from '../../lib/domain/master-data.js';
import { recordMovements } from '../../lib/domain/record-movements.js';
import { SnsAlertPublisher } from '../../lib/notify/sns-alert-publisher.js';
import { batchPutAll } from '../../lib/store/batch-put.js';
import { lotItems } from '../../lib/store/dynamo-ledger-store.js';
import { countItemsRead } from '../../lib/store/read-counter.js';
import type { FakeAlertPublisher } from '../support/alerts.js';
import { freshTable } from '../support/aws.js';
import { depsFor } from '../support/deps.js';
import { GTIN, mv, PRODUCTS, SITES } from '../support/fixtures.js';
import { call, httpEvent } from '../support/http.js';

const clock = fixedClock('2026-03-01T12:00:00Z');

async function seededTable(prefix: string) {
  const t = await freshTable(prefix);
  const d = depsFor(t.doc, t.tableName, clock);
  for (const { gtin, ...p } of PRODUCTS) await upsertProduct(d, gtin, ProductInput.parse(p));
  for (const { siteId, ...s } of SITES) await upsertSite(d, siteId, SiteInput.parse(s));
  return { t, d };
}

/** A lot head as the ledger writes it, with `quantity` on hand at `siteId`. */
const head = (gtin: string, lot: string, expiry: string, quantity = 10, siteId = 'dc-1'): LotState => ({
  gtin,
  lot,
  seq: 1,
  headHash: '0'.repeat(64),
  status: 'active',
  statusVersion: 0,
  expiry,
  unit: 'case',
  createdAt: '2026-01-01T00:00:00Z',
  balances: { [siteId]: { q: quantity, r: quantity } },
  serialsTotal: 0,
  serialsInStock: 0,
});

/** Write lot heads straight to the table with BatchWriteItem, 8 requests in flight. */
async function seedHeads(t: Awaited<ReturnType<typeof freshTable>>, heads: LotState[]) {
  await batchPutAll(
    t.doc,
    t.tableName,
    heads.flatMap((l) => lotItems(l)),
  );
}

const day = (offset: number) => new Date(Date.parse('2026-03-01T00:00:00Z') + offset * 86_400_000).toISOString().slice(0, 10);

describe('expiry check over 10,000 lots', () => {
  it('reads a small multiple of the 20 lots near expiry, not the 10,000', { timeout: 120_000 }, async () => {
    // Prepare: 9,980 lots expiring 2-52 weeks out, 10 expiring in 0-4 days and 10 already expired, all with stock.
    const { t, d } = await seededTable('expiry-scale');
    const heads: LotState[] = [];
    for (let i = 0; i < 9_980; i++) heads.push(head(i % 2 ? GTIN.romaine : GTIN.phone, `F${i}`, day(14 + (i % 350))));
    for (let i = 0; i < 10; i++) heads.push(head(GTIN.romaine, `N${i}`, day(i % 5)));
    for (let i = 0; i < 10; i++) heads.push(head(GTIN.romaine, `X${i}`, day(-1 - i)));
    await seedHeads(t, heads);
    // Act
    const counter = countItemsRead(t.client);
    const r = await runExpiryCheck(d, '2026-03-01');
    counter.on = false;
    // Assess
    expect(r.expiringSoon).toHaveLength(10);
    expect(r.expired).toHaveLength(10);
    expect(r.alertsPublished).toBe(20);
    expect(counter.items).toBeGreaterThanOrEqual(20);
    expect(counter.items).toBeLessThanOrEqual(60);
  });
});

describe('alerts through SNS (the local emulator)', () => {
  it('after SNS was unreachable, a re-run publishes each alert once, with its attributes', async () => {
    // Prepare
    const { t, d } = await seededTable('expiry-sns');
    await seedHeads(t, [head(GTIN.romaine, 'A', day(2), 4, 'store-1'), head(GTIN.romaine, 'B', day(-3), 6, 'dc-1')]);
    const sns = new SnsEmulator();
    const url = await sns.start(0);
    const cfg = { region: 'us-east-1', credentials: S3RVER_CREDENTIALS };
    const live = new SNSClient({ ...cfg, endpoint: url });
    const topicArn = await ensureTopic(live, 'lotledger-alerts');
    const dead = new SNSClient({ ...cfg, endpoint: 'http://127.0.0.1:9', maxAttempts: 1 });
    try {
      // Act
      const down = await runExpiryCheck({ ...d, alertPublisher: new SnsAlertPublisher(dead, topicArn) });
      const up = await runExpiryCheck({ ...d, alertPublisher: new SnsAlertPublisher(live, topicArn) });
      const again = await runExpiryCheck({ ...d, alertPublisher: new SnsAlertPublisher(live, topicArn) });
      // Assess
      expect([down.alertsPublished, down.alertsPending]).toEqual([0, 2]);
      expect([up.alertsPublished, again.alertsPublished]).toEqual([2, 0]);
      const inbox = sns.inbox({ topic: topicArn });
      expect(inbox.map((i) => i.attributes).sort((a, b) => String(a.siteId).localeCompare(String(b.siteId)))).toEqual([
        { audience: 'warehouse', siteId: 'dc-1', eventType: 'expiry.expired' },
        { audience: 'store', siteId: 'store-1', eventType: 'expiry.expiring' },
      ]);
      expect(JSON.parse(inbox.find((i) => i.attributes.siteId === 'store-1')?.body ?? '{}')).toMatchObject({
        type: 'expiry.expiring',
        alertId: `expiry.expiring#${GTIN.romaine}#A#store-1`,
        daysLeft: 2,
        quantity: 4,
        asOf: '2026-03-01',
      });
    } finally {
      live.destroy();
      dead.destroy();
      await sns.stop();
    }
  });
});

describe('expiry, pick, report and QA handlers on DynamoDB Local', () => {
  let d: ReturnType<typeof depsFor>;
  beforeAll(async () => {
    ({ d } = await seededTable('expiry-handlers'));
    const at = (dd: string) => `2026-02-${dd}T10:00:00-05:00`;
    const r = await recordMovements(d, [
      mv({ type: 'receive', lot: 'P1', quantity: 10, site: 'store-1', expiry: '2026-03-03', unitCost: 1.5, occurredAt: at('01') }),
      mv({ type: 'receive', lot: 'P2', quantity: 10, site: 'store-1', expiry: '2026-03-20', unitCost: 1.5, occurredAt: at('01') }),
      mv({ type: 'receive', lot: 'P0', quantity: 10, site: 'store-1', expiry: '2026-02-27', occurredAt: at('01') }),
      mv({ type: 'sell', lot: 'P1', quantity: 4, site: 'store-1', unitPrice: 3, occurredAt: at('10') }),
    ]);
    expect(r.accepted).toBe(4);
  });

  it('POST /expiry-checks answers the contract shape, as of today when the body is empty', async () => {
    const h = makePostExpiryChecks(d);
    const empty = await call<ExpiryReport>(h, 'POST', '/expiry-checks', '');
    expect(empty.status).toBe(200);
    expect(empty.body.asOf).toBe('2026-03-01');
    expect(empty.body.expiringSoon.map((l) => [l.lot, l.daysLeft, l.balances])).toEqual([['P1', 2, [{ siteId: 'store-1', quantity: 6 }]]]);
    expect(empty.body.expired.map((l) => l.lot)).toEqual(['P0']);
    const later = await call<ExpiryReport>(h, 'POST', '/expiry-checks', { asOf: '2026-03-16' });
    expect(later.body.expiringSoon.map((l) => l.lot)).toEqual(['P2']);
    expect((d.alertPublisher as FakeAlertPublisher).sent.map((s) => s.alertId)).toContain(`expiry.expiring#${GTIN.romaine}#P2#store-1`);
  });

  it('POST /expiry-checks refuses a bad date naming the field', async () => {
    const r = await call(makePostExpiryChecks(d), 'POST', '/expiry-checks', { asOf: '2026-02-30' });
    expect(r).toMatchObject({ status: 400, body: { error: { code: 'validation_failed', details: [{ path: 'asOf' }] } } });
  });

  it('GET /sites/{siteId}/pick lists FEFO picks and skips the expired lot', async () => {
    const r = await call(makeGetSitePick(d), 'GET', `/sites/store-1/pick?gtin=${GTIN.romaine}&quantity=8`);
    expect(r).toMatchObject({
      status: 200,
      body: {
        siteId: 'store-1',
        gtin: GTIN.romaine,
        quantity: 8,
        picks: [
          { lot: 'P1', expiry: '2026-03-03', quantity: 6, available: 6 },
          { lot: 'P2', expiry: '2026-03-20', quantity: 2, available: 10 },
        ],
      },
    });
  });

  it('GET /sites/{siteId}/pick answers 409, 404 and 400 as the contract says', async () => {
    const h = makeGetSitePick(d);
    const short = await call<{ error: { code: string; message: string } }>(h, 'GET', `/sites/store-1/pick?gtin=${GTIN.romaine}&quantity=17`);
    expect(short.status).toBe(409);
    expect(short.body.error).toMatchObject({ code: 'insufficient_stock' });
    expect(short.body.error.message).toContain('has 16 case');
    expect((await call(h, 'GET', `/sites/nowhere/pick?gtin=${GTIN.romaine}&quantity=1`)).status).toBe(404);
    expect((await call(h, 'GET', `/sites/store-1/pick?gtin=${GTIN.tomato}&quantity=1`)).status).toBe(409);
    expect(await call(h, 'GET', `/sites/store-1/pick?gtin=${GTIN.romaine}&quantity=-1`)).toMatchObject({
      status: 400,
      body: { error: { details: [{ path: 'quantity' }] } },
    });
    expect(await call(h, 'GET', '/sites/store-1/pick?quantity=1')).toMatchObject({ status: 400, body: { error: { details: [{ path: 'gtin' }] } } });
  });

  it('GET /reports/lots answers JSON, and CSV with Accept: text/csv', async () => {
    const h = makeGetReportsLots(d);
    const r = await call<{ lots: { lot: string; sold: number; revenue: number | null; margin: number | null }[] }>(
      h,
      'GET',
      `/reports/lots?gtin=${GTIN.romaine}&from=2026-02-01&to=2026-02-28`,
    );
    expect(r.status).toBe(200);
    expect(r.body.lots.find((l) => l.lot === 'P1')).toMatchObject({ sold: 4, revenue: 12, margin: 6 });
    const csv = (await h(
      httpEvent('GET', `/reports/lots?gtin=${GTIN.romaine}`, undefined, { accept: 'text/csv' }),
      lambdaContext('test'),
    )) as APIGatewayProxyStructuredResultV2;
    expect(csv.headers?.['content-type']).toContain('text/csv');
    const lines = String(csv.body).trim().split('\n');
    expect(lines[0]).toBe(
      'lot,expiry,received,sold,returned,defectReturns,defectReturnRate,firstReceivedOn,soldThroughOn,daysToSellThrough,revenue,cost,margin',
    );
    expect(lines.some((l) => l.startsWith('P1,2026-03-03,10,4,0,0,0,2026-02-01,,,12,15,6'))).toBe(true);
    expect((await call(h, 'GET', `/reports/lots?gtin=${GTIN.romaine}&from=2026-03-02&to=2026-03-01`)).status).toBe(400);
  });

  it('POST /movements holds a lot whose defect returns pass the rate, alerts once, and still accepts the return', async () => {
    // Prepare
    const h = makePostMovements(d);
    const sent = (d.alertPublisher as FakeAlertPublisher).sent;
    const before = sent.length;
    await call(h, 'POST', '/movements', {
      movements: [
        mv({ type: 'receive', lot: 'QA1', quantity: 50, site: 'store-1' }),
        mv({ type: 'sell', lot: 'QA1', quantity: 40, site: 'store-1' }),
      ],
    });
    const ret = () => mv({ type: 'return', lot: 'QA1', quantity: 1, site: 'store-1', reason: 'defect' });
    // Act
    const r = await call<{ accepted: number }>(h, 'POST', '/movements', { movements: [ret(), ret(), ret(), ret()] });
    // Assess
    expect(r.body.accepted).toBe(4);
    const lot = await lotView(d, { gtin: GTIN.romaine, lot: 'QA1' });
    expect(lot.status).toBe('on-hold');
    // The check reads the lot as it is once the batch committed (its counters are summed over its stock heads): the
    // four returns were committed together, so the hold names all four.
    expect(lot.statusReason).toMatch(/defect-return rate 10% \(4 defect returns of 40 sold\)/);
    const qa = sent.slice(before).filter((s) => s.attributes.eventType === 'qa.defect-rate');
    expect(qa).toHaveLength(1);
    expect(qa[0]?.attributes).toEqual({ eventType: 'qa.defect-rate', audience: 'quality', siteId: 'store-1' });
  });
});
