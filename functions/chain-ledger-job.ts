import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { type ChainDeps, chainLots, sweepUnchained } from '../lib/domain/chain-ledger.js';
import type { LotKey } from '../lib/domain/ledger.js';
import { withOwnLogger } from '../lib/http/own-logger.js';
import { type Deps, deps } from './deps.js';

/** The lots of the pending-entry records in a stream batch (the event source mapping passes only `entity = pending`). */
export function pendingLots(event: Partial<DynamoDBStreamEvent>): LotKey[] {
  const out: LotKey[] = [];
  for (const r of event.Records ?? []) {
    const img = r.dynamodb?.NewImage;
    const gtin = img?.gtin?.S;
    const lot = img?.lot?.S;
    if (img?.entity?.S === 'pending' && gtin !== undefined && lot !== undefined) out.push({ gtin, lot });
  }
  return out;
}

/**
 * The ledger's sequencer. From the table's stream (pending entries just accepted; the records of one lot come in
 * order on one shard, so one lot has one writer) it chains the lots of the batch; from its schedule, or any run with
 * no Records, it sweeps every lot the unchained index lists (the safety net for a batch lost to the DLQ). Two runs
 * racing on one lot are safe: the chain head only moves from the seq that was read.
 */
export const makeChainLedgerJob = (d: ChainDeps & Pick<Deps, 'logger'>) => {
  const own = withOwnLogger(d);
  return middy<Partial<DynamoDBStreamEvent>>()
    .use(injectLambdaContext(own.logger, { resetKeys: true }))
    .handler(async (event) => {
      const lots = event.Records?.length ? pendingLots(event) : undefined;
      const chained = lots ? await chainLots(own, lots) : await sweepUnchained(own);
      if (chained) own.logger.info('ledger entries chained', { chained, lots: lots?.length ?? 'sweep' });
      return { chained };
    });
};

export const handler = makeChainLedgerJob(deps());
