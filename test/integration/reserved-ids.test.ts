import type { SQSBatchResponse } from 'aws-lambda';
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Deps } from '../../functions/deps.js';
import { makeExportWorker } from '../../functions/export-worker.js';
import { makeGetExport } from '../../functions/get-export.js';
import { makeGetLedgerVerify } from '../../functions/get-ledger-verify.js';
import { makeGetLot } from '../../functions/get-lot.js';
import { makeGetLotMovements } from '../../functions/get-lot-movements.js';
import { makeGetLotTrace } from '../../functions/get-lot-trace.js';
import { makeGetRecallReport } from '../../functions/get-recall-report.js';
import { makeGetSite } from '../../functions/get-site.js';
import { makeGetSitePick } from '../../functions/get-site-pick.js';
import { makePostExpiryChecks } from '../../functions/post-expiry-checks.js';
import { makePostExports } from '../../functions/post-exports.js';
import { makePostMovements } from '../../functions/post-movements.js';
import { makePostRecallAcknowledgements } from '../../functions/post-recall-acknowledgements.js';
import { makePostRecalls } from '../../functions/post-recalls.js';
import { makePostScans } from '../../functions/post-scans.js';
import { makePutProduct } from '../../functions/put-product.js';
import { makePutSite } from '../../functions/put-site.js';
import { lambdaContext } from '../../infra/local/lambda-event.js';
import type { ExportView } from '../../lib/domain/exports.js';
import { notifyShard } from '../../lib/domain/recall-fanout.js';
import { freshBucket, freshTable } from '../support/aws.js';
import { depsFor, type ExportTestDeps, exportDepsFor } from '../support/deps.js';
import { sqsEvent } from '../support/export-queue-event.js';
import { GTIN } from '../support/fixtures.js';
import { call } from '../support/http.js';
import { MemoryShardQueue, notifierDeps } from '../support/recall-notifier.js';

/** Site ids the contract allows that are also names on Object.prototype: a plain object used as a map loses them. */
const RESERVED = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'] as const;
const LOT = 'RSV1';
const occurredAt = '2026-03-01T08:00:00Z';

let d: Deps;
let ed: ExportTestDeps;
const queued: string[] = [];
const shardQueue = new MemoryShardQueue();

const post = async (movements: unknown[]) => {
  const r = await call<{ accepted: number; rejected: number; results: { status: string; code?: string; message?: string }[] }>(
    makePostMovements(d),
    'POST',
    '/movements',
    { movements },
  );
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
};

beforeAll(async () => {
  const t = await freshTable('reserved');
  const bucket = await freshBucket('reserved');
  d = { ...depsFor(t.doc, t.tableName, undefined, { s3: bucket.s3, env: { EXPORT_BUCKET: bucket.bucket } }), shardQueue };
  ed = exportDepsFor(t.doc, t.tableName, bucket, { send: async (id) => void queued.push(id) });
  const put = (path: string, body: unknown) => call(path.startsWith('/products') ? makePutProduct(d) : makePutSite(d), 'PUT', path, body);
  expect((await put(`/products/${GTIN.romaine}`, { description: 'Romaine', unit: 'case', ftl: true, expiryAlertDays: 5 })).status).toBe(200);
  expect((await put('/sites/dc-1', { kind: 'warehouse', name: 'DC' })).status).toBe(200);
  expect((await put('/sites/farm-1', { kind: 'supplier', name: 'Farm' })).status).toBe(200);
  expect((await put('/sites/cust-1', { kind: 'customer', name: 'Pat', contact: { email: 'pat@example.com' } })).status).toBe(200);
  for (const id of RESERVED) expect((await put(`/sites/${id}`, { kind: 'store', name: `Store ${id}` })).status).toBe(200);
});

