import { type CheckpointDeps, writeCheckpoint } from '../lib/domain/write-checkpoint.js';
import { httpHandler } from '../lib/http/handler.js';
import { json } from '../lib/http/http.js';
import { type Deps, deps, need } from './deps.js';

/** POST /ledger/checkpoints (extension): write a ledger checkpoint now, as the daily job does. */
export const makePostLedgerCheckpoints = (d: CheckpointDeps & Pick<Deps, 'logger'>) =>
  httpHandler(d, async (d) => {
    const r = await writeCheckpoint(d);
    d.logger.info('ledger checkpoint written', { key: r.key, lots: r.lots });
    return json(201, r);
  });
export const handler = makePostLedgerCheckpoints(need(deps(), 'exportFiles'));
