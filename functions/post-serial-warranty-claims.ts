import { GtinSchema, SerialSchema } from '../lib/domain/ids.js';
import { fileWarrantyClaim, WarrantyClaimInput } from '../lib/domain/warranty-claims.js';
import { httpHandler } from '../lib/http/handler.js';
import { json, parseBody, parseParam } from '../lib/http/http.js';
import { type Deps, deps, withTimeLimit } from './deps.js';

/**
 * POST /serials/{gtin}/{serial}/warranty-claims: 201 with the claim, the same claim again for the same claimId and
 * body. A replacement leaves stock as a chained `sell`; the claim counts as a defect return of the unit's lot.
 */
export const makePostSerialWarrantyClaims = (
  d: Pick<Deps, 'ledger' | 'master' | 'alerts' | 'alertPublisher' | 'qa' | 'clock' | 'newToken' | 'logger' | 'log'>,
) =>
  httpHandler(d, async (d, event, context) => {
    const gtin = parseParam(GtinSchema, 'gtin', event.pathParameters?.gtin);
    const serial = parseParam(SerialSchema, 'serial', event.pathParameters?.serial);
    const input = parseBody(WarrantyClaimInput, event);
    const { claim, replayed } = await fileWarrantyClaim(withTimeLimit(d, context), gtin, serial, input);
    d.logger.info('warranty claim', { gtin, serial, claimId: claim.claimId, replayed, replacement: claim.replacement?.serial });
    return json(201, claim);
  });
export const handler = makePostSerialWarrantyClaims(deps());
