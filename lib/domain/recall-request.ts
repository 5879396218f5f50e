import { z } from 'zod';
import { GtinSchema, LotSchema, ReportedQuantitySchema, SiteIdSchema, TextSchema } from './ids.js';

/** The body of POST /recalls. */
export const RecallInput = z.strictObject({
  lots: z
    .array(z.strictObject({ gtin: GtinSchema, lot: LotSchema }), { error: 'must be an array of {gtin, lot}' })
    .min(1, 'name at least one lot')
    .max(100, 'at most 100 lots per recall'),
  classification: z.enum(['I', 'II', 'III'], { error: 'must be I, II or III' }),
  reason: TextSchema(2000, { trim: true, error: 'is required' }),
  hazard: TextSchema(2000, { trim: true, min: 0 }).optional(),
  instructions: TextSchema(4000, { trim: true, min: 0 }).optional(),
  depth: z.enum(['consumer', 'retail', 'wholesale'], { error: 'must be consumer, retail or wholesale' }).optional(),
  effectivenessLevel: z.enum(['A', 'B', 'C', 'D', 'E'], { error: 'must be A, B, C, D or E' }).optional(),
  includeDownstream: z.boolean({ error: 'must be true or false' }).default(true),
  mock: z.boolean({ error: 'must be true or false' }).default(false),
});
export type RecallInput = z.infer<typeof RecallInput>;

/** The body of POST /recalls/{id}/acknowledgements. */
export const AckInput = z.strictObject({
  siteId: SiteIdSchema,
  quantityOnHand: ReportedQuantitySchema,
  quantityRemoved: ReportedQuantitySchema,
  note: TextSchema(2000, { trim: true, min: 0 }).optional(),
});
export type AckInput = z.infer<typeof AckInput>;
