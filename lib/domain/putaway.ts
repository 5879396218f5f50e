import { type BinOccupant, choosePutaway, type PutawayChoice } from './bins.js';
import { AppError } from './errors.js';
import type { LotIndex } from './expiry-ports.js';
import type { Gtin } from './ids.js';
import type { LotKey } from './ledger.js';
import { type MasterDataStore, requireProduct, requireSite } from './master-data.js';

export type PutawayDeps = { lotIndex: Pick<LotIndex, 'binnedStockAt'>; master: MasterDataStore };
export type Putaway = PutawayChoice & { siteId: string; gtin: Gtin; lot: string };

/**
 * GET /sites/{siteId}/putaway?gtin=&lot= : the bin to store a receipt of a lot in (see choosePutaway). 404 for an
 * unknown site or product, 409 `invalid_state` for a site without bins. Reads what the site's bins hold from the bins
 * index (every stock head there with stock in a bin), so its answer may miss a movement of the last second.
 * @example await putaway(d, 'wh-1', '09506000134352', 'L1') // { bin: 'A-01', reason: 'holds-lot', ... }
 */
export async function putaway(d: PutawayDeps, siteId: string, gtin: Gtin, lot: string): Promise<Putaway> {
  const site = await requireSite(d, siteId);
  await requireProduct(d, gtin);
  const bins = site.bins ?? [];
  if (bins.length === 0)
    throw new AppError('invalid_state', `Site ${siteId} has no bins: PUT /sites/${siteId} with bins to use putaway`, [
      { path: 'siteId', message: 'the site has no bins' },
    ]);
  const occupants: BinOccupant[] = [];
  for await (const page of d.lotIndex.binnedStockAt(siteId)) for (const h of page) occupants.push({ gtin: h.gtin, lot: h.lot, bins: h.bins ?? [] });
  const key: LotKey = { gtin, lot };
  const choice = choosePutaway(bins, key, occupants);
  // choosePutaway answers for any non-empty bin list; a site without bins was refused above
  if (!choice) throw new Error(`putaway found no bin among ${bins.length} bins of ${siteId}`);
  return { siteId, gtin, lot, ...choice };
}
