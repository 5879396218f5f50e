import { createHash } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import type { SQSBatchResponse } from 'aws-lambda';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import type { Deps } from '../../functions/deps.js';
import { makeExportWorker } from '../../functions/export-worker.js';
import { makeGetExport } from '../../functions/get-export.js';
import { makeGetLedgerVerify } from '../../functions/get-ledger-verify.js';
import { makePostExports } from '../../functions/post-exports.js';
import { makePostLedgerCheckpoints } from '../../functions/post-ledger-checkpoints.js';
import { makePostMovements } from '../../functions/post-movements.js';
import { makeVerifyLedgerJob } from '../../functions/verify-ledger-job.js';
import { lambdaContext } from '../../infra/local/lambda-event.js';
import { S3RVER_CREDENTIALS } from '../../infra/local/s3-local.js';
import { fixedClock } from '../../lib/domain/clock.js';
import type { AlertMessage } from '../../lib/domain/expiry-ports.js';
import type { ExportJob, ExportView } from '../../lib/domain/exports.js';
import { ProductInput, SiteInput, upsertProduct, upsertSite } from '../../lib/domain/master-data.js';
import { noSleep } from '../../lib/domain/retry.js';
import { type RunExportDeps, runExport } from '../../lib/exports/run-export.js';
import { batchPutAll } from '../../lib/store/batch-put.js';
import { documentClient } from '../../lib/store/document-client.js';
import { DynamoEntryReader, DynamoExportStore } from '../../lib/store/dynamo-export-store.js';
import { entryItem, lotItem } from '../../lib/store/dynamo-ledger-store.js';
import { S3ExportFiles } from '../../lib/store/s3-export-files.js';
import { freshBucket, freshTable } from '../support/aws.js';
import { depsFor, type ExportTestDeps, exportDepsFor } from '../support/deps.js';
import { sqsEvent } from '../support/export-queue-event.js';
import { epcisValidator, FSMA_SITES, life } from '../support/exports.js';
import { injectFaults } from '../support/faults.js';
import { GTIN, mv, PRODUCTS, SITES } from '../support/fixtures.js';
import { call } from '../support/http.js';
import { putRawItem } from '../support/raw-item.js';
import { forgeChain } from '../support/rewrite.js';

let d: Deps;
let ed: ExportTestDeps;
let bucket: Awaited<ReturnType<typeof freshBucket>>;
const sent: string[] = [];

/** Export-runner deps over a DynamoDB client of their own (no SDK retries, so injected faults reach the code) and no waits. */
function faultyRunDeps() {
  const client = new DynamoDBClient({ endpoint: inject('ddbEndpoint'), region: 'us-east-1', credentials: S3RVER_CREDENTIALS, maxAttempts: 1 });
  const doc = documentClient(client);
  const reader = new DynamoEntryReader(doc, d.tableName, noSleep);
  const run: RunExportDeps = {
    exports: new DynamoExportStore(doc, d.tableName),
    exportFiles: new S3ExportFiles(bucket.s3, bucket.bucket),
    days: reader,
    sources: { master: depsFor(doc, d.tableName).master, heads: (lots) => reader.heads(lots) },
    clock: d.clock,
    sleep: noSleep,
    chainTrailMs: 0,
  };
  return { run, client };
}

/** POST /exports, then run the worker on the message the API queued, as the SQS event source would. */
async function exportThrough(deps: ExportTestDeps, body: Record<string, unknown>) {
  const posted = await call<{ exportId: string }>(makePostExports(deps), 'POST', '/exports', body, {});
  expect(posted.status).toBe(202);
  expect(sent.at(-1)).toBe(posted.body.exportId);
  const worker = makeExportWorker(deps);
  const res = (await worker(sqsEvent(posted.body.exportId), lambdaContext('export-worker'))) as SQSBatchResponse;
  const view = await call<ExportView>(makeGetExport(deps), 'GET', `/exports/${posted.body.exportId}`);
  return { exportId: posted.body.exportId, res, view: view.body, status: view.status };
}

