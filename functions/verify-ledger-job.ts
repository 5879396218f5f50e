import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { readAnchorTrail } from '../lib/domain/anchor-trail.js';
import type { AnchorStore } from '../lib/domain/anchors.js';
import type { CheckpointStore } from '../lib/domain/checkpoints.js';
import type { Clock } from '../lib/domain/clock.js';
import type { AlertPublisher } from '../lib/domain/expiry-ports.js';
import type { LotDeps } from '../lib/domain/lots.js';
import { verifyAll } from '../lib/domain/verify-ledger.js';
import { withOwnLogger } from '../lib/http/own-logger.js';
import { type Deps, deps, need } from './deps.js';

export type VerifyLedgerJobDeps = Pick<Deps, 'logger'> &
  Pick<LotDeps, 'ledger'> & {
    exportFiles: Pick<CheckpointStore, 'latest'> & AnchorStore;
    alertPublisher: AlertPublisher;
    clock: Clock;
  };

/**
 * Daily, after the 02:00 checkpoint: verify every lot's hash chain and compare every chain with the latest ledger
 * checkpoint and the anchors written after it, so a rewrite of the table that is consistent in itself is caught too. Any failure publishes one
 * `ledger.tamper` alert (audience quality) naming the lots and seqs, and logs an error; the run fails (so the
 * schedule retries it and in the end its DLQ alarm fires) only when that alert could not be sent. A run without any
 * checkpoint yet verifies the chains alone.
 */
export const makeVerifyLedgerJob = (d: VerifyLedgerJobDeps) => {
  const own = withOwnLogger(d);
  const { logger } = own;
  return middy()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(async () => {
      const d = own;
      const cp = await d.exportFiles.latest();
      const report = await verifyAll(d, undefined, cp, await readAnchorTrail(d.exportFiles, cp));
      const summary = {
        ok: report.ok,
        lots: report.lots,
        entries: report.entries,
        failures: report.failures.length,
        checkpoint: report.checkpoint ? { key: report.checkpoint.key, intact: report.checkpoint.intact } : null,
        anchors: report.anchors ?? null,
      };
      logger.info('ledger verified', summary);
      if (report.ok) return summary;
      const checkedAt = d.clock.now().toISOString();
      const out = await d.alertPublisher.publish([
        {
          alertId: `ledger.tamper#${checkedAt}`,
          body: JSON.stringify({
            type: 'ledger.tamper',
            checkedAt,
            ...(report.checkpoint ? { checkpoint: report.checkpoint } : {}),
            ...(report.anchors ? { anchors: report.anchors } : {}),
            failures: report.failures.slice(0, 100),
            failureCount: report.failures.length,
          }),
          attributes: { eventType: 'ledger.tamper', audience: 'quality' },
        },
      ]);
      const refused = out.failed[0];
      if (refused) throw new Error(`ledger verification failed and its ledger.tamper alert was refused: ${refused.message}`);
      logger.error('ledger verification failed: ledger.tamper alert published', { ...summary, messageId: out.ok[0]?.messageId });
      return { ...summary, alerted: true };
    });
};

export const handler = makeVerifyLedgerJob(need(deps(), 'exportFiles'));
