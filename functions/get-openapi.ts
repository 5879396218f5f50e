import { httpHandler } from '../lib/http/handler.js';
import { json } from '../lib/http/http.js';
import openapi from '../openapi.json' with { type: 'json' };
import { type Deps, deps } from './deps.js';

/** GET /openapi.json: the document `npm run openapi` generated from the handlers' zod schemas (bundled with the function). */
export const makeGetOpenapi = (d: Pick<Deps, 'logger'>) => httpHandler(d, async () => json(200, openapi));
export const handler = makeGetOpenapi(deps());
