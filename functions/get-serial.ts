import { GtinSchema, SerialSchema } from '../lib/domain/ids.js';
import { serialView } from '../lib/domain/lots.js';
import { httpHandler } from '../lib/http/handler.js';
import { json, parseParam } from '../lib/http/http.js';
import { type Deps, deps } from './deps.js';

/** GET /serials/{gtin}/{serial} */
export const makeGetSerial = (d: Pick<Deps, 'ledger' | 'master' | 'clock' | 'logger'> & Partial<Pick<Deps, 'chainTrailMs'>>) =>
  httpHandler(d, async (d, event) =>
    json(
      200,
      await serialView(
        d,
        parseParam(GtinSchema, 'gtin', event.pathParameters?.gtin),
        parseParam(SerialSchema, 'serial', event.pathParameters?.serial),
      ),
    ),
  );
export const handler = makeGetSerial(deps());
