import { z } from 'zod';
import type { Clock } from './clock.js';
import { AppError } from './errors.js';
import { BinIdSchema, GlnSchema, type Gtin, GtinSchema, LotSchema, SiteIdSchema, TextSchema } from './ids.js';
import { FfrnSchema } from './movement-kdes.js';

export const PRODUCT_UNITS_MAX = 16;

export const ProductInput = z.strictObject({
  description: TextSchema(500, { trim: true, error: 'is required' }),
  unit: TextSchema(PRODUCT_UNITS_MAX, { trim: true }).default('ea'),
  ftl: z.boolean({ error: 'must be true or false' }).default(false),
  expiryAlertDays: z
    .number({ error: 'must be a whole number of days' })
    .int('must be a whole number of days')
    .min(0, 'must be 0 or more')
    .max(3650, 'must be at most 3650')
    .default(7),
  // FSMA 204 product description parts (issue 14): the spreadsheet's Product Description names them
  brand: TextSchema(100, { trim: true }).optional(),
  commodity: TextSchema(100, { trim: true }).optional(),
  variety: TextSchema(100, { trim: true }).optional(),
  packSize: TextSchema(60, { trim: true }).optional(),
  packStyle: TextSchema(60, { trim: true }).optional(),
  /** the warranty of each serialized unit, in months from the day it is sold */
  warrantyMonths: z
    .number({ error: 'must be a whole number of months' })
    .int('must be a whole number of months')
    .min(1, 'must be 1 or more')
    .max(1200, 'must be at most 1200')
    .optional(),
  /** which other products units of this product work with; a rule with `lots` applies to units of those lots only */
  compatibility: z
    .array(
      z.strictObject({
        with: GtinSchema,
        lots: z.array(LotSchema).min(1, 'must name 1-100 lots').max(100, 'must name 1-100 lots').optional(),
        compatible: z.boolean({ error: 'must be true or false' }).default(true),
        note: TextSchema(500, { trim: true }).optional(),
      }),
    )
    .max(200, 'must hold at most 200 rules')
    .optional(),
});
export type ProductInput = z.infer<typeof ProductInput>;

export type Product = ProductInput & { gtin: Gtin; createdAt: string; updatedAt: string };

export const SITE_KINDS = ['warehouse', 'store', 'supplier', 'distributor', 'customer'] as const;
export type SiteKind = (typeof SITE_KINDS)[number];
/** Internal sites hold tracked stock; external ones are only counterparties. */
export const INTERNAL_KINDS: readonly SiteKind[] = ['warehouse', 'store'];
export const isInternal = (kind: SiteKind) => INTERNAL_KINDS.includes(kind);

const text = (max: number) => TextSchema(max, { trim: true, min: 0 });

/** At most this many bins a site: the site record holds them all, and putaway weighs each. */
export const SITE_BINS_MAX = 2000;

export const SiteInput = z
  .strictObject({
    kind: z.enum(SITE_KINDS, { error: `must be one of ${SITE_KINDS.join(', ')}` }),
    name: text(200).min(1, 'must not be empty'),
    phone: text(40).optional(),
    address: z
      .strictObject({
        street: text(200).optional(),
        city: text(100).optional(),
        state: text(100).optional(),
        postalCode: text(20).optional(),
        country: text(60).optional(),
      })
      .optional(),
    // FSMA 204: a farm or a landing place may be located by coordinates instead of a street (issue 14)
    coordinates: z
      .strictObject({
        lat: z.number({ error: 'must be a number' }).min(-90, 'must be -90 to 90').max(90, 'must be -90 to 90'),
        lon: z.number({ error: 'must be a number' }).min(-180, 'must be -180 to 180').max(180, 'must be -180 to 180'),
      })
      .optional(),
    gln: GlnSchema.optional(),
    ffrn: FfrnSchema.optional(),
    contact: z
      .strictObject({
        email: z.email('must be an email address').max(254).optional(),
        phone: text(40).optional(),
        channels: z
          .array(z.enum(['email', 'sms', 'webhook'], 'must be email, sms or webhook'))
          .max(3, 'at most 3 channels')
          .refine((c) => new Set(c).size === c.length, 'names a channel twice')
          .optional(),
      })
      .optional(),
    /** the storage bins of an internal site (issue 15): movements may name one, balances and pick lists show them */
    bins: z.array(BinIdSchema).max(SITE_BINS_MAX, `must hold at most ${SITE_BINS_MAX} bins`).optional(),
  })
  .superRefine((s, ctx) => {
    if (!s.bins) return;
    if (!isInternal(s.kind) && s.bins.length > 0)
      ctx.addIssue({ code: 'custom', path: ['bins'], message: `a ${s.kind} holds no tracked stock, so it has no bins` });
    const seen = new Set<string>();
    s.bins.forEach((b, n) => {
      if (seen.has(b)) ctx.addIssue({ code: 'custom', path: ['bins', n], message: `bin ${b} is listed twice` });
      seen.add(b);
    });
  });
