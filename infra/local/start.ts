import { existsSync, readdirSync } from 'node:fs';
import pRetry, { AbortError } from 'p-retry';
import { loadLocalConfig } from '../../lib/config.js';
import { CONSOLE_DIST, ensureConsoleBuilt } from './console.js';
import { loadDemo } from './demo.js';
import { startLocalStack } from './stack.js';

/**
 * `npm start`: the embedded local stack. Its settings (PORT, LOTLEDGER_DATA_DIR, LOTLEDGER_DEMO, LOTLEDGER_VERBOSE and
 * LOTLEDGER_LOG_LEVEL, with their defaults) are lib/config.ts's LocalEnv.
 */
async function main() {
  const cfg = loadLocalConfig();
  const port = cfg.PORT;
  const dataDir = cfg.LOTLEDGER_DATA_DIR;
  const demo = process.argv.includes('--demo') || cfg.LOTLEDGER_DEMO;
  // Demo data goes only into an empty data directory, so it never mixes with real records.
  const empty = !existsSync(dataDir) || readdirSync(dataDir).length === 0;
  const verbose = cfg.LOTLEDGER_VERBOSE;
  const log = (msg: string, extra?: object) => {
    if (verbose || /fail|crash|error/.test(msg)) console.error(`[local] ${msg}${extra ? ` ${JSON.stringify(extra)}` : ''}`);
  };
  console.log(`lotledger: starting the local stack (data in ${dataDir}) ...`);
  // The console is built (when missing or older than web/) while the embedded services start.
  const built = ensureConsoleBuilt((m) => console.log(`lotledger: ${m}`)).then(
    (b) => {
      if (b.built) console.log(`lotledger: console built in ${(b.ms / 1000).toFixed(1)} s`);
      return true;
    },
    (e: unknown) => {
      console.error(`lotledger: the console could not be built (${e instanceof Error ? e.message : String(e)}); the API runs without it`);
      return false;
    },
  );
  const stack = await startLocalStack({ dataDir, port, log, consoleDir: CONSOLE_DIST });
  const consoleOk = await built;
  console.log(`  DynamoDB Local  ${stack.endpoints.dynamodb}  (table ${stack.env.TABLE_NAME})`);
  console.log(`  S3 (s3rver)     ${stack.endpoints.s3}  (buckets ${stack.env.EXPORT_BUCKET}, ${stack.env.INGEST_BUCKET})`);
  console.log(`  SNS emulator    ${stack.endpoints.sns}  (topics ${stack.env.RECALL_TOPIC_ARN}, ${stack.env.ALERTS_TOPIC_ARN}; SMS)`);
  console.log(`  SES v2 (aws-ses-v2-local) ${stack.endpoints.ses}  (emails: ${stack.url}/_local/emails)`);
  if (demo && empty) {
    console.log('lotledger: loading demo data through the API ...');
    // Every demo request is idempotent (PUTs of master data; movements keyed by eventId come back as duplicates), so a
    // 5xx, such as a batch that outran the handler's timeout on a loaded machine, is retried rather than fatal.
    const call = (method: string, path: string, body?: unknown) =>
      pRetry(
        async () => {
          const r = await fetch(`${stack.url}${path}`, {
            method,
            headers: { 'content-type': 'application/json' },
            ...(body ? { body: JSON.stringify(body) } : {}),
          });
          if (r.status >= 500) throw new Error(`${method} ${path}: HTTP ${r.status} ${await r.text()}`);
          if (!r.ok) throw new AbortError(`${method} ${path}: HTTP ${r.status} ${await r.text()}`);
          return r.json();
        },
        { retries: 3, minTimeout: 1000, onFailedAttempt: (e) => console.log(`  demo: ${e.error.message.slice(0, 120)}; retrying`) },
      );
    const s = await loadDemo(call);
    console.log(
      `  demo: ${s.products} products, ${s.sites} sites, ${s.accepted} of ${s.movements} movements recorded; try: npx lotledger trace ${s.lots[0]?.replace('/', ' ')}`,
    );
  } else if (demo) {
    console.log(`lotledger: ${dataDir} is not empty, so the demo data was not loaded (use an empty LOTLEDGER_DATA_DIR)`);
  }
  if (consoleOk) console.log(`  Console         ${stack.url}/  (open it in a browser)`);
  console.log(`lotledger ready at ${stack.url}  (Ctrl-C to stop)`);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\nlotledger: ${signal} received, stopping ...`);
    await stack.stop();
    console.log('lotledger: stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((e: unknown) => {
  console.error(`lotledger: could not start: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
