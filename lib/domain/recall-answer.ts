import type { LotKey } from './ledger.js';
import type { AffectedSite, BlastRadius } from './recall-blast-radius.js';
import type { RecallRecord, RecallShard } from './recall-store.js';

export type Affected = { lots: LotKey[]; sites: AffectedSite[]; customers: string[] };

/** The answer to POST /recalls: for a drill (`mock`) all there is, for a real recall what it reached. */
export type RecallAnswer = {
  recallId: string;
  status: 'mock' | RecallRecord['status'];
  mock: boolean;
  affected: Affected;
  notices: number;
  traceMillis: number;
};

const customersOf = (sites: AffectedSite[]) => sites.filter((s) => s.kind === 'customer').map((s) => s.siteId);

/** The answer from a fresh trace. */
export function answerOf(recallId: string, mock: boolean, radius: Pick<BlastRadius, 'lots' | 'sites'>, traceMillis: number): RecallAnswer {
  return {
    recallId,
    status: mock ? 'mock' : 'notifying',
    mock,
    affected: { lots: radius.lots, sites: radius.sites, customers: customersOf(radius.sites) },
    notices: radius.sites.length,
    traceMillis,
  };
}

/** What a recorded recall reached, read back from its shards (every affected site, in trace order). */
export function affectedOf(r: Pick<RecallRecord, 'affectedLots'>, shards: RecallShard[]): Affected {
  const sites = [...shards]
    .sort((a, b) => a.shard - b.shard)
    .flatMap((s) => s.recipients.map((n) => ({ siteId: n.siteId, kind: n.kind, onHand: n.quantity, received: n.received })));
  return { lots: r.affectedLots, sites, customers: customersOf(sites) };
}

/** The answer for a recall already recorded: a retried request gets it again. */
export const answerFromShards = (r: RecallRecord, shards: RecallShard[]): RecallAnswer => ({
  recallId: r.recallId,
  status: r.status,
  mock: false,
  affected: affectedOf(r, shards),
  notices: r.noticesTotal,
  traceMillis: r.traceMillis,
});