export type SiteInput = z.infer<typeof SiteInput>;

export type Site = SiteInput & { siteId: string; createdAt: string; updatedAt: string };

/** Storage port for master data. */
export interface MasterDataStore {
  putProduct(p: Product): Promise<Product>;
  getProduct(gtin: Gtin): Promise<Product | undefined>;
  putSite(s: Site): Promise<Site>;
  getSite(siteId: string): Promise<Site | undefined>;
  /** many sites at once; unknown ids are absent from the map */
  getSites(siteIds: Iterable<string>): Promise<Map<string, Site>>;
}

export type MasterDeps = {
  master: MasterDataStore;
  clock: Clock;
  /** the sites' bins index: with it, upsertSite refuses to drop a bin that still holds stock (PUT /sites passes it) */
  lotIndex?: BinsIndex;
};

/** What upsertSite reads of the sites' bins index (LotIndex.binnedStockAt; typed here, as ledger.ts imports this module). */
export type BinsIndex = {
  binnedStockAt(siteId: string): AsyncIterable<{ gtin: string; lot: string; bins?: readonly { bin: string; q: number }[] }[]>;
};

/** Create or replace a product; `createdAt` survives a replace.
 * @example await upsertProduct(d, '09506000134352', { description: 'Romaine', unit: 'case', ftl: true, expiryAlertDays: 5 })
 */
export async function upsertProduct(d: MasterDeps, gtin: Gtin, input: ProductInput): Promise<Product> {
  const now = d.clock.now().toISOString();
  const existing = await d.master.getProduct(gtin);
  return d.master.putProduct({ ...input, gtin, createdAt: existing?.createdAt ?? now, updatedAt: now });
}

/** Read a product or fail with `product_not_found`. */
export async function requireProduct(d: Pick<MasterDeps, 'master'>, gtin: Gtin): Promise<Product> {
  const p = await d.master.getProduct(gtin);
  if (!p) throw new AppError('product_not_found', `Product ${gtin} not found`, [{ path: 'gtin', message: 'unknown product' }]);
  return p;
}

/** Create or replace a site; `createdAt` survives a replace. A site's kind may not switch between internal and external once set,
 * since stock already tracked there would be orphaned. */
export async function upsertSite(d: MasterDeps, siteId: string, input: SiteInput): Promise<Site> {
  const now = d.clock.now().toISOString();
  const existing = await d.master.getSite(siteId);
  if (existing && isInternal(existing.kind) !== isInternal(input.kind)) {
    throw new AppError('invalid_state', `Site ${siteId} is ${existing.kind}; it cannot become ${input.kind}`, [
      { path: 'kind', message: 'cannot switch between internal (warehouse, store) and external kinds' },
    ]);
  }
  if (existing && d.lotIndex) await refuseDroppingStockedBins(d.lotIndex, siteId, existing.bins ?? [], input.bins ?? []);
  return d.master.putSite({ ...input, siteId, createdAt: existing?.createdAt ?? now, updatedAt: now });
}

/**
 * A bin that still holds stock may not leave the site's list: no movement could name it any more, and its stock would
 * be stuck there. Reads the site's bins index only when the new list drops a bin.
 */
async function refuseDroppingStockedBins(lotIndex: BinsIndex, siteId: string, before: string[], after: string[]) {
  const kept = new Set(after);
  const dropped = new Set(before.filter((b) => !kept.has(b)));
  if (dropped.size === 0) return;
  for await (const page of lotIndex.binnedStockAt(siteId))
    for (const h of page)
      for (const b of h.bins ?? [])
        if (b.q > 0 && dropped.has(b.bin))
          throw new AppError('invalid_state', `Bin ${b.bin} of site ${siteId} still holds ${b.q} of lot ${h.lot} (${h.gtin}); move it out first`, [
            { path: 'bins', message: `must keep bin ${b.bin}, which still holds stock` },
          ]);
}

/** Read a site or fail with `site_not_found`. */
export async function requireSite(d: Pick<MasterDeps, 'master'>, siteId: string): Promise<Site> {
  const s = await d.master.getSite(siteId);
  if (!s) throw new AppError('site_not_found', `Site ${siteId} not found`, [{ path: 'siteId', message: 'unknown site' }]);
  return s;
}

export const SiteIdParam = SiteIdSchema;
