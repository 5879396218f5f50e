import { existsSync, readdirSync } from 'node:fs';
import { loadDemo } from './demo.js';
import { startLocalStack } from './stack.js';

/**
 * `npm start`: the embedded local stack. Reads PORT (default 3000) and LOTLEDGER_DATA_DIR (default .lotledger/).
 */
async function main() {
  const port = Number(process.env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number, not ${process.env.PORT}`);
  const dataDir = process.env.LOTLEDGER_DATA_DIR ?? '.lotledger';
  const demo = process.argv.includes('--demo') || process.env.LOTLEDGER_DEMO === '1';
  // Demo data goes only into an empty data directory, so it never mixes with real records.
  const empty = !existsSync(dataDir) || readdirSync(dataDir).length === 0;
  const verbose = process.env.LOTLEDGER_VERBOSE === '1';
  const log = (msg: string, extra?: object) => {
    if (verbose || /fail|crash|error/.test(msg)) console.error(`[local] ${msg}${extra ? ` ${JSON.stringify(extra)}` : ''}`);
  };
  console.log(`lotledger: starting the local stack (data in ${dataDir}) ...`);
  const stack = await startLocalStack({ dataDir, port, log });
  console.log(`  DynamoDB Local  ${stack.endpoints.dynamodb}  (table ${stack.env.TABLE_NAME})`);
  console.log(`  S3 (s3rver)     ${stack.endpoints.s3}  (buckets ${stack.env.EXPORT_BUCKET}, ${stack.env.INGEST_BUCKET})`);
  console.log(`  SNS emulator    ${stack.endpoints.sns}  (topics ${stack.env.RECALL_TOPIC_ARN}, ${stack.env.ALERTS_TOPIC_ARN})`);
  if (demo && empty) {
    console.log('lotledger: loading demo data through the API ...');
    const call = async (method: string, path: string, body?: unknown) => {
      const r = await fetch(`${stack.url}${path}`, {
        method,
        headers: { 'content-type': 'application/json' },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      if (!r.ok) throw new Error(`${method} ${path}: HTTP ${r.status} ${await r.text()}`);
      return r.json();
    };
    const s = await loadDemo(call);
    console.log(
      `  demo: ${s.products} products, ${s.sites} sites, ${s.accepted} of ${s.movements} movements recorded; try: npx lotledger trace ${s.lots[0]?.replace('/', ' ')}`,
    );
  } else if (demo) {
    console.log(`lotledger: ${dataDir} is not empty, so the demo data was not loaded (use an empty LOTLEDGER_DATA_DIR)`);
  }
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
