import { AppError } from '../lib/domain/errors.js';
import { GtinSchema, SerialSchema } from '../lib/domain/ids.js';
import { requireProduct } from '../lib/domain/master-data.js';
import { compatibility, compatibilityList } from '../lib/domain/warranty.js';
import { httpHandler } from '../lib/http/handler.js';
import { json, parseParam } from '../lib/http/http.js';
import { queryParam } from '../lib/http/params.js';
import { type Deps, deps } from './deps.js';

/** GET /serials/{gtin}/{serial}/compatibility?with= : what this very unit, of its lot, works with. */
export const makeGetSerialCompatibility = (d: Pick<Deps, 'ledger' | 'master' | 'logger'>) =>
  httpHandler(d, async (d, event) => {
    const gtin = parseParam(GtinSchema, 'gtin', event.pathParameters?.gtin);
    const serial = parseParam(SerialSchema, 'serial', event.pathParameters?.serial);
    const other = queryParam(event, 'with', GtinSchema);
    const s = await d.ledger.getSerial(gtin, serial);
    if (!s) throw new AppError('serial_not_found', `Serial ${serial} of ${gtin} not found`, [{ path: 'serial', message: 'unknown serial' }]);
    const rules = (await requireProduct(d, gtin)).compatibility ?? [];
    if (other !== undefined) return json(200, compatibility(rules, s.lot, other));
    const others = [...new Set(rules.map((r) => r.with))];
    const descriptions = new Map<string, string>();
    for (const g of others) {
      const p = await d.master.getProduct(g);
      if (p) descriptions.set(g, p.description);
    }
    return json(200, compatibilityList(rules, s.lot, descriptions));
  });
export const handler = makeGetSerialCompatibility(deps());
