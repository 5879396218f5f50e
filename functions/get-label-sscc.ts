import { SsccSchema, ssccLabelFor } from '../lib/domain/label-requests.js';
import { renderLabel } from '../lib/exports/label-render.js';
import { httpHandler } from '../lib/http/handler.js';
import { parseParam } from '../lib/http/http.js';
import { labelAnswer, labelOptions } from '../lib/http/label-answer.js';
import { type Deps, deps } from './deps.js';

/** GET /labels/sscc/{sscc}?format=&symbology= : the logistic label of an SSCC issued earlier, or 404. */
export const makeGetLabelSscc = (d: Pick<Deps, 'master' | 'ledger' | 'ssccs' | 'labelSettings' | 'logger'>) =>
  httpHandler(d, async (d, event) => {
    const code = parseParam(SsccSchema, 'sscc', event.pathParameters?.sscc);
    const { format, symbology } = labelOptions(event);
    const { spec } = await ssccLabelFor(d, code, symbology);
    return labelAnswer(await renderLabel(spec, format), format, `sscc-${code}`);
  });
export const handler = makeGetLabelSscc(deps());
