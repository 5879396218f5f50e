import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CONSOLE_DIST, ensureConsoleBuilt } from '../infra/local/console.js';
import { startLocalStack } from '../infra/local/stack.js';
import { consoleBenchmark } from './console.js';
import { expiryBenchmark } from './expiry.js';
import { exportBenchmark } from './export.js';
import { fdaBenchmark } from './fda.js';
import { hotLotSection } from './hotlot-section.js';
import { ingestBenchmark, rawBatchWriteRate } from './ingest.js';
import { recallBenchmark } from './recall.js';
import { traceRatioBenchmark } from './trace-ratio.js';
import { traceBenchmark } from './trace-recall.js';

/**
 * `npm run bench`: measured on this machine, in one run, against one embedded stack. Every figure is reported beside a
 * raw baseline from the same DynamoDB Local, since shared machines make absolute numbers noisy.
 * BENCH_SCALE (default 1) scales the workloads down for a quick look, e.g. BENCH_SCALE=0.1.
 */
async function main() {
  const scale = Number(process.env.BENCH_SCALE ?? 1);
  // BENCH_ONLY=export,trace runs just those sections (ingest, hotlot, expiry, trace, trace-ratio, recall, export, fda, console); all by default.
  const only = process.env.BENCH_ONLY?.split(',').map((s) => s.trim());
  const runs = (section: string) => !only || only.includes(section);
  const dataDir = mkdtempSync(join(tmpdir(), 'lotledger-bench-'));
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  if (runs('console')) await ensureConsoleBuilt((m) => console.log(m));
  const stack = await startLocalStack({
    dataDir,
    port: 0,
    inMemoryDb: process.env.BENCH_DISK !== '1',
    ...(runs('console') ? { consoleDir: CONSOLE_DIST } : {}),
  });
  const post = async (path: string, body: unknown) => {
    const r = await fetch(`${stack.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (!r.ok) throw new Error(`${path}: HTTP ${r.status} ${await r.text()}`);
    return r.json();
  };
  const put = async (path: string, body: unknown) => {
    const r = await fetch(`${stack.url}${path}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (!r.ok) throw new Error(`${path}: HTTP ${r.status}`);
  };
  try {
    const ddb = new DynamoDBClient({});
    console.log(`lotledger bench (node ${process.version}, scale ${scale})`);

    // Master data every section uses
    for (const gtin of ['00614141000012', '00614141000029']) await put(`/products/${gtin}`, { description: `bench ${gtin}`, ftl: true });
    await put('/sites/bench-dc', { kind: 'warehouse', name: 'Bench DC' });
    await put('/sites/bench-farm', { kind: 'supplier', name: 'Bench Farm' });
    for (let i = 0; i < 4; i++) await put(`/sites/bench-store-${i}`, { kind: 'store', name: `Bench store ${i}` });

    // Ingest
    if (runs('ingest')) {
      const lots = Math.max(4, Math.round(200 * scale));
      const raw = await rawBatchWriteRate(ddb, Math.round(20_000 * scale), 4);
      const ing = await ingestBenchmark(post, { lots, perLot: 100, clients: 4 });
      console.log('\n## ingest: POST /movements, 4 concurrent clients, batches of 500');
      console.log(
        `  movements          ${ing.movements} over ${lots} lots (${ing.accepted} accepted, ${ing.rejected} rejected) in ${(ing.ms / 1000).toFixed(1)} s`,
      );
      console.log(
        `  ingest             ${ing.movementsPerSec.toFixed(0)} movements/s, ${ing.itemsPerSec.toFixed(0)} items/s (3 items per movement at acceptance: event, stock head, pending entry; chaining writes 2 more)`,
      );
      console.log(`  raw BatchWriteItem ${raw.itemsPerSec.toFixed(0)} items/s (4 writers, 25 items a request, same DynamoDB Local)`);
      console.log(`  ratio              ${(ing.movementsPerSec / raw.itemsPerSec).toFixed(2)} (ingest movements/s ÷ raw items/s; aim ≥ 0.3)`);
    }

    // Hot lot: N stores selling one lot vs N lots
    if (runs('hotlot')) await hotLotSection(post, put, scale);

    // Expiry check
    if (runs('expiry')) {
      const ex = await expiryBenchmark(stack.env.TABLE_NAME as string, {
        lots: Math.max(1000, Math.round(100_000 * scale)),
        near: 100,
        asOf: '2026-06-01',
        site: 'bench-dc',
      });
      console.log(
        `\n## expiry check: ${ex.seeded} lots with stock (seeded with BatchWriteItem in ${(ex.seedMs / 1000).toFixed(1)} s), 100 near expiry`,
      );
      console.log(`  found              ${ex.expiringSoon} expiring soon, ${ex.expired} expired; ${ex.alertsPublished} alerts published`);
      console.log(`  expiry check       ${ex.check.items} items read, ${ex.check.requests} requests, ${ex.check.ms.toFixed(0)} ms`);
      console.log(
        `  full table Scan    ${ex.scan.items} items read, ${ex.scan.requests} requests, ${ex.scan.ms.toFixed(0)} ms (baseline, same table)`,
      );
      console.log(
        `  ratio              ${(ex.check.items / ex.scan.items).toFixed(4)} of the items, ${(ex.check.ms / ex.scan.ms).toFixed(3)} of the time (check ÷ scan)`,
      );
    }

    // Trace
    if (runs('trace')) {
      const tr = await traceBenchmark(stack.env.TABLE_NAME as string, {
        lots: Math.max(10, Math.round(1000 * scale)),
        movements: Math.round(20_000 * scale),
      });
      console.log('\n## trace: forward trace of a lot whose graph has 1,000 lots and 20,000 movements');
      console.log(`  reached            ${tr.lots} lots, ${tr.movements} movements, ${tr.sites} sites`);
      console.log(
        `  took               ${tr.ms.toFixed(0)} ms, ${tr.requests} DynamoDB requests (${(tr.movements / tr.requests).toFixed(0)} entries per request)`,
      );
    }

    // Trace against a raw Query of the same entries
    if (runs('trace-ratio')) {
      const tr = await traceRatioBenchmark(stack.env.TABLE_NAME as string, {
        lots: Math.max(10, Math.round(1000 * scale)),
        movements: Math.round(20_000 * scale),
      });
      console.log('\n## trace-ratio: the same forward trace against a raw paged Query (ConsistentRead) of exactly its entries, best of 2 each');
      console.log(
        `  trace              ${tr.lots} lots, ${tr.movements} movements in ${tr.trace.ms.toFixed(0)} ms, ${tr.trace.requests} DynamoDB requests`,
      );
      console.log(
        `  raw Query          ${tr.raw.items} entries in ${tr.raw.ms.toFixed(0)} ms, ${tr.raw.requests} requests (8 lots at a time, same DynamoDB Local)`,
      );
      console.log(`  ratio              ${tr.ratio.toFixed(2)} (raw time ÷ trace time; aim ≥ 0.5)`);
    }

    // Recall
    if (runs('recall')) {
      const customers = Math.max(100, Math.round(100_000 * scale));
      const raw = await rawBatchWriteRate(ddb, Math.max(5_000, Math.round(20_000 * scale)), 4);
      console.error(`[recall bench] raw BatchWriteItem ${raw.itemsPerSec.toFixed(0)} items/s`);
      const rc = await recallBenchmark(stack.env.TABLE_NAME as string, {
        customers,
        post,
        put,
        emailed: async (recallId) => (await stack.ses.emails()).filter((e) => e.body.includes(recallId)).length,
      });
      console.log(`\n## recall: POST /recalls reaching ${customers} customers (email), until every email is in the SES emulator`);
      console.log(`  seeded             ${customers} customers and their sales in ${(rc.seedMs / 1000).toFixed(1)} s`);
      console.log(
        `  POST /recalls      answered in ${(rc.answeredMs / 1000).toFixed(2)} s (trace ${rc.traceMillis} ms; aim < 2 s), ${rc.notices} notices`,
      );
      console.log(
        `  emails             ${rc.emailed} of ${customers} in the SES emulator ${rc.seconds.toFixed(1)} s after the request (first after ${(rc.firstEmailMs / 1000).toFixed(1)} s): ${rc.perSec.toFixed(0)} notices/s`,
      );
      console.log(`  raw BatchWriteItem ${raw.itemsPerSec.toFixed(0)} items/s (4 writers, 25 items a request, same DynamoDB Local)`);
      console.log(`  ratio              ${(rc.perSec / raw.itemsPerSec).toFixed(2)} (notices delivered/s ÷ raw items/s; aim ≥ 0.3)`);
    }

    // FSMA 204 export
    if (runs('export')) {
      const exMovements = Math.max(1000, Math.round(1_000_000 * scale));
      const xb = await exportBenchmark(stack.env, { movements: exMovements, days: Math.max(1, Math.round(100 * scale)) });
      console.log(`\n## export: FSMA 204 CSV of ${xb.seeded} movements (seeded with BatchWriteItem in ${(xb.seedMs / 1000).toFixed(1)} s)`);
      console.log(
        `  export             ${xb.export.rowCount} rows, ${(xb.export.bytes / 1e6).toFixed(1)} MB in ${(xb.export.ms / 1000).toFixed(1)} s: ${xb.rowsPerSec.toFixed(0)} rows/s, ${xb.entriesPerSec.toFixed(0)} entries/s (${xb.export.status})`,
      );
      console.log(`  peak RSS           ${xb.export.maxRssMb.toFixed(0)} MB (export worker in its own process; aim < 256 MB)`);
      console.log(
        `  of which           V8 heap ${xb.export.heapUsedMb.toFixed(0)} MB used at most (${xb.export.heapTotalMb.toFixed(0)} MB reserved), buffers ${xb.export.externalMb.toFixed(0)} MB`,
      );
      console.log(
        `  raw Query (GSI3)   ${xb.raw.items} items in ${(xb.raw.ms / 1000).toFixed(1)} s: ${xb.raw.itemsPerSec.toFixed(0)} items/s (same items, same DynamoDB Local)`,
      );
      console.log(`  ratio              ${(xb.entriesPerSec / xb.raw.itemsPerSec).toFixed(2)} (export entries/s ÷ raw Query items/s; aim ≥ 0.7)`);
    }

    // FDA records request: the package (XLSX, CSV, EPCIS, ZIP) through the API
    if (runs('fda')) {
      const movements = Math.max(1000, Math.round(100_000 * scale));
      const fb = await fdaBenchmark(stack.env.TABLE_NAME as string, stack.url, post, { movements, days: Math.max(1, Math.round(10 * scale)) });
      console.log(`\n## fda: FDA request package of ${fb.seeded} movements (seeded with BatchWriteItem in ${(fb.seedMs / 1000).toFixed(1)} s)`);
      console.log(`  POST /fda-requests answered in ${fb.answeredMs.toFixed(0)} ms`);
      console.log(
        `  ready              ${(fb.readyMs / 1000).toFixed(1)} s after the request (${((fb.seeded / fb.readyMs) * 1000).toFixed(0)} movements/s); ${fb.kdeGaps} KDE gaps`,
      );
      for (const f of fb.files) console.log(`  file               ${f.name}: ${(f.bytes / 1e6).toFixed(1)} MB`);
      console.log(
        `  peak RSS           ${fb.rssMb.after.toFixed(0)} MB for the whole stack process (${fb.rssMb.before.toFixed(0)} MB before the request; the local worker runs in it)`,
      );
    }

    // The console in headless Chromium
    if (runs('console')) {
      const lots = Math.max(10, Math.round(1000 * scale));
      const cb = await consoleBenchmark(stack.url, post, put, lots);
      const kb = (n: number) => `${(n / 1024).toFixed(0)} KB`;
      console.log(`\n## console: web/dist in headless Chromium (${process.env.LOTLEDGER_CHROMIUM ?? '/usr/bin/chromium'})`);
      console.log(
        `  initial JS         ${kb(cb.initialJs.gzip)} gzip (${kb(cb.initialJs.bytes)} raw, ${cb.initialJs.files} files) to show the lot search page; aim < 400 KB`,
      );
      console.log(`  all JS             ${kb(cb.allJs.gzip)} gzip (${kb(cb.allJs.bytes)} raw): every page, the trace graph's layout engine included`);
      console.log(
        `  trace graph        ${cb.trace.lots} lots (${cb.trace.nodes} nodes): drawn ${(cb.trace.renderMs / 1000).toFixed(2)} s after its data arrived; aim < 2 s`,
      );
      console.log(`  on screen          ${(cb.trace.totalMs / 1000).toFixed(2)} s after navigation, the API's trace (the graph answer) included`);
      console.log(`  of which API       ${(cb.trace.apiMs / 1000).toFixed(2)} s for GET /lots/.../trace (lots, sites, edges) from Node`);
      console.log(
        `  movement pages     ${cb.trace.pagesMs.map((ms) => (ms / 1000).toFixed(2)).join(' + ')} s for every page of ?movements=true&limit=1000 (the first walks the graph)`,
      );
      console.log(
        `  baseline           ${cb.small.lots}-lot trace drawn ${(cb.small.renderMs / 1000).toFixed(2)} s after its data (${(cb.small.totalMs / 1000).toFixed(2)} s after navigation), same browser`,
      );
      console.log(`  ratio              ${(cb.trace.renderMs / cb.small.renderMs).toFixed(1)} (1,000-lot ÷ 2-lot drawing time)`);
    }

    ddb.destroy();
  } finally {
    await stack.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
