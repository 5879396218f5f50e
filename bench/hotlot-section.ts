import { deps } from '../functions/deps.js';
import { simulateConflicts } from '../test/support/conflict-sim.js';
import { type CallCounts, countCalls, sumCounts, tally } from './ddb-calls.js';
import { combine, type PhaseResult, prepareHotLot } from './hotlot.js';

type Post = (path: string, body: unknown) => Promise<unknown>;
type Put = (path: string, body: unknown) => Promise<void>;
type Kind = 'same' | 'different';

/**
 * `hotlot`: through the local API (the real POST /movements handler, its deps and the DynamoDB store), N stores
 * selling one lot vs N lots, alternating the two in `rounds` so machine noise falls on both. Then the same again with
 * the conflict simulator on the handlers' client: DynamoDB Local serialises transactions instead of refusing
 * overlapping ones, so only the second pass shows what the cloud's TransactionConflicts do to a hot lot.
 * Env: BENCH_HOTLOT_STORES (8), BENCH_HOTLOT_REQUESTS (100 a store a phase, times BENCH_SCALE), BENCH_HOTLOT_BATCH
 * (1 record a request), BENCH_HOTLOT_SIM=0 skips the simulated pass, BENCH_HOTLOT_TX_MS (10) its transaction latency.
 */
export async function hotLotSection(post: Post, put: Put, scale: number) {
  const stores = Number(process.env.BENCH_HOTLOT_STORES ?? 8);
  const requests = Math.max(5, Math.round(Number(process.env.BENCH_HOTLOT_REQUESTS ?? 100) * scale));
  const batch = Number(process.env.BENCH_HOTLOT_BATCH ?? 1);
  const simulate = process.env.BENCH_HOTLOT_SIM !== '0';
  const txMs = Number(process.env.BENCH_HOTLOT_TX_MS ?? 10);
  const rounds = 2;
  // The local API runs its handlers in this process over the composition root's client: count what they send.
  const doc = deps().doc;
  const counter = countCalls(doc);
  const hl = await prepareHotLot(post, put, { stores, requests, batch, phases: rounds * (simulate ? 2 : 1) });

  const pass = async () => {
    const out: Record<Kind, { r: PhaseResult[]; c: CallCounts[] }> = { same: { r: [], c: [] }, different: { r: [], c: [] } };
    counter.take();
    for (let round = 0; round < rounds; round++) {
      for (const kind of (round % 2 === 0 ? ['same', 'different'] : ['different', 'same']) as Kind[]) {
        out[kind].r.push(await hl.measure(kind));
        out[kind].c.push(counter.take());
      }
    }
    return {
      same: { ...combine(out.same.r), counts: sumCounts(out.same.c) },
      different: { ...combine(out.different.r), counts: sumCounts(out.different.c) },
    };
  };
  const print = (p: Awaited<ReturnType<typeof pass>>) => {
    for (const [label, x] of [
      ['same lot      ', p.same],
      ['different lots', p.different],
    ] as const) {
      const rejections = x.busy + Object.values(x.otherRejections).reduce((a, b) => a + b, 0);
      console.log(
        `  ${label}     ${x.sellsPerSec.toFixed(0)} sells/s (${x.sells} sells in ${(x.ms / 1000).toFixed(1)} s; ${rejections ? `rejected: busy ${x.busy}, ${tally(x.otherRejections)}` : 'none rejected'})`,
      );
      const tx = x.counts.calls.TransactWriteItems ?? 0;
      console.log(
        `    DynamoDB         ${x.counts.requests} requests, ${tx} TransactWriteItems (${(tx / Math.max(1, x.sells)).toFixed(2)} a sell); cancelled: ${tally(x.counts.cancelled)}; errors: ${tally(x.counts.failed)}`,
      );
    }
    console.log(`  ratio              ${(p.same.sellsPerSec / p.different.sellsPerSec).toFixed(2)} (same lot ÷ different lots; aim ≥ 0.8)`);
  };

  console.log(
    `\n## hotlot: ${stores} stores selling at once, ${batch} sell${batch > 1 ? 's' : ''} per POST /movements, ${requests} requests a store a phase, ${rounds} rounds`,
  );
  print(await pass());
  if (simulate) {
    const sim = simulateConflicts(doc, { seed: 12, minLatencyMs: txMs });
    try {
      console.log(`  with DynamoDB's conflict rule simulated (overlapping transactions on an item refused; ${txMs} ms a transaction):`);
      const p = await pass();
      print(p);
      console.log(
        `    simulator        ${sim.counters.conflicts} conflicts injected in ${sim.counters.transactions} transactions (both phases), peak ${sim.counters.peakOverlap} at once on one item`,
      );
    } finally {
      sim.uninstall();
    }
  }
  counter.remove();
}
