import { GtinSchema, SerialSchema } from '../lib/domain/ids.js';
import { serialLabelFor } from '../lib/domain/label-requests.js';
import { renderLabel } from '../lib/exports/label-render.js';
import { httpHandler } from '../lib/http/handler.js';
import { parseParam } from '../lib/http/http.js';
import { labelAnswer, labelOptions } from '../lib/http/label-answer.js';
import { type Deps, deps } from './deps.js';

/** GET /labels/serials/{gtin}/{serial}?format=&symbology= : a unit label, (01) and (21), for a serial the ledger knows. */
export const makeGetLabelSerial = (d: Pick<Deps, 'master' | 'ledger' | 'labelSettings' | 'logger'>) =>
  httpHandler(d, async (d, event) => {
    const gtin = parseParam(GtinSchema, 'gtin', event.pathParameters?.gtin);
    const serial = parseParam(SerialSchema, 'serial', event.pathParameters?.serial);
    const { format, symbology } = labelOptions(event);
    const spec = await serialLabelFor(d, gtin, serial, symbology);
    return labelAnswer(await renderLabel(spec, format), format, `serial-${gtin}-${serial}`);
  });
export const handler = makeGetLabelSerial(deps());
