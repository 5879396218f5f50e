import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QueryCommand, type QueryCommandOutput } from '@aws-sdk/lib-dynamodb';
import { build } from 'esbuild';
import { ESM_REQUIRE_BANNER } from '../infra/esm-banner.js';
import { JOBS } from '../infra/jobs.js';
import { GENESIS_HASH } from '../lib/domain/canonical.js';
import { exportKey, manifestKeyOf } from '../lib/domain/exports.js';
import { type LedgerEntry, type LotState, sealEntry } from '../lib/domain/ledger.js';
import { batchPutAll } from '../lib/store/batch-put.js';
import { documentClient } from '../lib/store/document-client.js';
import { DynamoExportStore } from '../lib/store/dynamo-export-store.js';
import { entryItem, lotItems } from '../lib/store/dynamo-ledger-store.js';

const GTIN = '00614141000012';
const DAY0 = Date.UTC(2025, 0, 1);

/**
 * `movements` ledger entries over `days` days (receipts, shipments, transfers: every one an FSMA row, transfers two),
 * 100 per lot, written straight to the table with BatchWriteItem (entryItem, so GSI3 lists them by day). The FDA
 * request benchmark seeds the same entries.
 */
export async function seedExportEntries(table: string, movements: number, days: number) {
  const doc = documentClient();
  const run = randomUUID().slice(0, 6);
  const perLot = 100;
  const lots = Math.ceil(movements / perLot);
  const perDay = Math.ceil(movements / days);
  const items: Record<string, unknown>[] = [];
  let written = 0;
  for (let l = 0; l < lots; l++) {
    const lot = `X${run}-${l}`;
    let prev = GENESIS_HASH;
    let last: LedgerEntry | undefined;
    const n = Math.min(perLot, movements - l * perLot);
    for (let s = 1; s <= n; s++) {
      const i = l * perLot + s - 1;
      // Spread evenly: movement i happens on day floor(i / perDay), lots interleaved within the day.
      const at = new Date(DAY0 + Math.floor(i / perDay) * 86_400_000 + ((i * 7919) % 86_000) * 1000).toISOString().replace('Z', '+00:00');
      const type = s === 1 ? 'receive' : s % 3 === 0 ? 'transfer' : 'ship';
      last = sealEntry({
        gtin: GTIN,
        lot,
        seq: s,
        prevHash: prev,
        eventId: `${lot}-${s}`,
        type,
        occurredAt: at,
        recordedAt: at,
        site: 'bench-dc',
        counterparty: type === 'receive' ? 'bench-farm' : type === 'transfer' ? 'bench-store-0' : 'bench-farm',
        quantity: s === 1 ? 10_000 : 1,
        unit: 'ea',
        ...(s === 1 ? { expiry: '2027-12-31', tlcSource: 'bench-farm', reference: { type: 'BOL', number: `B-${l}` } } : {}),
        deltas: [{ siteId: 'bench-dc', quantity: s === 1 ? 10_000 : -1 }],
      });
      prev = last.hash;
      items.push(entryItem(last));
      written++;
      if (items.length >= 2000) await batchPutAll(doc, table, items.splice(0));
    }
    if (last) {
      const head: LotState = {
        gtin: GTIN,
        lot,
        seq: last.seq,
        headHash: last.hash,
        status: 'active',
        statusVersion: 0,
        unit: 'ea',
        createdAt: new Date(DAY0).toISOString(),
        balances: { 'bench-dc': { q: 10_000 - n, r: 10_000 } },
        serialsTotal: 0,
        serialsInStock: 0,
        expiry: '2027-12-31',
        tlcSource: 'bench-farm',
      };
      items.push(...lotItems(head));
    }
  }
  await batchPutAll(doc, table, items.splice(0));
  doc.destroy();
  const lastDay = new Date(DAY0 + (days - 1) * 86_400_000).toISOString().slice(0, 10);
  return { written, from: new Date(DAY0).toISOString().slice(0, 10), to: lastDay };
}

