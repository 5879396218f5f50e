import { recordMovements } from '../lib/domain/record-movements.js';
import { ScanBatch, scanToMovement } from '../lib/domain/scans.js';
import { httpHandler } from '../lib/http/handler.js';
import { json, parseBody } from '../lib/http/http.js';
import { type Deps, deps, logger } from './deps.js';

/** POST /scans: raw GS1 barcode data (element strings, bracketed, Digital Link) recorded as movements. */
export const makePostScans = (getDeps: () => Pick<Deps, 'ledger' | 'clock' | 'newToken' | 'logger'>) =>
  httpHandler(
    getDeps,
    async (d, event) => {
      const batch = parseBody(ScanBatch, event);
      const report = await recordMovements(d, batch.scans, scanToMovement);
      d.logger.info('scans recorded', { accepted: report.accepted, duplicates: report.duplicates, rejected: report.rejected });
      return json(200, report);
    },
    logger,
  );
export const handler = makePostScans(deps);
