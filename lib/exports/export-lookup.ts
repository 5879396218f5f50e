import type { EpcisLookup } from '../domain/epcis.js';
import type { FsmaLookup } from '../domain/fsma204.js';
import type { LedgerEntry, LotKey, LotMeta } from '../domain/ledger.js';
import type { MasterDataStore, Product, Site } from '../domain/master-data.js';

/** What an export reads besides the entries: master data and lot heads. */
export type ExportSources = {
  master: Pick<MasterDataStore, 'getProduct' | 'getSite'>;
  heads(lots: LotKey[]): Promise<LotMeta[]>;
};

/** The little an export keeps of a lot's head: the chain head for the manifest and the TLC source for the rows. */
export type CompactHead = { seq: number; hash: string; tlcSource?: string; tlcSourceReference?: string };

const id = (gtin: string, lot: string) => `${gtin}|${lot}`;

/**
 * Caches of products, sites and lot heads, filled page by page before the page is mapped, so the mappings stay
 * synchronous and pure. Memory: one small record per product, site and lot the export touches (a lot head is
 * ~150 bytes here, whatever its balances), never per entry.
 */
export class ExportLookup implements FsmaLookup, EpcisLookup {
  private readonly products = new Map<string, Product | null>();
  private readonly sites = new Map<string, Site | null>();
  private readonly lots = new Map<string, CompactHead | null>();

  constructor(private readonly src: ExportSources) {}

  /** Fetch whatever the page's entries need that is not cached yet. */
  async prepare(entries: readonly LedgerEntry[]): Promise<void> {
    const gtins = new Set<string>();
    const sites = new Set<string>();
    const lots = new Map<string, LotKey>();
    const wantLot = (gtin: string, lot: string) => {
      if (!this.lots.has(id(gtin, lot))) lots.set(id(gtin, lot), { gtin, lot });
    };
    for (const e of entries) {
      for (const g of [e.gtin, ...(e.inputs ?? []).map((i) => i.gtin)]) if (!this.products.has(g)) gtins.add(g);
      for (const s of [e.site, e.counterparty, e.tlcSource]) if (s !== undefined && !this.sites.has(s)) sites.add(s);
      wantLot(e.gtin, e.lot);
      for (const i of e.inputs ?? []) wantLot(i.gtin, i.lot);
    }
    const [, , heads] = await Promise.all([
      Promise.all([...gtins].map(async (g) => this.products.set(g, (await this.src.master.getProduct(g)) ?? null))),
      Promise.all([...sites].map(async (s) => this.sites.set(s, (await this.src.master.getSite(s)) ?? null))),
      lots.size ? this.src.heads([...lots.values()]) : Promise.resolve([]),
    ]);
    for (const k of lots.keys()) this.lots.set(k, null);
    const tlcSites = new Set<string>();
    for (const h of heads) {
      this.lots.set(id(h.gtin, h.lot), {
        seq: h.seq,
        hash: h.headHash,
        ...(h.tlcSource ? { tlcSource: h.tlcSource } : {}),
        ...(h.tlcSourceReference ? { tlcSourceReference: h.tlcSourceReference } : {}),
      });
      if (h.tlcSource && !this.sites.has(h.tlcSource)) tlcSites.add(h.tlcSource);
    }
    await Promise.all([...tlcSites].map(async (s) => this.sites.set(s, (await this.src.master.getSite(s)) ?? null)));
  }

  product = (gtin: string) => this.products.get(gtin) ?? undefined;
  site = (siteId: string) => this.sites.get(siteId) ?? undefined;
  lot = (gtin: string, lot: string) => this.lots.get(id(gtin, lot)) ?? undefined;
}