/** Page every entry of the range out of GSI3 with plain Queries: the ceiling an export can read at. */
async function rawQueryRate(table: string, from: string, to: string) {
  const doc = documentClient();
  let items = 0;
  const started = performance.now();
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += 86_400_000) {
    let start: Record<string, unknown> | undefined;
    do {
      const r: QueryCommandOutput = await doc.send(
        new QueryCommand({
          TableName: table,
          IndexName: 'gsi3',
          KeyConditionExpression: 'gsi3pk = :d',
          ExpressionAttributeValues: { ':d': `DAY#${new Date(t).toISOString().slice(0, 10)}` },
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      items += r.Count ?? 0;
      start = r.LastEvaluatedKey;
    } while (start);
  }
  const ms = performance.now() - started;
  doc.destroy();
  return { items, ms, itemsPerSec: (items / ms) * 1000 };
}

/** The export worker's heap limit as the stack deploys it. */
function exportWorkerHeapMb(): number {
  const job = JOBS.find((j) => j.kind === 'export-queue');
  if (job?.kind !== 'export-queue') throw new Error('infra/jobs.ts has no export-queue job');
  return job.maxHeapMb;
}

type ChildReport = {
  ms: number;
  rowCount: number;
  bytes: number;
  maxRssMb: number;
  heapUsedMb: number;
  heapTotalMb: number;
  externalMb: number;
  status: string;
};

/**
 * Run the export worker's use case in a child process (bench/export-child.ts) and read what it reports, max RSS
 * included. The child is bundled first, the way the Lambda is (one ESM file, dependencies inside), and runs on plain
 * node: no TypeScript loader in the process whose memory is measured.
 */
async function runChild(exportId: string, env: Record<string, string>): Promise<ChildReport> {
  const dir = mkdtempSync(join(tmpdir(), 'lotledger-bench-export-'));
  const outfile = join(dir, 'export-child.mjs');
  await build({
    entryPoints: ['bench/export-child.ts'],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    mainFields: ['module', 'main'],
    banner: { js: ESM_REQUIRE_BANNER },
    logLevel: 'error',
  });
  try {
    return await spawnChild(outfile, exportId, env);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function spawnChild(file: string, exportId: string, env: Record<string, string>): Promise<ChildReport> {
  return new Promise((resolve, reject) => {
    // The worker's V8 heap limit is the deployed one (infra/jobs.ts); BENCH_EXPORT_HEAP_MB=N overrides it, 0 removes it.
    const heapMb = Number(process.env.BENCH_EXPORT_HEAP_MB ?? exportWorkerHeapMb());
    const heap = heapMb > 0 ? [`--max-old-space-size=${heapMb}`] : [];
    // BENCH_EXPORT_CPU_PROF=DIR writes a V8 CPU profile of the worker there, to see where its time goes.
    const prof = process.env.BENCH_EXPORT_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_EXPORT_CPU_PROF}`] : [];
    const child = spawn(process.execPath, [...heap, ...prof, file, exportId], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
    });
    child.on('exit', (code) => {
      const line = out.trim().split('\n').at(-1) ?? '';
      if (code !== 0) return reject(new Error(`export child exited ${code}: ${out}`));
      resolve(JSON.parse(line));
    });
  });
}

/**
 * FSMA 204 CSV export of `movements` movements: rows/s and peak RSS of the export process, beside the raw rate of
 * paging the same items out of DynamoDB Local with Query, in the same run.
 */
export async function exportBenchmark(env: Record<string, string>, opts: { movements: number; days: number }) {
  const table = env.TABLE_NAME as string;
  const seedStart = performance.now();
  const seeded = await seedExportEntries(table, opts.movements, opts.days);
  const seedMs = performance.now() - seedStart;
  const raw = await rawQueryRate(table, seeded.from, seeded.to);
  const doc = documentClient();
  const exportId = `X-${randomUUID().replace(/-/g, '').slice(0, 20)}`;
  const request = { format: 'fsma204-csv' as const, from: seeded.from, to: seeded.to };
  const key = exportKey(exportId, request);
  const now = new Date().toISOString();
  await new DynamoExportStore(doc, table).create({
    exportId,
    status: 'pending',
    format: 'fsma204-csv',
    request,
    requestedBy: 'bench',
    createdAt: now,
    updatedAt: now,
    bucket: env.EXPORT_BUCKET as string,
    key,
    manifestKey: manifestKeyOf(key),
    attempts: 0,
  });
  doc.destroy();
  const ex = await runChild(exportId, env);
  return {
    seeded: seeded.written,
    seedMs,
    raw,
    export: ex,
    entriesPerSec: (seeded.written / ex.ms) * 1000,
    rowsPerSec: (ex.rowCount / ex.ms) * 1000,
  };
}
