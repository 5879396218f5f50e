import { LabelCount, lotLabelFor } from '../lib/domain/label-requests.js';
import { renderLabel } from '../lib/exports/label-render.js';
import { httpHandler } from '../lib/http/handler.js';
import { labelAnswer, labelOptions } from '../lib/http/label-answer.js';
import { lotKeyOf, queryParam } from '../lib/http/params.js';
import { type Deps, deps } from './deps.js';

/** GET /labels/lots/{gtin}/{lot}?format=&symbology=&quantity= : a case label for a lot the ledger has recorded. */
export const makeGetLabelLot = (d: Pick<Deps, 'master' | 'ledger' | 'labelSettings' | 'logger'>) =>
  httpHandler(d, async (d, event) => {
    const k = lotKeyOf(event);
    const { format, symbology } = labelOptions(event);
    const quantity = queryParam(event, 'quantity', LabelCount);
    const spec = await lotLabelFor(d, k, { symbology, ...(quantity !== undefined ? { quantity } : {}) });
    return labelAnswer(await renderLabel(spec, format), format, `lot-${k.gtin}-${k.lot}`);
  });
export const handler = makeGetLabelLot(deps());
