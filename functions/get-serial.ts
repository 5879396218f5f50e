import { GtinSchema, SerialSchema } from '../lib/domain/ids.js';
import { serialView } from '../lib/domain/lots.js';
import { httpHandler } from '../lib/http/handler.js';
import { json, parseParam } from '../lib/http/http.js';
import { type Deps, deps, logger } from './deps.js';

/** GET /serials/{gtin}/{serial} */
export const makeGetSerial = (getDeps: () => Pick<Deps, 'lots' | 'master' | 'clock' | 'logger'>) =>
  httpHandler(
    getDeps,
    async (d, event) =>
      json(
        200,
        await serialView(
          d,
          parseParam(GtinSchema, 'gtin', event.pathParameters?.gtin),
          parseParam(SerialSchema, 'serial', event.pathParameters?.serial),
        ),
      ),
    logger,
  );
export const handler = makeGetSerial(deps);
