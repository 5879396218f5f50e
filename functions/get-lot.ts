import { lotView } from '../lib/domain/lots.js';
import { httpHandler } from '../lib/http/handler.js';
import { json } from '../lib/http/http.js';
import { lotKeyOf } from '../lib/http/params.js';
import { type Deps, deps, logger } from './deps.js';

/** GET /lots/{gtin}/{lot} */
export const makeGetLot = (getDeps: () => Pick<Deps, 'lots' | 'master' | 'clock' | 'logger'>) =>
  httpHandler(getDeps, async (d, event) => json(200, await lotView(d, lotKeyOf(event))), logger);
export const handler = makeGetLot(deps);
