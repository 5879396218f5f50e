import { z } from 'zod';
import { DateSchema, hasValidCheckDigit, InstantSchema, QuantitySchema, SiteIdSchema, TextSchema } from './ids.js';

/**
 * The FSMA 204 key-data-element fields of a movement (CONTRACT.md v2, Movements; shared/FSMA204.md v2), kept apart
 * from movement.ts so the movement schema only gains one spread and one refinement call.
 */

export const REFERENCE_TYPES = ['BOL', 'PO', 'INV', 'ASN', 'RMA', 'OTHER'] as const;

const text = (max: number) => TextSchema(max);

export const Reference = z.strictObject({
  type: z.enum(REFERENCE_TYPES, { error: `must be one of ${REFERENCE_TYPES.join(', ')}` }),
  number: text(64),
});
export type Reference = z.infer<typeof Reference>;

/** An FDA food facility registration number: 11 digits. */
export const FfrnSchema = z.string({ error: 'must be a string of 11 digits' }).regex(/^\d{11}$/, 'FFRN must be 11 digits');

/**
 * A TLC source reference (§1.1310): a GLN (13 digits, check digit valid), an FFRN (11 digits), each optionally prefixed
 * `GLN:` / `FFRN:`, or an http(s) URL. Anything else is a 400, so the spreadsheet never carries a reference of no type.
 * @example tlcReferenceType('FFRN:12345678901') // 'FFRN'
 */
export function tlcReferenceType(ref: string): 'GLN' | 'FFRN' | 'URL' | undefined {
  const bare = ref.replace(/^(GLN|FFRN):/i, '');
  const prefix = /^(GLN|FFRN):/i.exec(ref)?.[1]?.toUpperCase();
  if (/^\d{13}$/.test(bare) && prefix !== 'FFRN') return hasValidCheckDigit(bare) ? 'GLN' : undefined;
  if (/^\d{11}$/.test(bare) && prefix !== 'GLN') return 'FFRN';
  if (prefix === undefined && /^https?:\/\/[^\s/]+\.[^\s]+$/i.test(ref)) return 'URL';
  return undefined;
}
/** The reference without its `GLN:`/`FFRN:` prefix. */
export const tlcReferenceValue = (ref: string) => ref.replace(/^(GLN|FFRN):/i, '');

export const TlcSourceReferenceSchema = text(200).superRefine((ref, ctx) => {
  if (tlcReferenceType(ref) !== undefined) return;
  const bare = tlcReferenceValue(ref);
  ctx.addIssue({
    code: 'custom',
    message: /^\d{13}$/.test(bare)
      ? 'GLN check digit is wrong'
      : 'must be a GLN (13 digits), an FFRN (11 digits), optionally prefixed GLN: or FFRN:, or an http(s) URL',
  });
});

const positive = QuantitySchema.refine((n) => n > 0, 'must be greater than 0');

export const HarvestKdes = z.strictObject({
  date: DateSchema.optional(),
  farm: SiteIdSchema.optional(),
  field: text(200).optional(),
  container: text(200).optional(),
  harvester: z.strictObject({ name: text(200), phone: text(40).optional() }).optional(),
});
export const CoolingKdes = z.strictObject({ site: SiteIdSchema.optional(), date: DateSchema });
export const ReceivedKdes = z.strictObject({
  date: DateSchema,
  quantity: positive,
  unit: text(16).optional(),
  commodity: text(100).optional(),
  variety: text(100).optional(),
  from: SiteIdSchema.optional(),
});
export const LandingKdes = z.strictObject({ harvestDateBegin: DateSchema, harvestDateEnd: DateSchema, area: text(100) });

/** The optional KDE fields, spread into the movement's strict object. */
export const MOVEMENT_KDE_FIELDS = {
  receivedAt: InstantSchema.optional(),
  references: z.array(Reference).min(1, 'must hold 1-10 references when given').max(10, 'at most 10 references').optional(),
  harvest: HarvestKdes.optional(),
  cooling: CoolingKdes.optional(),
  received: ReceivedKdes.optional(),
  landing: LandingKdes.optional(),
};

type KdeFields = {
  type: string;
  occurredAt: string;
  receivedAt?: string | undefined;
  harvest?: unknown;
  cooling?: unknown;
  received?: unknown;
  landing?: { harvestDateBegin: string; harvestDateEnd: string } | undefined;
};

/** Which movement types may carry each KDE field. */
const ALLOWED: Record<'receivedAt' | 'harvest' | 'cooling' | 'received' | 'landing', readonly string[]> = {
  receivedAt: ['transfer'],
  harvest: ['harvest', 'initial-pack'],
  cooling: ['initial-pack'],
  received: ['initial-pack'],
  landing: ['first-land-receive'],
};

/** The rules between KDE fields and the rest of the record: each only on its types, a receipt not before its shipment. */
export function refineKdes(m: KdeFields, ctx: z.RefinementCtx): void {
  for (const [field, types] of Object.entries(ALLOWED) as [keyof typeof ALLOWED, readonly string[]][]) {
    if (m[field] !== undefined && !types.includes(m.type))
      ctx.addIssue({ code: 'custom', path: [field], message: `is only allowed for ${types.join(', ')}` });
  }
  if (m.receivedAt !== undefined && Date.parse(m.receivedAt) < Date.parse(m.occurredAt))
    ctx.addIssue({ code: 'custom', path: ['receivedAt'], message: 'must not be before occurredAt (goods arrive after they leave)' });
  if (m.landing && m.landing.harvestDateEnd < m.landing.harvestDateBegin)
    ctx.addIssue({ code: 'custom', path: ['landing', 'harvestDateEnd'], message: 'must not be before harvestDateBegin' });
}
