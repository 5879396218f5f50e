import { deps, need } from '../functions/deps.js';
import { runExport } from '../lib/exports/run-export.js';

/** The export worker's use case on its own in this process, so its peak RSS is the export's alone. Prints one JSON line. */
async function main() {
  const exportId = process.argv[2] as string;
  const d = need(deps(), 'exportFiles');
  // Where the memory is: the peaks of V8's heap (used and reserved) and of buffers outside it, sampled every 100 ms.
  const peak = { heapUsed: 0, heapTotal: 0, external: 0 };
  const sample = () => {
    const m = process.memoryUsage();
    peak.heapUsed = Math.max(peak.heapUsed, m.heapUsed);
    peak.heapTotal = Math.max(peak.heapTotal, m.heapTotal);
    peak.external = Math.max(peak.external, m.external); // ArrayBuffers included
  };
  const sampler = setInterval(sample, 100);
  const started = performance.now();
  const job = await runExport(d, exportId);
  const ms = performance.now() - started;
  clearInterval(sampler);
  sample();
  const mb = (n: number) => n / 1024 / 1024;
  const maxRssMb = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(
    `${JSON.stringify({
      ms,
      rowCount: job?.rowCount ?? 0,
      bytes: job?.bytes ?? 0,
      maxRssMb,
      heapUsedMb: mb(peak.heapUsed),
      heapTotalMb: mb(peak.heapTotal),
      externalMb: mb(peak.external),
      status: job?.status ?? 'failed',
    })}\n`,
  );
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
