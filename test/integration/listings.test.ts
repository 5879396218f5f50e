import { Logger } from '@aws-lambda-powertools/logger';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeGetExportRoutes } from '../../functions/get-export.js';
import { makeGetExports } from '../../functions/get-exports.js';
import { makeGetRecallRoutes } from '../../functions/get-recall.js';
import { makeGetRecalls } from '../../functions/get-recalls.js';
import type { ExportJob } from '../../lib/domain/exports.js';
import type { RecallRecord } from '../../lib/domain/recall-store.js';
import { DynamoExportStore } from '../../lib/store/dynamo-export-store.js';
import { DynamoRecallStore } from '../../lib/store/dynamo-recall-store.js';
import { freshTable } from '../support/aws.js';
import { call } from '../support/http.js';

const logger = new Logger({ serviceName: 'test' });
let recalls: DynamoRecallStore;
let exports: DynamoExportStore;

const recall = (i: number, status: RecallRecord['status']): RecallRecord => ({
  recallId: `R-${String(i).padStart(4, '0')}`,
  status,
  mock: false,
  classification: i % 2 ? 'I' : 'II',
  reason: `reason ${i}`,
  hazard: 'Listeria',
  instructions: 'Destroy',
  includeDownstream: true,
  lots: [{ gtin: '00614141000012', lot: `L${i}` }],
  affectedLots: [{ gtin: '00614141000012', lot: `L${i}` }],
  customers: i,
  noticesTotal: i + 1,
  unitsAtRisk: 10 * i,
  // one second apart, and two recalls in one millisecond
  issuedAt: new Date(Date.UTC(2026, 2, 1, 12, 0, i === 7 ? 6 : i)).toISOString(),
  requestedBy: 'local',
  traceMillis: 3,
  ...(status === 'closed' ? { closedAt: '2026-03-09T00:00:00.000Z' } : {}),
});

const job = (i: number, status: ExportJob['status']): ExportJob => ({
  exportId: `E-${String(i).padStart(4, '0')}`,
  status,
  format: 'fsma204-csv',
  request: { format: 'fsma204-csv', from: '2026-03-01', to: '2026-03-02' },
  requestedBy: 'local',
  createdAt: new Date(Date.UTC(2026, 2, 1, 12, 0, i)).toISOString(),
  updatedAt: new Date(Date.UTC(2026, 2, 1, 12, 0, i)).toISOString(),
  bucket: 'b',
  key: `exports/E-${i}.csv`,
  manifestKey: `exports/E-${i}.manifest.json`,
  attempts: 0,
  ...(status === 'complete' ? { rowCount: i, bytes: 100 * i, sha256: 'ab'.repeat(32), completedAt: '2026-03-01T13:00:00.000Z' } : {}),
});

beforeAll(async () => {
  const t = await freshTable('listings');
  recalls = new DynamoRecallStore(t.doc, t.tableName);
  exports = new DynamoExportStore(t.doc, t.tableName);
  for (let i = 1; i <= 9; i++) await recalls.createRecall(recall(i, i % 3 === 0 ? 'closed' : 'active'));
  for (let i = 1; i <= 7; i++) await exports.create(job(i, i === 2 ? 'failed' : 'complete'));
  // a job saved again (claimed, finished) stays in the list once
  const again = job(4, 'complete');
  await exports.save({ ...again, attempts: 1 });
});

type Page<T> = { items: T[]; nextCursor?: string };

