import { startRecall } from '../lib/domain/recall.js';
import { RecallInput } from '../lib/domain/recall-request.js';
import { callerOf } from '../lib/http/caller.js';
import { httpHandler } from '../lib/http/handler.js';
import { json, parseBody } from '../lib/http/http.js';
import { type Deps, deps } from './deps.js';

/** POST /recalls: the blast radius, lots quarantined, the recipients queued for the notifier; answers at once. `mock` changes nothing. */
export const makePostRecalls = (d: Pick<Deps, 'ledger' | 'master' | 'recalls' | 'shardQueue' | 'clock' | 'newToken' | 'logger'>) =>
  httpHandler(d, async (d, event) => {
    const input = parseBody(RecallInput, event);
    const key = event.headers?.['idempotency-key']?.trim();
    const answer = await startRecall(d, input, { requestedBy: callerOf(event), ...(key ? { idempotencyKey: key.slice(0, 200) } : {}) });
    // Counts only: recipients may be customers, and their details stay out of logs.
    d.logger.info('recall started', { recallId: answer.recallId, mock: answer.mock, lots: answer.affected.lots.length, notices: answer.notices });
    return json(201, answer);
  });
export const handler = makePostRecalls(deps());
