import type { QaDeps } from '../lib/domain/quality.js';
import { recordMovements } from '../lib/domain/record-movements.js';
import { ScanBatch, scanToMovement, serialLotsOf } from '../lib/domain/scans.js';
import { httpHandler } from '../lib/http/handler.js';
import { json, parseBody } from '../lib/http/http.js';
import { type Deps, deps, withQaCheck, withTimeLimit } from './deps.js';

/** POST /scans: raw GS1 barcode data (element strings, bracketed, Digital Link) recorded as movements. */
export const makePostScans = (d: QaDeps & Pick<Deps, 'ledger' | 'clock' | 'newToken' | 'logger'>) =>
  httpHandler(d, async (d, event, context) => {
    const batch = parseBody(ScanBatch, event);
    const serialLots = await serialLotsOf(batch.scans, (gtin, serial) => d.ledger.getSerial(gtin, serial));
    const report = await recordMovements(
      withTimeLimit(withQaCheck(d), context),
      batch.scans,
      (raw, i) => scanToMovement(raw, i, serialLots),
      'scans',
    );
    d.logger.info('scans recorded', { accepted: report.accepted, duplicates: report.duplicates, rejected: report.rejected });
    return json(200, report);
  });
export const handler = makePostScans(deps());