async function every<T>(h: ReturnType<typeof makeGetRecalls>, path: string, limit: number) {
  const pages: T[][] = [];
  let cursor: string | undefined;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const r = await call<Page<T>>(h, 'GET', `${path}${sep}limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
    expect(r.status).toBe(200);
    pages.push(r.body.items);
    cursor = r.body.nextCursor;
  } while (cursor && pages.length < 50);
  return pages;
}

describe('GET /recalls', () => {
  const h = () => makeGetRecalls({ recalls, logger });

  it('lists every recall once, newest first, page by page, with no cursor on the last page', async () => {
    for (const limit of [1, 2, 3, 4, 9, 50]) {
      const pages = await every<{ recallId: string; issuedAt: string }>(h(), '/recalls', limit);
      const ids = pages.flat().map((r) => r.recallId);
      expect(ids, `limit ${limit}`).toEqual(['R-0009', 'R-0008', 'R-0007', 'R-0006', 'R-0005', 'R-0004', 'R-0003', 'R-0002', 'R-0001']);
      expect(pages.length, `limit ${limit}`).toBe(Math.ceil(9 / limit));
      for (const p of pages) expect(p.length).toBeLessThanOrEqual(limit);
    }
  });

  it('answers a summary of each recall, without its request hash', async () => {
    const r = await call<Page<Record<string, unknown>>>(h(), 'GET', '/recalls?limit=1');
    expect(r.body.items[0]).toEqual({
      recallId: 'R-0009',
      status: 'closed',
      mock: false,
      classification: 'I',
      reason: 'reason 9',
      lots: [{ gtin: '00614141000012', lot: 'L9' }],
      affectedLots: 1,
      issuedAt: '2026-03-01T12:00:09.000Z',
      requestedBy: 'local',
      noticesTotal: 10,
      customers: 9,
      unitsAtRisk: 90,
      closedAt: '2026-03-09T00:00:00.000Z',
    });
  });

  it('filters by status, the pages still full', async () => {
    const closed = await every<{ recallId: string; status: string }>(h(), '/recalls?status=closed', 2);
    expect(closed.flat().map((r) => r.recallId)).toEqual(['R-0009', 'R-0006', 'R-0003']);
    expect(closed.map((p) => p.length)).toEqual([2, 1]);
    const none = await call<Page<unknown>>(h(), 'GET', '/recalls?status=notifying');
    expect(none.body).toEqual({ items: [] });
  });

  it('refuses a bad limit, status or cursor with a 400 naming it', async () => {
    for (const [q, path] of [
      ['limit=0', 'limit'],
      ['limit=1001', 'limit'],
      ['limit=x', 'limit'],
      ['status=open', 'status'],
      ['cursor=bm90IGEgY3Vyc29y', 'cursor'],
      ['cursor=%7B', 'cursor'],
    ] as const) {
      const r = await call<{ error: { code: string; details: { path: string }[] } }>(h(), 'GET', `/recalls?${q}`);
      expect(r.status, q).toBe(400);
      expect(r.body.error.code, q).toBe('validation_failed');
      expect(
        r.body.error.details.map((x) => x.path),
        q,
      ).toEqual([path]);
    }
  });
});

describe('GET /exports', () => {
  const h = () => makeGetExports({ exports, logger });

  it('lists every export once, newest first, a job saved again included once', async () => {
    for (const limit of [1, 3, 7, 8]) {
      const ids = (await every<{ exportId: string }>(h(), '/exports', limit)).flat().map((e) => e.exportId);
      expect(ids, `limit ${limit}`).toEqual(['E-0007', 'E-0006', 'E-0005', 'E-0004', 'E-0003', 'E-0002', 'E-0001']);
    }
  });

  it('answers each export as GET /exports/{id} would before its link, filtered by status', async () => {
    const failed = await call<Page<Record<string, unknown>>>(h(), 'GET', '/exports?status=failed');
    expect(failed.body.items.map((e) => e.exportId)).toEqual(['E-0002']);
    const r = await call<Page<Record<string, unknown>>>(h(), 'GET', '/exports?limit=1');
    expect(r.body.items[0]).toEqual({
      exportId: 'E-0007',
      status: 'complete',
      format: 'fsma204-csv',
      request: { format: 'fsma204-csv', from: '2026-03-01', to: '2026-03-02' },
      requestedBy: 'local',
      createdAt: '2026-03-01T12:00:07.000Z',
      completedAt: '2026-03-01T13:00:00.000Z',
      rowCount: 7,
      bytes: 700,
      sha256: 'ab'.repeat(32),
    });
    expect(r.body.nextCursor).toBeTypeOf('string');
    const bad = await call<{ error: { details: { path: string }[] } }>(h(), 'GET', '/exports?status=done');
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0]?.path).toBe('status');
  });
});

describe('one cloud function for a list and its items', () => {
  it('GET /recalls and GET /recalls/{id} through the function of get-recall', async () => {
    const h = makeGetRecallRoutes({ recalls, logger });
    const list = await call<Page<{ recallId: string }>>(h, 'GET', '/recalls?limit=2');
    expect(list.body.items.map((r) => r.recallId)).toEqual(['R-0009', 'R-0008']);
    const one = await call<{ recallId: string; notices: { total: number } }>(h, 'GET', '/recalls/R-0003');
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ recallId: 'R-0003', notices: { total: 4 } });
  });

  it('GET /exports through the function of get-export', async () => {
    const clock = { now: () => new Date('2026-03-01T12:00:00Z') };
    const h = makeGetExportRoutes({ exports, exportFiles: {} as never, clock, logger });
    const list = await call<Page<{ exportId: string }>>(h, 'GET', '/exports?status=failed');
    expect(list.body.items.map((e) => e.exportId)).toEqual(['E-0002']);
    const one = await call<{ exportId: string; status: string }>(h, 'GET', '/exports/E-0002');
    expect(one.body).toMatchObject({ exportId: 'E-0002', status: 'failed' });
  });
});