describe('site ids named like Object.prototype members, end to end through the handlers', () => {
  it('stores and reads each site under its own id', async () => {
    for (const id of RESERVED) {
      const r = await call<{ siteId: string; name: string }>(makeGetSite(d), 'GET', `/sites/${id}`);
      expect(r).toMatchObject({ status: 200, body: { siteId: id, name: `Store ${id}` } });
    }
  });

  it('moves stock to and from every one of them in one batch, and each keeps its own balance', async () => {
    // Act: one lot received, then a batch of records of that lot, each at a reserved site
    const r1 = await post([
      {
        eventId: 'rsv-recv',
        type: 'receive',
        occurredAt,
        gtin: GTIN.romaine,
        lot: LOT,
        quantity: 100,
        site: 'dc-1',
        counterparty: 'farm-1',
        expiry: '2026-03-04',
      },
    ]);
    expect(r1.accepted).toBe(1);
    const transfers = RESERVED.map((id, i) => ({
      eventId: `rsv-xfer-${i}`,
      type: 'transfer',
      occurredAt,
      gtin: GTIN.romaine,
      lot: LOT,
      quantity: 10 + i,
      site: 'dc-1',
      counterparty: id,
    }));
    const r2 = await post(transfers);
    expect(r2.results.map((r) => r.status)).toEqual(RESERVED.map(() => 'accepted'));
    const sells = RESERVED.map((id, i) => ({
      eventId: `rsv-sell-${i}`,
      type: 'sell',
      occurredAt: '2026-03-01T09:00:00Z',
      gtin: GTIN.romaine,
      lot: LOT,
      quantity: 1,
      site: id,
      counterparty: 'cust-1',
      unitPrice: 2.5,
    }));
    const r3 = await post(sells);
    expect(r3.results.map((r) => r.status)).toEqual(RESERVED.map(() => 'accepted'));
    // a scan at a reserved site goes the same way
    const scan = await call<{ accepted: number }>(makePostScans(d), 'POST', '/scans', {
      scans: [{ eventId: 'rsv-scan', type: 'sell', site: RESERVED[0], occurredAt: '2026-03-01T09:30:00Z', data: `(01)${GTIN.romaine}(10)${LOT}` }],
    });
    expect(scan.body.accepted).toBe(1);
    // Assess
    const lot = await call<{ onHand: number; balances: { siteId: string; quantity: number; received: number }[] }>(
      makeGetLot(d),
      'GET',
      `/lots/${GTIN.romaine}/${LOT}`,
    );
    expect(lot.status).toBe(200);
    const balance = new Map(lot.body.balances.map((b) => [b.siteId, b]));
    RESERVED.forEach((id, i) => {
      const sold = id === RESERVED[0] ? 2 : 1;
      expect(balance.get(id), id).toEqual({ siteId: id, quantity: 10 + i - sold, received: 10 + i });
    });
    const sent = RESERVED.reduce((n, _id, i) => n + 10 + i, 0);
    expect(balance.get('dc-1')?.quantity).toBe(100 - sent);
    expect(lot.body.onHand).toBe(100 - RESERVED.length - 1);
  });

  it('lists, traces, picks and verifies with those sites in them', async () => {
    const moves = await call<{ items: { site: string }[] }>(makeGetLotMovements(d), 'GET', `/lots/${GTIN.romaine}/${LOT}/movements`);
    expect(moves.status).toBe(200);
    for (const id of RESERVED) expect(moves.body.items.some((m) => m.site === id)).toBe(true);

    const trace = await call<{ sites: { siteId: string; kind: string; onHand: number }[] }>(
      makeGetLotTrace(d),
      'GET',
      `/lots/${GTIN.romaine}/${LOT}/trace?direction=forward`,
    );
    expect(trace.status).toBe(200);
    const traced = new Map(trace.body.sites.map((s) => [s.siteId, s]));
    RESERVED.forEach((id, i) => {
      expect(traced.get(id), id).toMatchObject({ kind: 'store', onHand: 10 + i - (id === RESERVED[0] ? 2 : 1) });
    });

    for (const [i, id] of RESERVED.entries()) {
      const pick = await call<{ lots?: { lot: string; quantity: number }[] }>(
        makeGetSitePick(d),
        'GET',
        `/sites/${id}/pick?gtin=${GTIN.romaine}&quantity=1`,
      );
      expect(pick.status, `${id}: ${JSON.stringify(pick.body)}`).toBe(200);
      expect(JSON.stringify(pick.body)).toContain(LOT);
      const tooMuch = await call(makeGetSitePick(d), 'GET', `/sites/${id}/pick?gtin=${GTIN.romaine}&quantity=${20 + i}`);
      expect(tooMuch.status).toBe(409);
    }

    const verify = await call<{ ok: boolean }>(makeGetLedgerVerify(d), 'GET', `/ledger/verify?gtin=${GTIN.romaine}&lot=${LOT}`);
    expect(verify).toMatchObject({ status: 200, body: { ok: true } });
  });

  it('alerts expiry at each of them', async () => {
    const r = await call<{ expiringSoon: { lot: string; balances: { siteId: string; quantity: number }[] }[] }>(
      makePostExpiryChecks(d),
      'POST',
      '/expiry-checks',
      { asOf: '2026-03-01' },
    );
    expect(r.status).toBe(200);
    const ours = r.body.expiringSoon.find((l) => l.lot === LOT);
    const sites = new Set(ours?.balances.map((b) => b.siteId));
    for (const id of RESERVED) expect(sites.has(id), id).toBe(true);
  });

  it('notifies each of them of a recall and takes their acknowledgements', async () => {
    const recall = await call<{ recallId: string; notices?: { siteId: string }[] }>(makePostRecalls(d), 'POST', '/recalls', {
      lots: [{ gtin: GTIN.romaine, lot: LOT }],
      classification: 'II',
      reason: 'Listeria',
      hazard: 'Listeria monocytogenes may cause serious illness',
      instructions: 'Stop selling, remove the lot from shelves and hold it for collection',
    });
    expect(recall.status, JSON.stringify(recall.body)).toBe(201);
    const { recallId } = recall.body;
    // the notifier's queue, as it would run: one notice per consignee on the recall topic, each under its own siteId
    const n = notifierDeps(d);
    for (const m of shardQueue.take()) await notifyShard(n.send, m.recallId, m.shard);
    const noticed = n.channels.sns.delivered.filter((x) => x.attributes.recallId === recallId).map((x) => x.attributes.siteId);
    for (const id of RESERVED)
      expect(
        noticed.filter((s) => s === id),
        id,
      ).toHaveLength(1);
    for (const [i, id] of RESERVED.entries()) {
      const ack = await call(makePostRecallAcknowledgements(d), 'POST', `/recalls/${recallId}/acknowledgements`, {
        siteId: id,
        quantityOnHand: i,
        quantityRemoved: i,
      });
      expect(ack.status, `${id}: ${JSON.stringify(ack.body)}`).toBe(200);
    }
    const report = await call<{ responded: { items: { siteId: string; quantityOnHand: number }[] } }>(
      makeGetRecallReport(d),
      'GET',
      `/recalls/${recallId}/report`,
    );
    expect(report.status).toBe(200);
    const acked = new Map(report.body.responded.items.map((a) => [a.siteId, a.quantityOnHand]));
    for (const [i, id] of RESERVED.entries()) expect(acked.get(id), id).toBe(i);
  });

  it('exports their events', async () => {
    const posted = await call<{ exportId: string }>(makePostExports(ed), 'POST', '/exports', {
      format: 'fsma204-csv',
      from: '2026-03-01',
      to: '2026-03-01',
      gtin: GTIN.romaine,
      lot: LOT,
    });
    expect(posted.status).toBe(202);
    const res = (await makeExportWorker(ed)(sqsEvent(posted.body.exportId), lambdaContext('export-worker'))) as SQSBatchResponse;
    expect(res.batchItemFailures).toEqual([]);
    const view = await call<ExportView>(makeGetExport(ed), 'GET', `/exports/${posted.body.exportId}`);
    // FSMA 204 rows: the receipt, and a shipping and a receiving row per transfer (retail sales are no CTE)
    expect(view.body).toMatchObject({ status: 'complete', rowCount: 1 + 2 * RESERVED.length });
    const csv = await (await fetch(view.body.url as string)).text();
    // v2 layout (FSMA204.md): one sheet, the union of the per-CTE columns, each location as [R] columns ending in `<Role> ID`
    const rows = parse(csv, { bom: true, columns: true, skip_empty_lines: true }) as Record<string, string>[];
    expect(rows).toHaveLength(1 + 2 * RESERVED.length);
    const cell = (row: Record<string, string>, column: string) => (Object.hasOwn(row, column) ? row[column] : undefined);
    for (const id of RESERVED) {
      const shipped = rows.filter(
        (r) => cell(r, 'Critical Tracking Event') === 'Shipping' && cell(r, 'Immediate Subsequent Recipient (Ship-To) ID') === id,
      );
      expect(shipped, id).toHaveLength(1);
      expect(shipped[0], id).toMatchObject({
        'Immediate Subsequent Recipient (Ship-To) Business Name': `Store ${id}`,
        'Ship-From Location Business Name': 'DC',
        'Ship-From Location ID': 'dc-1',
      });
      const received = rows.filter((r) => cell(r, 'Critical Tracking Event') === 'Receiving' && cell(r, 'Receiving Location ID') === id);
      expect(received, id).toHaveLength(1);
      expect(received[0], id).toMatchObject({
        'Receiving Location Business Name': `Store ${id}`,
        'Immediate Previous Source (Ship-From) Business Name': 'DC',
        'Immediate Previous Source (Ship-From) ID': 'dc-1',
      });
    }
  });
});
