import type { PickList } from '../../lib/domain/pick.js';
import type { ApiClient } from '../api-client.js';
import { bold, printJson, table } from '../output.js';

/** `lotledger pick SITE GTIN QTY`: the FEFO pick list; a site that cannot cover QTY is an API error (409, exit 1). */
export async function pick(api: ApiClient, siteId: string, gtin: string, quantity: number, opts: { json?: boolean }): Promise<number> {
  const q = new URLSearchParams({ gtin, quantity: String(quantity) });
  const r = await api.get<PickList>(`/sites/${encodeURIComponent(siteId)}/pick?${q}`);
  if (opts.json) {
    printJson(r);
    return 0;
  }
  console.log(`${bold(`Pick ${r.quantity}${r.unit ? ` ${r.unit}` : ''} of ${r.gtin} at ${r.siteId}`)} (first expiry, first out)`);
  console.log(table([['lot', 'expiry', 'take', 'available'], ...r.picks.map((p) => [p.lot, p.expiry ?? 'none', p.quantity, p.available])]));
  return 0;
}
