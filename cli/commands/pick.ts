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
  // a bin column only where the site uses bins (a line without one takes the lot's stock in no bin)
  const binned = r.picks.some((p) => p.bin !== undefined);
  const rows = r.picks.map((p) => [p.lot, p.expiry ?? 'none', ...(binned ? [p.bin ?? '-'] : []), p.quantity, p.available]);
  console.log(table([['lot', 'expiry', ...(binned ? ['bin'] : []), 'take', 'available'], ...rows]));
  return 0;
}
