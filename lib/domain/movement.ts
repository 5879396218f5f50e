import { z } from 'zod';
import {
  BinIdSchema,
  DateSchema,
  GtinSchema,
  InstantSchema,
  LotSchema,
  QuantitySchema,
  SerialSchema,
  SiteIdSchema,
  TextSchema,
  UnitAmountSchema,
} from './ids.js';

export const MOVEMENT_TYPES = [
  'receive',
  'ship',
  'transfer',
  'sell',
  'return',
  'adjust',
  'dispose',
  'transform',
  'harvest',
  'cool',
  'initial-pack',
  'first-land-receive',
] as const;
export type MovementType = (typeof MOVEMENT_TYPES)[number];

import { MOVEMENT_KDE_FIELDS, REFERENCE_TYPES, Reference, refineKdes, TlcSourceReferenceSchema } from './movement-kdes.js';

export { Reference, REFERENCE_TYPES };

const quantity = QuantitySchema;
const text = (max: number) => TextSchema(max);

export const TransformInput = z.strictObject({
  gtin: GtinSchema,
  lot: LotSchema,
  quantity: quantity.refine((n) => n > 0, 'must be greater than 0'),
  /** the bin of `site` the input is consumed from (issue 15); without it, the site's unbinned stock */
  bin: BinIdSchema.optional(),
});

/** One movement record as the API takes it (CONTRACT.md, Movements). */
export const Movement = z
  .strictObject({
    eventId: text(128),
    type: z.enum(MOVEMENT_TYPES, { error: `must be one of ${MOVEMENT_TYPES.join(', ')}` }),
    occurredAt: InstantSchema,
    gtin: GtinSchema,
    lot: LotSchema,
    quantity,
    unit: text(16).optional(),
    serials: z.array(SerialSchema).min(1, 'must not be empty when given').max(1000, 'at most 1000 serials').optional(),
    site: SiteIdSchema,
    counterparty: SiteIdSchema.optional(),
    /** the storage bin within `site` (one of its `bins`); without it, the site's unbinned stock (docs/ledger.md, Bins) */
    bin: BinIdSchema.optional(),
    /** transfer only: the bin at the destination (`counterparty`) */
    counterpartyBin: BinIdSchema.optional(),
    expiry: DateSchema.optional(),
    productionDate: DateSchema.optional(),
    tlcSource: SiteIdSchema.optional(),
    tlcSourceReference: TlcSourceReferenceSchema.optional(),
    reference: Reference.optional(),
    reason: text(500).optional(),
    unitPrice: UnitAmountSchema.optional(),
    unitCost: UnitAmountSchema.optional(),
    inputs: z.array(TransformInput).min(1, 'a transform needs 1-50 inputs').max(50, 'a transform takes at most 50 inputs').optional(),
    // FSMA 204 KDEs (issue 14): receivedAt, references, harvest, cooling, received, landing
    ...MOVEMENT_KDE_FIELDS,
  })
  .superRefine((m, ctx) => {
    if (m.type === 'adjust') {
      if (m.quantity === 0) ctx.addIssue({ code: 'custom', path: ['quantity'], message: 'must not be 0 for adjust' });
    } else if (!(m.quantity > 0)) {
      ctx.addIssue({ code: 'custom', path: ['quantity'], message: 'must be greater than 0' });
    }
    if (m.serials) {
      if (m.serials.length !== Math.abs(m.quantity))
        ctx.addIssue({ code: 'custom', path: ['quantity'], message: `must equal the number of serials (${m.serials.length})` });
      const dup = m.serials.find((s, i) => m.serials?.indexOf(s) !== i);
      if (dup !== undefined) ctx.addIssue({ code: 'custom', path: ['serials'], message: `serial ${dup} is listed twice` });
    }
    if (m.type === 'transfer' && !m.counterparty)
      ctx.addIssue({ code: 'custom', path: ['counterparty'], message: 'is required for transfer (the destination site)' });
    if (m.type === 'transfer' && m.counterparty === m.site)
      ctx.addIssue({ code: 'custom', path: ['counterparty'], message: 'must differ from site for transfer' });
    if (m.counterpartyBin !== undefined && m.type !== 'transfer')
      ctx.addIssue({ code: 'custom', path: ['counterpartyBin'], message: 'is only allowed for transfer (the bin at the destination)' });
    if (m.bin !== undefined && m.type === 'cool')
      ctx.addIssue({ code: 'custom', path: ['bin'], message: 'is not allowed for cool, which changes no stock' });
    if (m.type === 'transform' && !m.inputs)
      ctx.addIssue({ code: 'custom', path: ['inputs'], message: 'is required for transform (1-50 input lots)' });
    // initial-pack may name the harvested RAC lots it packed (FSMA 204 KDEs; they are not consumed)
    if (m.type === 'transform' || m.type === 'initial-pack') {
      if (m.inputs) {
        const seen = new Set<string>();
        m.inputs.forEach((i, n) => {
          const k = `${i.gtin}|${i.lot}`;
          if (seen.has(k)) ctx.addIssue({ code: 'custom', path: ['inputs', n], message: `input lot ${i.gtin}/${i.lot} is listed twice` });
          if (i.gtin === m.gtin && i.lot === m.lot)
            ctx.addIssue({ code: 'custom', path: ['inputs', n], message: `a ${m.type} cannot take the lot it produces as input` });
          if (i.bin !== undefined && m.type !== 'transform')
            ctx.addIssue({
              code: 'custom',
              path: ['inputs', n, 'bin'],
              message: 'is only allowed for transform inputs (initial-pack consumes none)',
            });
          seen.add(k);
        });
      }
    } else if (m.inputs) {
      ctx.addIssue({ code: 'custom', path: ['inputs'], message: 'is only allowed for transform and initial-pack' });
    }
    refineKdes(m, ctx);
  });
export type Movement = z.infer<typeof Movement>;

/** Only the envelope is checked as a whole; each record is checked on its own so one bad record rejects only itself. */
export const MovementBatch = z.strictObject({
  movements: z
    .array(z.unknown(), { error: 'must be an array of 1-500 movements' })
    .min(1, 'must hold 1-500 movements')
    .max(500, 'must hold 1-500 movements'),
});

/** The 'YYYY-MM-DD' of an instant in its own offset (`2026-03-01T23:30:00-05:00` → `2026-03-01`). */
export const localDate = (instant: string) => instant.slice(0, 10);
