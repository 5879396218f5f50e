import { changeLotStatus } from '../lib/domain/lots.js';
import { httpHandler } from '../lib/http/handler.js';
import { json, parseBody } from '../lib/http/http.js';
import { lotKeyOf, ReasonBody } from '../lib/http/params.js';
import { type Deps, deps } from './deps.js';

/** POST /lots/{gtin}/{lot}/hold {reason}: QA hold, recorded as an entry of the lot's chain. */
export const makePostLotHold = (d: Pick<Deps, 'ledger' | 'master' | 'clock' | 'logger'>) =>
  httpHandler(d, async (d, event) => {
    const key = lotKeyOf(event);
    const { reason } = parseBody(ReasonBody, event);
    return json(200, await changeLotStatus(d, key, 'hold', reason, event.requestContext.requestId));
  });
export const handler = makePostLotHold(deps());
