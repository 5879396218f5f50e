import { resolveSerial } from '../lib/domain/digital-link.js';
import { GtinSchema, SerialSchema } from '../lib/domain/ids.js';
import { resolvedAnswer } from '../lib/http/digital-link-answer.js';
import { httpHandler } from '../lib/http/handler.js';
import { parseParam } from '../lib/http/http.js';
import { type Deps, deps } from './deps.js';

/** GET /01/{gtin}/21/{serial}: the GS1 Digital Link resolver for a unit (no auth): its lot's public facts and the serial. */
export const makeGetDigitalLinkSerial = (d: Pick<Deps, 'master' | 'ledger' | 'recalls' | 'clock' | 'logger'>) =>
  httpHandler(d, async (d, event) =>
    resolvedAnswer(event, () =>
      resolveSerial(d, parseParam(GtinSchema, 'gtin', event.pathParameters?.gtin), parseParam(SerialSchema, 'serial', event.pathParameters?.serial)),
    ),
  );
export const handler = makeGetDigitalLinkSerial(deps());
