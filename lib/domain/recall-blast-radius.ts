import { AppError } from './errors.js';
import { type LotKey, type LotState, lotId } from './ledger.js';
import { readLotPartition } from './lot-partition.js';
import type { LotStore } from './lots.js';
import type { MasterDataStore, Product, SiteKind } from './master-data.js';
import type { NoticeProduct } from './notice-message.js';
import { siteQuantities, type TracedLot, tracedSiteKinds, walkLots } from './trace.js';

export type AffectedSite = { siteId: string; kind: SiteKind | 'unknown'; onHand: number; received: number };

export type BlastRadius = {
  lots: LotKey[];
  /** every site that holds or received an affected lot; suppliers and unknown sites are not consignees */
  sites: AffectedSite[];
  /** per site, the product lines its notice lists */
  perSite: Map<string, NoticeProduct[]>;
  /** any affected product is food (on the Food Traceability List, or with a commodity): the title says FOOD RECALL */
  food: boolean;
  /** each affected lot as the trace read it (by lotId): what the quarantine plans from first */
  states: Map<string, LotState>;
};

/**
 * The blast radius of a recall: every affected lot (downstream through transforms when asked), every site that
 * holds or received them with quantities, and per site the products and quantities its notice lists.
 */
export async function blastRadius(
  d: { ledger: LotStore; master: MasterDataStore },
  roots: LotKey[],
  includeDownstream: boolean,
): Promise<BlastRadius> {
  for (const [i, r] of roots.entries()) {
    if (!(await d.ledger.getLot(r)))
      throw new AppError('lot_not_found', `Lot ${r.lot} of ${r.gtin} not found`, [{ path: `lots.${i}`, message: 'unknown lot' }]);
  }
  const traced: Map<string, TracedLot> = includeDownstream
    ? await walkLots(d, roots, 'forward')
    : new Map(
        await Promise.all(
          roots.map(async (r) => {
            const { head, entries, pending } = await readLotPartition(d.ledger, r);
            return [lotId(r), { lot: head as LotState, entries, pending, depth: 0 }] as [string, TracedLot];
          }),
        ),
      );
  const kinds = await tracedSiteKinds(d, traced.values());
  const kindOf = (id: string) => kinds.get(id) ?? 'unknown';
  const sites = siteQuantities(traced.values(), 'forward', kindOf).filter((s) => s.kind !== 'supplier' && s.kind !== 'unknown');
  const products = new Map<string, { description: string | null; food: boolean }>();
  const perSite = new Map<string, NoticeProduct[]>();
  for (const t of traced.values()) {
    if (!products.has(t.lot.gtin)) {
      const p = (await d.master.getProduct(t.lot.gtin)) as (Product & { commodity?: string }) | undefined;
      products.set(t.lot.gtin, { description: p?.description ?? null, food: p?.ftl === true || !!p?.commodity });
    }
    // The serials each site received or holds, when the lot is serialized (21 CFR 7.49(c)(1)(i): identify the units).
    const serials = new Map<string, Set<string>>();
    for (const e of t.entries) {
      if (!e.serials?.length) continue;
      for (const siteId of [e.counterparty, e.site]) {
        if (!siteId) continue;
        const set = serials.get(siteId) ?? new Set<string>();
        for (const x of e.serials) set.add(x);
        serials.set(siteId, set);
      }
    }
    for (const s of siteQuantities([t], 'forward', kindOf)) {
      const list = perSite.get(s.siteId) ?? [];
      const own = serials.get(s.siteId);
      list.push({
        ...(own?.size ? { serials: [...own].sort() } : {}),
        gtin: t.lot.gtin,
        lot: t.lot.lot,
        description: products.get(t.lot.gtin)?.description ?? null,
        expiry: t.lot.expiry ?? null,
        quantity: s.kind === 'customer' || s.kind === 'distributor' ? s.received : s.onHand,
      });
      perSite.set(s.siteId, list);
    }
  }
  const lots = [...traced.values()].map((t) => ({ gtin: t.lot.gtin, lot: t.lot.lot }));
  const states = new Map([...traced].map(([id, t]) => [id, t.lot]));
  return { lots, sites, perSite, food: [...products.values()].some((p) => p.food), states };
}

/** Units at risk at a site: on hand for internal sites; for external ones what reached them less what came back. */
export const unitsAtRiskOf = (s: AffectedSite) => s.onHand;
