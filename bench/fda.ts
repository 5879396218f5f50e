import { seedExportEntries } from './export.js';

type Post = (path: string, body: unknown) => Promise<unknown>;

/** What GET /fda-requests/{id} answers that the benchmark reads. */
type FdaView = { requestId: string; status: string; error?: string; files?: { name: string; bytes: number }[]; kdeGaps?: number };

/**
 * An FDA records request over `movements` movements (the export benchmark's entries, seeded straight into the table)
 * through the API: `POST /fda-requests`, then `GET /fda-requests/{id}` every 250 ms until the package is `ready`. The
 * local stack's export worker builds the package in the stack's own process (XLSX, CSV, EPCIS, then the ZIP).
 */
export async function fdaBenchmark(table: string, url: string, post: Post, opts: { movements: number; days: number }) {
  const seedStart = performance.now();
  const seeded = await seedExportEntries(table, opts.movements, opts.days);
  const seedMs = performance.now() - seedStart;
  const rss0 = process.resourceUsage().maxRSS / 1024;
  const started = performance.now();
  const created = (await post('/fda-requests', {
    reference: `BENCH-${Date.now()}`,
    requestedAt: new Date().toISOString(),
    requestedBy: { name: 'Bench Investigator', agency: 'FDA' },
    from: seeded.from,
    to: seeded.to,
  })) as FdaView;
  const answeredMs = performance.now() - started;
  let view: FdaView = created;
  while (view.status === 'preparing') {
    await new Promise((r) => setTimeout(r, 250));
    const r = await fetch(`${url}/fda-requests/${encodeURIComponent(created.requestId)}`);
    if (!r.ok) throw new Error(`GET /fda-requests/${created.requestId}: HTTP ${r.status}`);
    view = (await r.json()) as FdaView;
  }
  const readyMs = performance.now() - started;
  if (view.status !== 'ready') throw new Error(`FDA request ${created.requestId} ended ${view.status}: ${view.error ?? ''}`);
  return {
    seeded: seeded.written,
    seedMs,
    answeredMs,
    readyMs,
    files: view.files ?? [],
    kdeGaps: view.kdeGaps ?? 0,
    /** the stack process's peak RSS before the request and after it (API, jobs and the worker share it) */
    rssMb: { before: rss0, after: process.resourceUsage().maxRSS / 1024 },
  };
}
