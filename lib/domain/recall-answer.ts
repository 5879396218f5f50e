import type { LotKey } from './ledger.js';
import type { AffectedSite, BlastRadius } from './recall-blast-radius.js';
import type { RecallRecord, RecallShard } from './recall-store.js';

/**
 * What a recall reached. `sites` and `customers` list at most AFFECTED_LISTED entries each, so that an answer stays
 * far below Lambda's 6 MB however many customers a recall reaches; `sitesTotal` and `customersTotal` count them all,
 * and `truncated` says when the lists stop short (the report lists every consignee, page by page).
 */
export type Affected = {
  lots: LotKey[];
  sites: AffectedSite[];
  customers: string[];
  sitesTotal: number;
  customersTotal: number;
  truncated: boolean;
};

/** Most sites (and most customers) an answer lists: 5,000 sites are about 400 KB of JSON. */
export const AFFECTED_LISTED = 5_000;

/** The affected lists of an answer, cut at AFFECTED_LISTED, with their totals. */
export function affectedList(lots: LotKey[], sites: AffectedSite[], totals?: { sites: number; customers: number }): Affected {
  const customers = customersOf(sites);
  const sitesTotal = totals?.sites ?? sites.length;
  const customersTotal = totals?.customers ?? customers.length;
  const listed = sites.slice(0, AFFECTED_LISTED);
  const listedCustomers = customers.slice(0, AFFECTED_LISTED);
  return {
    lots,
    sites: listed,
    customers: listedCustomers,
    sitesTotal,
    customersTotal,
    truncated: listed.length < sitesTotal || listedCustomers.length < customersTotal,
  };
}

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
    affected: affectedList(radius.lots, radius.sites),
    notices: radius.sites.length,
    traceMillis,
  };
}

/**
 * What a recorded recall reached, read back from its shards in trace order: the first shards are enough for the lists
 * (see AFFECTED_LISTED, and `shardsForAnswer`), the record holds the totals.
 */
export function affectedOf(r: Pick<RecallRecord, 'affectedLots' | 'noticesTotal' | 'customers'>, shards: RecallShard[]): Affected {
  const sites = [...shards]
    .sort((a, b) => a.shard - b.shard)
    .flatMap((s) => s.recipients.map((n) => ({ siteId: n.siteId, kind: n.kind, onHand: n.quantity, received: n.received })));
  return affectedList(r.affectedLots, sites, { sites: r.noticesTotal, customers: r.customers });
}

/** How many recipients to read back from the shards for an answer's lists. */
export const shardsForAnswer = { recipients: AFFECTED_LISTED * 2 };

/** The answer for a recall already recorded: a retried request gets it again. */
export const answerFromShards = (r: RecallRecord, shards: RecallShard[]): RecallAnswer => ({
  recallId: r.recallId,
  status: r.status,
  mock: false,
  affected: affectedOf(r, shards),
  notices: r.noticesTotal,
  traceMillis: r.traceMillis,
});
