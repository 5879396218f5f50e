import { MovementBatch } from '../lib/domain/movement.js';
import type { QaDeps } from '../lib/domain/quality.js';
import { parseRecord, recordMovements } from '../lib/domain/record-movements.js';
import { httpHandler } from '../lib/http/handler.js';
import { json, parseBody } from '../lib/http/http.js';
import { type Deps, deps, withQaCheck, withTimeLimit } from './deps.js';

/** POST /movements: 1-500 records, each accepted, duplicate or rejected on its own; each accepted defect return runs the QA check. */
export const makePostMovements = (d: QaDeps & Pick<Deps, 'ledger' | 'clock' | 'newToken' | 'logger'>) =>
  httpHandler(d, async (d, event, context) => {
    const batch = parseBody(MovementBatch, event);
    const report = await recordMovements(withTimeLimit(withQaCheck(d), context), batch.movements, parseRecord, 'movements');
    d.logger.info('movements recorded', { accepted: report.accepted, duplicates: report.duplicates, rejected: report.rejected });
    return json(200, report);
  });
export const handler = makePostMovements(deps());
