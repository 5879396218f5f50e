import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { CONSOLE_DIST } from '../infra/local/console.js';
import { launchBrowser } from '../test/support/browser.js';

type Post = (path: string, body: unknown) => Promise<unknown>;
type Put = (path: string, body: unknown) => Promise<void>;

const ROOT_GTIN = '00614141000012';
const MADE_GTIN = '00614141000029';

/** A trace of `lots` lots: one root lot, and `lots - 1` lots each made from one unit of it (one transformation each). */
async function seedFanOut(post: Post, put: Put, root: string, lots: number) {
  await put('/sites/console-dc', { kind: 'warehouse', name: 'Console bench DC' });
  await put('/sites/console-farm', { kind: 'supplier', name: 'Console bench farm' });
  const at = '2026-05-01T08:00:00Z';
  const movements: unknown[] = [
    {
      eventId: `${root}-rcv`,
      type: 'receive',
      occurredAt: at,
      gtin: ROOT_GTIN,
      lot: root,
      quantity: lots,
      site: 'console-dc',
      counterparty: 'console-farm',
    },
  ];
  for (let i = 1; i < lots; i++) {
    movements.push({
      eventId: `${root}-t${i}`,
      type: 'transform',
      occurredAt: '2026-05-02T08:00:00Z',
      gtin: MADE_GTIN,
      lot: `${root}-${i}`,
      quantity: 2,
      site: 'console-dc',
      inputs: [{ gtin: ROOT_GTIN, lot: root, quantity: 1 }],
    });
  }
  // Batches of 100: at 500 a batch, a load average above 20 ran a request past the function's timeout.
  for (let i = 0; i < movements.length; i += 100) {
    const r = (await post('/movements', { movements: movements.slice(i, i + 100) })) as { rejected: number; results: { errors?: unknown }[] };
    if (r.rejected > 0) throw new Error(`seeding the ${lots}-lot trace: ${JSON.stringify(r.results.find((x) => x.errors))}`);
  }
}

/**
 * Milliseconds from navigation start until the trace graph is laid out and its first nodes are on screen (`total`), and
 * from the trace's data being in hand until then (`render`: layout and drawing, without the API's time).
 */
async function renderMs(page: Page, url: string, expectNodes: number): Promise<{ total: number; render: number }> {
  await page.goto(url);
  const handle = await page.waitForFunction(
    (n) => {
      const ready = document.querySelector('[data-graph-ready="true"]');
      if (!(ready && Number(ready.getAttribute('data-nodes')) >= n && document.querySelector('.react-flow__node'))) return false;
      const data = performance.getEntriesByName('trace-data').at(-1)?.startTime ?? 0;
      const now = performance.now();
      return { total: now, render: now - data };
    },
    expectNodes,
    { timeout: 120_000, polling: 'raf' },
  );
  return (await handle.jsonValue()) as { total: number; render: number };
}

export type ConsoleBench = {
  initialJs: { files: number; bytes: number; gzip: number };
  allJs: { bytes: number; gzip: number };
  trace: { lots: number; nodes: number; totalMs: number; renderMs: number; apiMs: number; pagesMs: number[] };
  small: { lots: number; totalMs: number; renderMs: number };
};

/**
 * The console in headless Chromium: the JavaScript the first page (lot search) loads, gzip-compressed as a CDN would
 * send it, and the time for a 1,000-lot trace to appear as a graph, next to a 2-lot trace in the same browser.
 */
export async function consoleBenchmark(url: string, post: Post, put: Put, lots: number): Promise<ConsoleBench> {
  await put(`/products/${ROOT_GTIN}`, { description: 'Console bench root', ftl: true });
  await put(`/products/${MADE_GTIN}`, { description: 'Console bench made', ftl: true });
  await seedFanOut(post, put, 'CB-BIG', lots);
  await seedFanOut(post, put, 'CB-SMALL', 2);
  const browser = await launchBrowser();
  try {
    const page = await browser.context.newPage();
    const js = new Set<string>();
    page.on('response', (r) => {
      const p = new URL(r.url()).pathname;
      if (p.endsWith('.js')) js.add(p);
    });
    await page.goto(`${url}/`);
    await page.getByRole('heading', { name: 'Lot search' }).waitFor();
    const size = (paths: Iterable<string>) => {
      let bytes = 0;
      let gzip = 0;
      let files = 0;
      for (const p of paths) {
        const file = join(CONSOLE_DIST, p);
        if (!existsSync(file)) continue;
        const b = readFileSync(file);
        files++;
        bytes += b.length;
        gzip += gzipSync(b, { level: 9 }).length;
      }
      return { files, bytes, gzip };
    };
    const initialJs = size(js);
    const { readdirSync } = await import('node:fs');
    const all = size(
      readdirSync(join(CONSOLE_DIST, 'assets'))
        .filter((f) => f.endsWith('.js'))
        .map((f) => `/assets/${f}`),
    );

    const t0 = performance.now();
    // What the trace page asks for: the graph (lots, sites, edges), no movement page.
    const trace = (await (await fetch(`${url}/lots/${ROOT_GTIN}/CB-BIG/trace?direction=forward&movements=false`)).json()) as { lots: unknown[] };
    const apiMs = performance.now() - t0;
    // A client that wants every movement too: the first page walks the graph, the next ones come from that walk.
    const pages: number[] = [];
    let cursor: string | undefined;
    do {
      const p0 = performance.now();
      const page = (await (
        await fetch(`${url}/lots/${ROOT_GTIN}/CB-BIG/trace?direction=forward&movements=true&limit=1000${cursor ? `&cursor=${cursor}` : ''}`)
      ).json()) as { nextCursor?: string };
      pages.push(performance.now() - p0);
      cursor = page.nextCursor;
    } while (cursor);
    // Warm the browser's cache of the trace page's code once, as a user who opened any trace before would have it.
    await renderMs(page, `${url}/console/lots/${ROOT_GTIN}/CB-SMALL/trace?direction=forward`, 2);
    const small = await renderMs(page, `${url}/console/lots/${ROOT_GTIN}/CB-SMALL/trace?direction=forward`, 2);
    const big = await renderMs(page, `${url}/console/lots/${ROOT_GTIN}/CB-BIG/trace?direction=forward`, lots);
    const nodes = Number(await page.locator('[data-graph-ready]').getAttribute('data-nodes'));
    return {
      initialJs,
      allJs: { bytes: all.bytes, gzip: all.gzip },
      trace: { lots: trace.lots.length, nodes, totalMs: big.total, renderMs: big.render, apiMs, pagesMs: pages },
      small: { lots: 2, totalMs: small.total, renderMs: small.render },
    };
  } finally {
    await browser.close();
  }
}
