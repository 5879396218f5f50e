import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Deps } from '../../functions/deps.js';
import { makeGetLedgerVerify } from '../../functions/get-ledger-verify.js';
import { makeGetLotTrace } from '../../functions/get-lot-trace.js';
import { makeGetReportsLots } from '../../functions/get-reports-lots.js';
import { lambdaContext } from '../../infra/local/lambda-event.js';
import { ProductInput, SiteInput, upsertProduct, upsertSite } from '../../lib/domain/master-data.js';
import { recordMovements } from '../../lib/domain/record-movements.js';
import { keys } from '../../lib/store/keys.js';
import { freshTable } from '../support/aws.js';
import { depsFor } from '../support/deps.js';
import { GTIN, mv, PRODUCTS, SITES } from '../support/fixtures.js';
import { call, httpEvent } from '../support/http.js';

let d: Deps;
let raw: Awaited<ReturnType<typeof freshTable>>;
const root = { gtin: GTIN.romaine, lot: 'PG0' };
const kits = ['K1', 'K2', 'K3'];

beforeAll(async () => {
  raw = await freshTable('paging');
  d = depsFor(raw.doc, raw.tableName);
  for (const { gtin, ...p } of PRODUCTS) await upsertProduct(d, gtin, ProductInput.parse(p));
  for (const { siteId, ...s } of SITES) await upsertSite(d, siteId, SiteInput.parse(s));
  await recordMovements(d, [
    mv({ type: 'receive', lot: root.lot, quantity: 100, counterparty: 'farm-1', occurredAt: '2026-02-01T08:00:00Z' }),
    ...kits.map((lot, i) =>
      mv({
        type: 'transform',
        gtin: GTIN.saladKit,
        lot,
        quantity: 4,
        inputs: [{ ...root, quantity: 2 }],
        occurredAt: `2026-02-0${i + 2}T08:00:00Z`,
      }),
    ),
    ...kits.map((lot, i) =>
      mv({ type: 'sell', gtin: GTIN.saladKit, lot, quantity: 1, counterparty: 'cust-1', occurredAt: `2026-02-0${i + 5}T08:00:00Z` }),
    ),
  ]);
  // The stock heads (BAL#) are real items of the partition now; an item of a kind the readers do not know must be skipped too.
  for (const sk of ['STOCK#dc-1'])
    await raw.doc.send(new PutCommand({ TableName: raw.tableName, Item: { pk: keys.lot(root).pk, sk, entity: 'other', seq: 99 } }));
});

describe('paged answers against DynamoDB Local', () => {
  it('reads a lot head and chain from its partition, skipping per-site stock and pending items', async () => {
    const page = await d.ledger.lotPartition(root);
    expect(page.head).toMatchObject({ ...root, seq: 4 });
    expect(page.entries.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    expect(page.cursor).toBeUndefined();
  });

  it('traces the graph with a page of its movements (the graph alone with movements=false), paged in time order', async () => {
    const h = makeGetLotTrace(d);
    type Page = { lots: unknown[]; movements: { lot: string; seq: number; occurredAt: string }[]; movementsTotal: number; nextCursor?: string };
    const bare = await call<Page>(h, 'GET', `/lots/${root.gtin}/${root.lot}/trace?movements=false`);
    expect(bare.body).toMatchObject({ movements: [], movementsTotal: 10 });
    expect(bare.body.lots).toHaveLength(4);
    expect(bare.body.nextCursor).toBeUndefined();
    // The contract's answer: movements by default, every one of the 10 on the first page.
    const plain = await call<Page>(h, 'GET', `/lots/${root.gtin}/${root.lot}/trace`);
    expect(plain.body.movements).toHaveLength(10);
    expect(plain.body.nextCursor).toBeUndefined();
    expect((await call(h, 'GET', `/lots/${root.gtin}/NOPE/trace?movements=true`)).body).toMatchObject({ error: { code: 'lot_not_found' } });
    const seen: Page['movements'] = [];
    let path = `/lots/${root.gtin}/${root.lot}/trace?movements=true&limit=3`;
    for (;;) {
      const p = await call<Page>(h, 'GET', path);
      expect(p.status).toBe(200);
      expect(p.body.movements.length).toBeLessThanOrEqual(3);
      seen.push(...p.body.movements);
      if (!p.body.nextCursor) break;
      path = `/lots/${root.gtin}/${root.lot}/trace?limit=3&cursor=${p.body.nextCursor}`;
    }
    expect(seen).toHaveLength(10);
    expect(seen.map((e) => e.occurredAt)).toEqual([...seen.map((e) => e.occurredAt)].sort());
    for (const bad of ['cursor=bm9wZQ', 'cursor=%7B', 'limit=0', 'limit=1001'])
      expect((await call(h, 'GET', `/lots/${root.gtin}/${root.lot}/trace?movements=true&${bad}`)).body).toMatchObject({
        error: { code: 'validation_failed', details: [{ path: bad.split('=')[0] }] },
      });
  });

  it('pages verify-all by lot and the lot report by lot, CSV with x-next-cursor', async () => {
    const verify = makeGetLedgerVerify(d);
    const lots: number[] = [];
    let path = '/ledger/verify?limit=2';
    for (;;) {
      const p = await call<{ ok: boolean; lots: number; nextCursor?: string }>(verify, 'GET', path);
      expect(p.body.ok).toBe(true);
      lots.push(p.body.lots);
      if (!p.body.nextCursor) break;
      path = `/ledger/verify?limit=2&cursor=${p.body.nextCursor}`;
    }
    expect(lots).toEqual([2, 2]);
    expect((await call(verify, 'GET', '/ledger/verify?cursor=xyz')).status).toBe(400);

    const report = makeGetReportsLots(d);
    const first = (await report(
      httpEvent('GET', `/reports/lots?gtin=${GTIN.saladKit}&limit=2`, undefined, { accept: 'text/csv' }),
      lambdaContext('test'),
    )) as APIGatewayProxyStructuredResultV2;
    const cursor = String(first.headers?.['x-next-cursor']);
    expect(
      String(first.body)
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => l.split(',')[0]),
    ).toEqual(['K1', 'K2']);
    const second = await call<{ lots: { lot: string }[]; nextCursor?: string }>(
      report,
      'GET',
      `/reports/lots?gtin=${GTIN.saladKit}&limit=2&cursor=${cursor}`,
    );
    expect(second.body.lots.map((l) => l.lot)).toEqual(['K3']);
    expect(second.body.nextCursor).toBeUndefined();
  });
});
