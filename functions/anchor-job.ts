import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import type { LotKey } from '../lib/domain/ledger.js';
import { type AnchorDeps, writeAnchor } from '../lib/domain/write-anchor.js';
import { withOwnLogger } from '../lib/http/own-logger.js';
import { type Deps, deps, need } from './deps.js';

/** The lots of the lot-head records in a stream batch (the event source mapping passes only `entity = lot`). */
export function changedLots(event: Partial<DynamoDBStreamEvent>): LotKey[] {
  const out: LotKey[] = [];
  for (const r of event.Records ?? []) {
    const img = r.dynamodb?.NewImage;
    const gtin = img?.gtin?.S;
    const lot = img?.lot?.S;
    if (img?.entity?.S === 'lot' && gtin !== undefined && lot !== undefined) out.push({ gtin, lot });
  }
  return out;
}

/**
 * The ledger anchor job. From the table's stream (lot heads that changed, batched for up to the anchor interval) it
 * anchors those lots' current heads; from its schedule (no Records: the safety net for a batch that failed every
 * retry) it anchors every head not anchored yet. Runs one at a time, so the anchor chain never forks.
 */
export const makeAnchorJob = (d: AnchorDeps & Pick<Deps, 'logger'>) => {
  const own = withOwnLogger(d);
  return middy<Partial<DynamoDBStreamEvent>>()
    .use(injectLambdaContext(own.logger, { resetKeys: true }))
    .handler(async (event) => {
      const r = await writeAnchor(own, event.Records ? changedLots(event) : undefined);
      if (r.key) own.logger.info('ledger anchor written', r);
      return r;
    });
};

const root = need(deps(), 'exportFiles');
export const handler = makeAnchorJob({ ...root, heads: root.sources.heads });
