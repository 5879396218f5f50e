import { lotView } from '../lib/domain/lots.js';
import { httpHandler } from '../lib/http/handler.js';
import { json } from '../lib/http/http.js';
import { lotKeyOf } from '../lib/http/params.js';
import { type Deps, deps } from './deps.js';

/** GET /lots/{gtin}/{lot} */
export const makeGetLot = (d: Pick<Deps, 'ledger' | 'master' | 'clock' | 'logger'>) =>
  httpHandler(d, async (d, event) => json(200, await lotView(d, lotKeyOf(event))));
export const handler = makeGetLot(deps());
