import { z } from 'zod';
import { GtinSchema, LotSchema, SiteIdSchema } from './ids.js';

/** The body of POST /recalls. */
export const RecallInput = z.strictObject({
  lots: z
    .array(z.strictObject({ gtin: GtinSchema, lot: LotSchema }), { error: 'must be an array of {gtin, lot}' })
    .min(1, 'name at least one lot')
    .max(100, 'at most 100 lots per recall'),
  classification: z.enum(['I', 'II', 'III'], { error: 'must be I, II or III' }),
  reason: z.string({ error: 'is required' }).trim().min(1, 'must not be empty').max(2000),
  hazard: z.string().trim().max(2000).optional(),
  instructions: z.string().trim().max(4000).optional(),
  depth: z.enum(['consumer', 'retail', 'wholesale'], { error: 'must be consumer, retail or wholesale' }).optional(),
  effectivenessLevel: z.enum(['A', 'B', 'C', 'D', 'E'], { error: 'must be A, B, C, D or E' }).optional(),
  includeDownstream: z.boolean({ error: 'must be true or false' }).default(true),
  mock: z.boolean({ error: 'must be true or false' }).default(false),
});
export type RecallInput = z.infer<typeof RecallInput>;

/** The body of POST /recalls/{id}/acknowledgements. */
export const AckInput = z.strictObject({
  siteId: SiteIdSchema,
  quantityOnHand: z.number({ error: 'must be a number' }).finite().min(0, 'must be 0 or more'),
  quantityRemoved: z.number({ error: 'must be a number' }).finite().min(0, 'must be 0 or more'),
  note: z.string().trim().max(2000).optional(),
});
export type AckInput = z.infer<typeof AckInput>;
