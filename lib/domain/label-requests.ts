/**
 * The label use cases behind /labels: read what a label must say from the master data and the ledger, and issue SSCCs.
 * Rendering is the caller's (lib/exports/label-render.ts), so these stay pure and testable with in-memory ports.
 */
import { z } from 'zod';
import { hashOf } from './canonical.js';
import type { Clock } from './clock.js';
import { AppError } from './errors.js';
import { GtinSchema, hasValidCheckDigit, LotSchema, SiteIdSchema } from './ids.js';
import {
  LabelFormatSchema,
  type LabelSpec,
  lotLabel,
  MAX_LABEL_COUNT,
  type SsccRecord,
  type SsccStore,
  type Symbology,
  SymbologySchema,
  serialLabel,
  sscc,
  ssccLabel,
} from './labels.js';
import type { LedgerEntry, LotKey, LotState, SerialState } from './ledger.js';
import { isInternal, type MasterDataStore, requireProduct, requireSite } from './master-data.js';
import { localDate } from './movement.js';

export type LabelSettings = {
  /** GS1_COMPANY_PREFIX: SSCCs cannot be issued without it */
  companyPrefix?: string;
  /** the SSCC extension digit (0-9), the packer's own choice */
  extensionDigit: string;
  digitalLinkBase: string;
};

export type LabelDeps = {
  master: MasterDataStore;
  ledger: {
    getLot(k: LotKey): Promise<LotState | undefined>;
    getSerial(gtin: string, serial: string): Promise<SerialState | undefined>;
    entries(k: LotKey, opts: { afterSeq?: number; limit?: number }): Promise<{ items: LedgerEntry[] }>;
  };
  ssccs: SsccStore;
  labelSettings: LabelSettings;
  clock: Clock;
};

/** `quantity` of a case label: a whole count that (37) can carry. */
export const LabelCount = z.coerce
  .number({ error: 'must be a whole number' })
  .int('must be a whole number')
  .min(1, 'must be 1 or more')
  .max(MAX_LABEL_COUNT, `must be at most ${MAX_LABEL_COUNT}`);

/**
 * The day a lot was packed, when the ledger knows it: a lot created by `initial-pack` was packed on the date of that
 * first movement (the FSMA 204 date of initial packing). No other movement records a pack date.
 */
async function packDateOf(d: { ledger: Pick<LabelDeps['ledger'], 'entries'> }, lot: LotState): Promise<string | undefined> {
  if (lot.createdBy !== 'initial-pack') return undefined;
  const [first] = (await d.ledger.entries(lot, { limit: 1 })).items;
  return first?.type === 'initial-pack' ? localDate(first.occurredAt) : undefined;
}

/** A case label for a lot the ledger has recorded, with its expiry, production and pack dates; 404 `lot_not_found` for any other. */
export async function lotLabelFor(
  d: Pick<LabelDeps, 'master' | 'labelSettings'> & { ledger: Pick<LabelDeps['ledger'], 'getLot' | 'entries'> },
  k: LotKey,
  o: { symbology: Symbology; quantity?: number },
): Promise<LabelSpec> {
  const product = await requireProduct(d, k.gtin);
  const lot = await d.ledger.getLot(k);
  if (!lot) throw new AppError('lot_not_found', `Lot ${k.lot} of ${k.gtin} not found`, [{ path: 'lot', message: 'unknown lot' }]);
  const packDate = await packDateOf(d, lot);
  return lotLabel({
    gtin: k.gtin,
    lot: k.lot,
    description: product.description,
    ...(lot.expiry ? { expiry: lot.expiry } : {}),
    ...(lot.productionDate ? { productionDate: lot.productionDate } : {}),
    ...(packDate ? { packDate } : {}),
    ...(o.quantity !== undefined ? { quantity: o.quantity } : {}),
    symbology: o.symbology,
    digitalLinkBase: d.labelSettings.digitalLinkBase,
  });
}

/** A unit label for a serial the ledger has recorded; 404 `serial_not_found` for any other. */
export async function serialLabelFor(
  d: Pick<LabelDeps, 'master' | 'labelSettings'> & { ledger: Pick<LabelDeps['ledger'], 'getSerial'> },
  gtin: string,
  serial: string,
  symbology: Symbology,
): Promise<LabelSpec> {
  const product = await requireProduct(d, gtin);
  if (!(await d.ledger.getSerial(gtin, serial)))
    throw new AppError('serial_not_found', `Serial ${serial} of ${gtin} not found`, [{ path: 'serial', message: 'unknown serial' }]);
  return serialLabel({ gtin, serial, description: product.description, symbology, digitalLinkBase: d.labelSettings.digitalLinkBase });
}

export const SsccRequest = z.strictObject({
  site: SiteIdSchema,
  contents: z
    .array(z.strictObject({ gtin: GtinSchema, lot: LotSchema, quantity: LabelCount }), { error: 'must be an array of 1-50 lots' })
    .min(1, 'must hold 1-50 lots')
    .max(50, 'must hold 1-50 lots'),
  shipTo: SiteIdSchema.optional(),
  format: LabelFormatSchema.default('svg'),
  symbology: SymbologySchema.default('gs1-128'),
});
export type SsccRequest = z.output<typeof SsccRequest>;

