import { resolveLot } from '../lib/domain/digital-link.js';
import { resolvedAnswer } from '../lib/http/digital-link-answer.js';
import { httpHandler } from '../lib/http/handler.js';
import { lotKeyOf } from '../lib/http/params.js';
import { type Deps, deps } from './deps.js';

/** GET /01/{gtin}/10/{lot}: the GS1 Digital Link resolver for a lot (no auth): JSON with Accept: application/json, else a page. */
export const makeGetDigitalLinkLot = (d: Pick<Deps, 'master' | 'ledger' | 'recalls' | 'clock' | 'logger'>) =>
  httpHandler(d, async (d, event) => resolvedAnswer(event, () => resolveLot(d, lotKeyOf(event))));
export const handler = makeGetDigitalLinkLot(deps());
