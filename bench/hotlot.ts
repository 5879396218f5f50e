import { randomUUID } from 'node:crypto';
import { forEachLimit } from '../lib/domain/concurrency.js';

type Post = (path: string, body: unknown) => Promise<unknown>;
type Put = (path: string, body: unknown) => Promise<void>;
type Report = { accepted: number; duplicates: number; rejected: number; results: { status: string; code?: string }[] };

const GTIN = '00614141000012';

export type HotLotOptions = {
  /** stores selling at once (one client each) */
  stores: number;
  /** requests each store sends per measured phase */
  requests: number;
  /** records per request: 1 as a till sends them, more for small batches */
  batch: number;
};

/** One measured phase: sells/s, and how the records were answered. */
export type PhaseResult = { sells: number; ms: number; sellsPerSec: number; busy: number; otherRejections: Record<string, number> };

/**
 * N stores selling the SAME lot at once against N stores selling N DIFFERENT lots: same stores, same request count
 * and size, one POST /movements at a time per store. Stock is put in place first (received at a DC, transferred to
 * every store) so no sell runs out; any rejection is counted and reported, not hidden.
 * Returns a `measure` to run phases in whatever order and as often as the caller wants (alternating them evens out
 * a shared machine's noise).
 */
export async function prepareHotLot(post: Post, put: Put, opts: HotLotOptions & { phases: number }) {
  const run = randomUUID().slice(0, 6);
  const stores = Array.from({ length: opts.stores }, (_, i) => `hl-${run}-store-${i}`);
  await put(`/sites/hl-${run}-dc`, { kind: 'warehouse', name: 'Hot-lot DC' });
  await put(`/sites/hl-${run}-farm`, { kind: 'supplier', name: 'Hot-lot farm' });
  await forEachLimit(stores, 4, (s, i) => put(`/sites/${s}`, { kind: 'store', name: `Hot-lot store ${i}` }));

  const perStore = opts.requests * opts.batch * opts.phases;
  const hot = `HOT-${run}`;
  const cold = stores.map((_, i) => `COLD-${run}-${i}`);
  let n = 0;
  const at = () => new Date(Date.UTC(2026, 2, 1, 6) + n * 10).toISOString();
  const ev = (tag: string) => `hl-${run}-${tag}-${n++}`;
  const stock = [hot, ...cold].flatMap((lot, l) => {
    const to = l === 0 ? stores : [stores[l - 1] as string];
    const receive = {
      eventId: ev('in'),
      type: 'receive',
      occurredAt: at(),
      gtin: GTIN,
      lot,
      quantity: perStore * to.length,
      site: `hl-${run}-dc`,
      counterparty: `hl-${run}-farm`,
      expiry: '2027-12-31',
    };
    const transfers = to.map((s) => ({
      eventId: ev('tr'),
      type: 'transfer',
      occurredAt: at(),
      gtin: GTIN,
      lot,
      quantity: perStore,
      site: `hl-${run}-dc`,
      counterparty: s,
    }));
    return [receive, ...transfers];
  });
  for (let i = 0; i < stock.length; i += 500) {
    const r = (await post('/movements', { movements: stock.slice(i, i + 500) })) as Report;
    if (r.accepted !== Math.min(500, stock.length - i))
      throw new Error(`hot-lot stock not in place: ${JSON.stringify(r.results.filter((x) => x.status !== 'accepted').slice(0, 3))}`);
  }

  /** Every store sends `requests` requests of `batch` sells, one after another; all stores at once. */
  const measure = async (kind: 'same' | 'different'): Promise<PhaseResult> => {
    const answers: Report[] = [];
    const started = performance.now();
    await Promise.all(
      stores.map(async (site, s) => {
        const lot = kind === 'same' ? hot : (cold[s] as string);
        for (let r = 0; r < opts.requests; r++) {
          const movements = Array.from({ length: opts.batch }, () => ({
            eventId: ev(kind),
            type: 'sell',
            occurredAt: at(),
            gtin: GTIN,
            lot,
            quantity: 1,
            site,
          }));
          answers.push((await post('/movements', { movements })) as Report);
        }
      }),
    );
    const ms = performance.now() - started;
    const sells = answers.reduce((k, a) => k + a.accepted, 0);
    const otherRejections: Record<string, number> = {};
    let busy = 0;
    for (const a of answers)
      for (const r of a.results)
        if (r.code === 'busy') busy++;
        else if (r.status === 'rejected') otherRejections[r.code ?? 'unknown'] = (otherRejections[r.code ?? 'unknown'] ?? 0) + 1;
    return { sells, ms, sellsPerSec: (sells / ms) * 1000, busy, otherRejections };
  };
  return { measure };
}

/** Phases summed: total sells over total time. */
export function combine(ps: PhaseResult[]): PhaseResult {
  const sells = ps.reduce((k, p) => k + p.sells, 0);
  const ms = ps.reduce((k, p) => k + p.ms, 0);
  const otherRejections: Record<string, number> = {};
  for (const p of ps) for (const [c, k] of Object.entries(p.otherRejections)) otherRejections[c] = (otherRejections[c] ?? 0) + k;
  return { sells, ms, sellsPerSec: (sells / ms) * 1000, busy: ps.reduce((k, p) => k + p.busy, 0), otherRejections };
}