async function specOf(d: Pick<LabelDeps, 'master' | 'ledger' | 'labelSettings'>, r: SsccRecord, symbology: Symbology): Promise<LabelSpec> {
  const from = await requireSite(d, r.site);
  const shipTo = r.shipTo ? await d.master.getSite(r.shipTo) : undefined;
  const contents = await Promise.all(
    r.contents.map(async (c) => {
      const product = await d.master.getProduct(c.gtin);
      const lot = await d.ledger.getLot(c);
      return { ...c, ...(product ? { description: product.description } : {}), ...(lot?.expiry ? { expiry: lot.expiry } : {}) };
    }),
  );
  return ssccLabel({
    sscc: r.sscc,
    from: { siteId: from.siteId, name: from.name },
    ...(r.shipTo ? { shipTo: { siteId: r.shipTo, name: shipTo?.name ?? r.shipTo } } : {}),
    contents,
    symbology,
    digitalLinkBase: d.labelSettings.digitalLinkBase,
  });
}

/**
 * Issue a new SSCC for a logistic unit and return its label. The site must be an internal one, every content a
 * known product and lot, and the total count fit (37). The number comes from the store's atomic counter, so it is never issued
 * twice. With an `idempotencyKey`, a retry of the same request returns the first SSCC; another request under that key is 409.
 */
export async function issueSscc(d: LabelDeps, req: SsccRequest, idempotencyKey?: string): Promise<{ record: SsccRecord; spec: LabelSpec }> {
  const prefix = d.labelSettings.companyPrefix;
  if (!prefix)
    throw new AppError('invalid_state', 'GS1_COMPANY_PREFIX is not set: this installation cannot issue SSCCs', [
      { path: 'sscc', message: 'no GS1 company prefix' },
    ]);
  const site = await requireSite(d, req.site);
  if (!isInternal(site.kind))
    throw new AppError('validation_failed', `Site ${req.site} is ${site.kind}; logistic units are packed at a warehouse or store`, [
      { path: 'site', message: 'must be an internal site' },
    ]);
  if (req.shipTo && !(await d.master.getSite(req.shipTo)))
    throw new AppError('site_not_found', `Site ${req.shipTo} not found`, [{ path: 'shipTo', message: 'unknown site' }]);
  for (const [i, c] of req.contents.entries()) {
    if (!(await d.master.getProduct(c.gtin)))
      throw new AppError('product_not_found', `Product ${c.gtin} not found`, [{ path: `contents.${i}.gtin`, message: 'unknown product' }]);
    // an SSCC is never issued twice: one for a lot the ledger does not know would be a number wasted on a typo
    if (!(await d.ledger.getLot(c)))
      throw new AppError('lot_not_found', `Lot ${c.lot} of ${c.gtin} not found`, [{ path: `contents.${i}.lot`, message: 'unknown lot' }]);
  }
  const total = req.contents.reduce((s, c) => s + c.quantity, 0);
  if (total > MAX_LABEL_COUNT)
    throw new AppError('validation_failed', `A logistic unit counts at most ${MAX_LABEL_COUNT} items`, [
      { path: 'contents', message: `total quantity must be at most ${MAX_LABEL_COUNT}` },
    ]);
  const what = { site: req.site, contents: req.contents, ...(req.shipTo ? { shipTo: req.shipTo } : {}) };
  const code = sscc(d.labelSettings.extensionDigit, prefix, await d.ssccs.next());
  let issued = code;
  if (idempotencyKey !== undefined) {
    const claim = await d.ssccs.claimKey(idempotencyKey, hashOf(what), code);
    if (claim.requestHash !== hashOf(what))
      throw new AppError('conflict', 'This Idempotency-Key was used for another SSCC request', [
        { path: 'Idempotency-Key', message: 'reused with another body' },
      ]);
    issued = claim.sscc;
  }
  const record: SsccRecord = { sscc: issued, ...what, issuedAt: d.clock.now().toISOString() };
  // A retry finds the first attempt's record (or writes it, when that attempt died after claiming the key).
  if (!(await d.ssccs.put(record))) return ssccLabelFor(d, issued, req.symbology);
  return { record, spec: await specOf(d, record, req.symbology) };
}

/** The label of an SSCC issued earlier, or 404. */
export async function ssccLabelFor(
  d: Pick<LabelDeps, 'master' | 'ledger' | 'ssccs' | 'labelSettings'>,
  code: string,
  symbology: Symbology,
): Promise<{ record: SsccRecord; spec: LabelSpec }> {
  const record = await d.ssccs.get(code);
  if (!record) throw new AppError('sscc_not_found', `SSCC ${code} was not issued here`, [{ path: 'sscc', message: 'unknown SSCC' }]);
  return { record, spec: await specOf(d, record, symbology) };
}

/** `{sscc}` in a path: 18 digits with a valid check digit. */
export const SsccSchema = z
  .string({ error: 'must be an SSCC of 18 digits' })
  .regex(/^\d{18}$/, 'must be an SSCC of 18 digits')
  .refine(hasValidCheckDigit, 'SSCC check digit is wrong');