beforeAll(async () => {
  const t = await freshTable('exports');
  bucket = await freshBucket('exports');
  d = depsFor(t.doc, t.tableName);
  ed = exportDepsFor(t.doc, t.tableName, bucket, { send: async (id) => void sent.push(id) });
  for (const { gtin, ...p } of PRODUCTS) await upsertProduct(d, gtin, ProductInput.parse(p));
  for (const { siteId, ...s } of SITES) await upsertSite(d, siteId, SiteInput.parse(s));
  for (const [siteId, s] of Object.entries(FSMA_SITES)) await upsertSite(d, siteId, SiteInput.parse(s));
  const r = await call<{ rejected: number }>(makePostMovements(d), 'POST', '/movements', { movements: life() });
  expect(r.body.rejected).toBe(0);
});

describe('exports on DynamoDB Local and the S3 server', () => {
  it('runs a CSV export end to end: job, worker, object and manifest in S3, presigned download whose sha256 matches', async () => {
    // Act
    const { res, view } = await exportThrough(ed, { format: 'fsma204-csv', from: '2026-03-01', to: '2026-03-01' });
    // Assess
    expect(res.batchItemFailures).toEqual([]);
    expect(view).toMatchObject({ status: 'complete', format: 'fsma204-csv', rowCount: 12, bucket: bucket.bucket, requestedBy: 'local' });
    expect(view.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
    expect(new URL(view.url as string).searchParams.get('X-Amz-Expires')).toBe('900');
    const download = Buffer.from(await (await fetch(view.url as string)).arrayBuffer());
    const sha = createHash('sha256').update(download).digest('hex');
    expect(sha).toBe(view.sha256);
    expect(view.manifest).toMatchObject({ sha256: sha, rowCount: 12, bytes: download.length, key: view.key, request: { format: 'fsma204-csv' } });
    expect(view.manifest?.lots.map((l) => l.lot)).toEqual(['H1', 'P1', 'R1', 'F1', 'T1', 'K1']);
    expect(download.toString('utf8').split('\r\n')[0]).toMatch(/^\uFEFFCritical Tracking Event,Event ID,Event Time,Traceability Lot Code/);
    const head = await bucket.s3.send(new HeadObjectCommand({ Bucket: bucket.bucket, Key: view.manifestKey }));
    expect(head.ContentType).toBe('application/json');
  });

  it('writes an EPCIS document the GS1 schema accepts, from the table', async () => {
    const { view } = await exportThrough(ed, { format: 'epcis-jsonld', from: '2026-03-01', to: '2026-03-01', gtin: GTIN.romaine });
    const doc = (await (await fetch(view.url as string)).json()) as { epcisBody: { eventList: unknown[] } };
    const validate = epcisValidator();
    expect(validate(doc)).toBe(true);
    expect(doc.epcisBody.eventList.length).toBe(view.rowCount);
    // the manifest counts the KDE gaps of the same movements, as the CSV's does
    const csv = await exportThrough(ed, { format: 'fsma204-csv', from: '2026-03-01', to: '2026-03-01', gtin: GTIN.romaine });
    expect(typeof view.manifest?.kdeGaps).toBe('number');
    expect(view.manifest?.kdeGaps).toBe(csv.view.manifest?.kdeGaps);
  });

  it('rejects a bad request with 400 and an unknown export with 404', async () => {
    const bad = await call<{ error: { code: string; details: { path: string }[] } }>(makePostExports(ed), 'POST', '/exports', {
      format: 'pdf',
      from: '2026-03-02',
      to: '2026-03-01',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((x) => x.path)).toContain('format');
    const missing = await call(makeGetExport(ed), 'GET', '/exports/X-0000');
    expect(missing.status).toBe(404);
    const neverIssued = await call(makeGetExport(ed), 'GET', '/exports/does-not-exist');
    expect(neverIssued).toMatchObject({ status: 404, body: { error: { code: 'export_not_found', details: [{ path: 'exportId' }] } } });
  });

  it('answers a retried POST with the same Idempotency-Key with the same job, queued once', async () => {
    // Prepare: a queue that refuses the first send
    let refuse = true;
    const queued: string[] = [];
    const flaky = exportDepsFor(d.doc, d.tableName, bucket, {
      send: async (id) => {
        if (refuse) throw new Error('queue down');
        queued.push(id);
      },
    });
    const post = (body: Record<string, unknown>, key: string) =>
      call<{ exportId: string; error?: { code: string; details: { path: string }[] } }>(makePostExports(flaky), 'POST', '/exports', body, {
        'idempotency-key': key,
      });
    const body = { format: 'fsma204-csv', from: '2026-03-01', to: '2026-03-01' };
    // Act + Assess: refused, then retried with the same key: the same job, queued now
    const first = await post(body, 'monthly-2026-03');
    expect(first.status).toBe(503);
    refuse = false;
    const second = await post(body, 'monthly-2026-03');
    expect(second.status).toBe(202);
    const third = await post(body, 'monthly-2026-03');
    expect(third.body.exportId).toBe(second.body.exportId);
    expect(queued).toEqual([second.body.exportId]);
    expect(await ed.exports.get(second.body.exportId)).toMatchObject({ status: 'pending', request: body });
    // the same key for another request is refused; another key is another job
    const other = await post({ ...body, to: '2026-03-02' }, 'monthly-2026-03');
    expect(other).toMatchObject({ status: 409, body: { error: { code: 'conflict', details: [{ path: 'Idempotency-Key' }] } } });
    const fresh = await post(body, 'monthly-2026-03-bis');
    expect(fresh.status).toBe(202);
    expect(fresh.body.exportId).not.toBe(second.body.exportId);
  });

  it('claims a job for one attempt at a time in DynamoDB, and the worker hands a busy job back to the queue', async () => {
    // Prepare: a job whose first attempt holds the lease
    const posted = await call<{ exportId: string }>(makePostExports(ed), 'POST', '/exports', {
      format: 'fsma204-csv',
      from: '2026-03-01',
      to: '2026-03-01',
    });
    const id = posted.body.exportId;
    const job = (await ed.exports.get(id)) as ExportJob;
    const t0 = '2026-03-02T09:00:00.000Z';
    const lease = (from: string) => new Date(Date.parse(from) + 60_000).toISOString();
    const one: ExportJob = { ...job, status: 'running', attempts: 1, leaseUntil: lease(t0) };
    expect(await ed.exports.claim(one, 0, t0)).toBe(true);
    // Act + Assess: a second claim from the same read loses; the worker reports the message as a failure to retry
    expect(await ed.exports.claim({ ...one }, 0, t0)).toBe(false);
    expect(await ed.exports.claim({ ...one, attempts: 2 }, 1, t0)).toBe(false); // lease not over yet
    const worker = makeExportWorker({ ...ed, clock: fixedClock(t0) });
    const res = (await worker(sqsEvent(id), lambdaContext('export-worker'))) as SQSBatchResponse;
    expect(res.batchItemFailures).toEqual([{ itemIdentifier: `m-${id}` }]);
    expect(await ed.exports.get(id)).toMatchObject({ status: 'running', attempts: 1 });
    // after the lease, the next attempt takes over, and the first one can no longer record an outcome
    const later = '2026-03-02T09:05:00.000Z';
    expect(await ed.exports.claim({ ...one, attempts: 2, leaseUntil: lease(later) }, 1, later)).toBe(true);
    expect(await ed.exports.finish({ ...one, status: 'complete' })).toBe(false);
    expect(await ed.exports.finish({ ...one, attempts: 2, status: 'failed', error: 'x' })).toBe(true);
    expect(await ed.exports.get(id)).toMatchObject({ status: 'failed', attempts: 2 });
  });

  it('marks the job failed with a readable error and returns the message for a retry when S3 refuses the file', async () => {
    const broken = exportDepsFor(
      d.doc,
      d.tableName,
      { s3: bucket.s3, bucket: 'no-such-bucket-for-exports' },
      { send: async (id) => void sent.push(id) },
    );
    const { res, view } = await exportThrough(broken, { format: 'fsma204-csv', from: '2026-03-01', to: '2026-03-01' });
    expect(res.batchItemFailures).toHaveLength(1);
    expect(view.status).toBe('failed');
    expect(view.error).toMatch(/^export failed: /);
    expect(view.url).toBeUndefined();
  });

  it('retries throttled and unprocessed DynamoDB reads, hands the job back pending while they last, and never fails it', async () => {
    // Prepare: a client of its own without SDK retries, throttling 10% of calls and leaving half of each batch-get unprocessed
    const { run, client } = faultyRunDeps();
    const counters = injectFaults(client, { throttle: 0.1, unprocessed: 1 }, 7);
    const posted = await call<{ exportId: string }>(
      makePostExports(ed),
      'POST',
      '/exports',
      { format: 'fsma204-csv', from: '2026-03-01', to: '2026-03-01' },
      { 'idempotency-key': 'throttled-march' },
    );
    const id = posted.body.exportId;
    // Act: deliver the message until the job completes, as SQS redelivers a message whose attempt threw
    const statuses: (string | undefined)[] = [];
    let done: ExportJob | undefined;
    for (let delivery = 0; delivery < 20 && done?.status !== 'complete'; delivery++) {
      done = await runExport(run, id).catch(() => undefined);
      statuses.push((await ed.exports.get(id))?.status);
    }
    // Assess
    expect(done).toMatchObject({ status: 'complete', rowCount: 12 });
    expect(statuses).not.toContain('failed');
    expect(counters.throttled).toBeGreaterThan(0);
    expect(counters.unprocessed).toBeGreaterThan(0);
    expect((await bucket.s3.send(new HeadObjectCommand({ Bucket: bucket.bucket, Key: done?.key }))).ContentLength).toBe(done?.bytes);
  });

  it('answers a retried POST for a job handed back after throttling with the same job, queued again, not failed', async () => {
    // Prepare: every BatchGetItem throttled, past what the attempt retries
    const { run, client } = faultyRunDeps();
    let down = true;
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (down && context.commandName === 'BatchGetItemCommand')
          throw Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), {
            name: 'ThrottlingException',
            $metadata: { httpStatusCode: 400 },
          });
        return next(args);
      },
      { step: 'initialize', name: 'batchGetThrottled' },
    );
    const body = { format: 'epcis-jsonld', from: '2026-03-01', to: '2026-03-01' };
    const post = () => call<{ exportId: string; status: string }>(makePostExports(ed), 'POST', '/exports', body, { 'idempotency-key': 'down-march' });
    const first = await post();
    const id = first.body.exportId;
    await expect(runExport(run, id)).rejects.toMatchObject({ name: 'ThrottlingException' });
    expect(await ed.exports.get(id)).toMatchObject({ status: 'pending', attempts: 1 });
    // Act
    const again = await post();
    // Assess
    expect(again).toMatchObject({ status: 202, body: { exportId: id, status: 'pending' } });
    expect(sent.filter((s) => s === id)).toHaveLength(2);
    down = false;
    expect(await runExport(run, id)).toMatchObject({ status: 'complete', attempts: 2 });
    const view = await call<ExportView>(makeGetExport(ed), 'GET', `/exports/${id}`);
    expect(view.body).toMatchObject({ status: 'complete' });
    expect(view.body.error).toBeUndefined();
  });

  it('catches a lot whose whole chain was rewritten consistently in the table, once a checkpoint exists', async () => {
    // Prepare: a clean verify, then a checkpoint.
    const verify = makeGetLedgerVerify(ed);
    expect((await call<{ ok: boolean }>(verify, 'GET', '/ledger/verify')).body.ok).toBe(true);
    const cp = await call<{ key: string; lots: number; sha256: string }>(makePostLedgerCheckpoints(ed), 'POST', '/ledger/checkpoints', {});
    expect(cp.status).toBe(201);
    expect(cp.body.key).toMatch(/^checkpoints\/.*\.json$/);
    // Act: rewrite R1's chain with recomputed hashes and head, as someone with table access could.
    const k = { gtin: GTIN.romaine, lot: 'R1' };
    const forged = forgeChain(await d.ledger.allEntries(k), (e) => ({ ...e, quantity: 400 }));
    const lot = await d.ledger.getLot(k);
    if (!lot) throw new Error('no lot');
    await batchPutAll(
      d.doc,
      d.tableName,
      forged.map((e) => entryItem(e)),
    );
    await putRawItem(d.doc, d.tableName, lotItem({ ...lot, headHash: forged.at(-1)?.hash ?? '' }));
    // Assess
    const chainsOnly = await call<{ ok: boolean }>(makeGetLedgerVerify(d), 'GET', '/ledger/verify');
    expect(chainsOnly.body.ok).toBe(true);
    const r = await call<{ ok: boolean; failures: { gtin: string; lot: string; seq: number; reason: string }[]; checkpoint: { key: string } }>(
      verify,
      'GET',
      '/ledger/verify',
    );
    expect(r.body.ok).toBe(false);
    expect(r.body.failures).toEqual([{ gtin: GTIN.romaine, lot: 'R1', seq: lot.seq, reason: 'checkpoint-hash', problem: expect.any(String) }]);
    expect(r.body.checkpoint.key).toBe(cp.body.key);
    const one = await call<{ ok: boolean; reason: string }>(verify, 'GET', `/ledger/verify?gtin=${GTIN.romaine}&lot=R1`);
    expect(one.body).toMatchObject({ ok: false, reason: 'checkpoint-hash' });
    // The nightly job compares with the checkpoint too, and says so on the alerts topic.
    const alerts: AlertMessage[] = [];
    const alertPublisher = {
      publish: async (ms: AlertMessage[]) => {
        alerts.push(...ms);
        return { ok: ms.map((m, i) => ({ alertId: m.alertId, messageId: `m${i}` })), failed: [] };
      },
    };
    const job = makeVerifyLedgerJob({ ...ed, alertPublisher });
    const ran = (await job({}, lambdaContext('daily-ledger-verify'))) as { ok: boolean; alerted: boolean; checkpoint: { key: string } };
    expect(ran).toMatchObject({ ok: false, alerted: true, checkpoint: { key: cp.body.key, intact: true } });
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.attributes).toEqual({ eventType: 'ledger.tamper', audience: 'quality' });
    const body = JSON.parse(alerts[0]?.body ?? '{}');
    expect(body).toMatchObject({ type: 'ledger.tamper', failureCount: 1, checkpoint: { key: cp.body.key } });
    expect(body.failures).toEqual([{ gtin: GTIN.romaine, lot: 'R1', seq: lot.seq, reason: 'checkpoint-hash', problem: expect.any(String) }]);
  });

  it('nightly verify job: a clean ledger raises no alert; an alert SNS refuses fails the run so it is retried', async () => {
    // Prepare: a table and bucket of its own with one lot (no checkpoint: the chains alone are checked).
    const t = await freshTable('verify-job');
    const b = await freshBucket('verify-job');
    const own = exportDepsFor(t.doc, t.tableName, b, { send: async () => undefined });
    for (const { gtin, ...p } of PRODUCTS) await upsertProduct(own, gtin, ProductInput.parse(p));
    for (const { siteId, ...s } of SITES) await upsertSite(own, siteId, SiteInput.parse(s));
    const posted = await call<{ accepted: number }>(makePostMovements(own), 'POST', '/movements', {
      movements: [mv({ eventId: 'nj-1', type: 'receive', lot: 'NJ1' })],
    });
    expect(posted.body.accepted).toBe(1);
    const alerts: AlertMessage[] = [];
    let refuse = false;
    const alertPublisher = {
      publish: async (ms: AlertMessage[]) => {
        alerts.push(...ms);
        return refuse ? { ok: [], failed: ms.map((m) => ({ alertId: m.alertId, message: 'KMSDisabled: key disabled' })) } : { ok: [], failed: [] };
      },
    };
    // Act + Assess: clean
    const job = makeVerifyLedgerJob({ ...own, alertPublisher });
    expect(await job({}, lambdaContext('daily-ledger-verify'))).toMatchObject({ ok: true, failures: 0 });
    expect(alerts).toHaveLength(0);
    // Act + Assess: a broken chain whose alert is refused
    const k = { gtin: GTIN.romaine, lot: 'NJ1' };
    const [first] = await own.ledger.allEntries(k);
    if (!first) throw new Error('no entry');
    await putRawItem(t.doc, t.tableName, entryItem({ ...first, quantity: 11 }));
    refuse = true;
    await expect(job({}, lambdaContext('daily-ledger-verify'))).rejects.toThrow(/alert was refused: KMSDisabled/);
    expect(alerts).toHaveLength(1);
  });
});
