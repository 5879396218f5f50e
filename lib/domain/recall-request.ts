import { z } from 'zod';
import { DateSchema, GtinSchema, InstantSchema, LotSchema, ReportedQuantitySchema, SiteIdSchema, TextSchema } from './ids.js';

/** The body of POST /recalls. `hazard` and `instructions` are the 21 CFR 7.49(c) content: required unless a drill. */
export const RecallInput = z
  .strictObject({
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
    estimatedCompletion: DateSchema.optional(),
  })
  .superRefine((r, ctx) => {
    if (r.mock) return;
    for (const field of ['hazard', 'instructions'] as const)
      if (!r[field]) ctx.addIssue({ code: 'custom', path: [field], message: 'is required (21 CFR 7.49(c)) unless mock is true' });
  });
export type RecallInput = z.infer<typeof RecallInput>;

const ackFields = {
  quantityOnHand: ReportedQuantitySchema,
  quantityRemoved: ReportedQuantitySchema,
  furtherDistributed: z.boolean({ error: 'must be true or false' }).optional(),
  note: TextSchema(2000, { trim: true, min: 0 }).optional(),
};

/** The body of POST /recalls/{id}/acknowledgements. */
export const AckInput = z.strictObject({ siteId: SiteIdSchema, ...ackFields });
export type AckInput = z.infer<typeof AckInput>;

/** The body of POST /ack/{token}: the site is the token's. */
export const LinkAckInput = z.strictObject(ackFields);
export type LinkAckInput = z.infer<typeof LinkAckInput>;

/** The body of POST /recalls/{id}/effectiveness-checks (21 CFR 7.42(b)(3)). */
export const CheckInput = z.strictObject({
  siteId: SiteIdSchema,
  method: z.enum(['phone', 'visit', 'email', 'other'], { error: 'must be phone, visit, email or other' }),
  result: z.enum(['received-and-complied', 'received-not-complied', 'not-received'], {
    error: 'must be received-and-complied, received-not-complied or not-received',
  }),
  checkedAt: InstantSchema,
  note: TextSchema(2000, { trim: true, min: 0 }).optional(),
});
export type CheckInput = z.infer<typeof CheckInput>;

/** The body of POST /recalls/{id}/close. */
export const CloseInput = z.strictObject({ reason: TextSchema(2000, { trim: true, error: 'is required' }) });
export type CloseInput = z.infer<typeof CloseInput>;
