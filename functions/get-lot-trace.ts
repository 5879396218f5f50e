import { z } from 'zod';
import { traceLot } from '../lib/domain/trace.js';
import { httpHandler } from '../lib/http/handler.js';
import { json } from '../lib/http/http.js';
import { CursorSchema, LimitSchema, lotKeyOf, queryParam } from '../lib/http/params.js';
import { type Deps, deps } from './deps.js';

export const Direction = z.enum(['forward', 'backward'], { error: 'must be forward or backward' });
export const Flag = z.enum(['true', 'false'], { error: 'must be true or false' });

/**
 * GET /lots/{gtin}/{lot}/trace?direction=forward|backward[&limit=&cursor=&movements=false]: the graph with a page of
 * its movements (the contract's `movements`); `movements=false` answers the graph alone.
 */
export const makeGetLotTrace = (d: Pick<Deps, 'ledger' | 'master' | 'logger'> & Partial<Pick<Deps, 'traceWalks' | 'chainTrailMs'>>) =>
  httpHandler(d, async (d, event) => {
    const root = lotKeyOf(event);
    const direction = queryParam(event, 'direction', Direction) ?? 'forward';
    const cursor = queryParam(event, 'cursor', CursorSchema);
    const movements = queryParam(event, 'movements', Flag) !== 'false';
    const limit = queryParam(event, 'limit', LimitSchema);
    return json(200, await traceLot(d, root, direction, { movements, ...(limit ? { limit } : {}), ...(cursor ? { cursor } : {}) }));
  });
export const handler = makeGetLotTrace(deps());
