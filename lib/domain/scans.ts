import { z } from 'zod';
import { issuesOf } from './errors.js';
import { parseGs1 } from './gs1.js';
import { InstantSchema, SiteIdSchema, TextSchema, UnitAmountSchema } from './ids.js';
import { MOVEMENT_TYPES, Movement, Reference } from './movement.js';
import { invalidRecord, type ParsedRecord } from './record-movements.js';

/** One scan as a store or warehouse system sends it: the movement's context plus the raw barcode data. */
export const ScanInput = z.strictObject({
  eventId: TextSchema(128, { error: 'is required' }),
  type: z.enum(MOVEMENT_TYPES, { error: `must be one of ${MOVEMENT_TYPES.join(', ')}` }),
  site: SiteIdSchema,
  counterparty: SiteIdSchema.optional(),
  occurredAt: InstantSchema,
  data: TextSchema(2000, { error: 'must be the scanned GS1 data as a string' }),
  // Optional context a scan cannot carry; same meaning as in POST /movements.
  reason: TextSchema(500).optional(),
  reference: Reference.optional(),
  unitPrice: UnitAmountSchema.optional(),
  unitCost: UnitAmountSchema.optional(),
  tlcSource: SiteIdSchema.optional(),
  tlcSourceReference: TextSchema(200).optional(),
});

export const ScanBatch = z.strictObject({
  scans: z.array(z.unknown(), { error: 'must be an array of 1-500 scans' }).min(1, 'must hold 1-500 scans').max(500, 'must hold 1-500 scans'),
});

/**
 * Turn one scan into a movement: GTIN from AI (01), lot (10), serial (21), expiry (17, day 00 = last day of the
 * month), production date (11), quantity (30 or 37, default 1; 1 with a serial). (37) counts a case named by (01) as
 * the contract says (a case label carries it), though GS1 pairs (37) with (02) only; a (30) and a (37) that disagree
 * reject the record. A logistic-unit label's (02) content GTIN with its (37) count stands for (01) (an SSCC label's
 * content symbol, scanned when the pallet is received). Two-digit years resolve against the scan's own date. A bad
 * check digit, a malformed AI or a barcode without (01) or (10) rejects the record, naming `scans.N.data`.
 * @example scanToMovement({ eventId: 's1', type: 'receive', site: 'dc-1', occurredAt: '2026-03-01T08:00:00Z', data: '(01)09506000134352(17)261231(10)ABC123' }, 0)
 */
export function scanToMovement(raw: unknown, index: number, serialLots: ReadonlyMap<string, string> = new Map()): ParsedRecord {
  const prefix = `scans.${index}`;
  const reject = (errors: { path: string; message: string }[]) => invalidRecord(raw, index, errors);
  const s = ScanInput.safeParse(raw);
  if (!s.success) return reject(issuesOf(s.error, [prefix]));
  const { data, ...context } = s.data;
  const g = parseGs1(data, { referenceDate: context.occurredAt.slice(0, 10), countWithGtin: true });
  if (!g.ok) return reject(g.errors.map((e) => ({ path: `${prefix}.data`, message: e.message })));
  const gtin = g.gtin ?? g.contentGtin;
  // A unit label carries (01) and (21) only: the lot is the one that serial belongs to.
  const lot = g.lot ?? (gtin && g.serial ? serialLots.get(serialKey(gtin, g.serial)) : undefined);
  const missing = [!gtin && 'GTIN (01)', !lot && (g.serial ? 'lot (10), and its serial is not known here' : 'lot (10)')].filter(Boolean);
  if (missing.length) return reject([{ path: `${prefix}.data`, message: `the barcode carries no ${missing.join(' and no ')}` }]);
  if (g.serial && g.quantity !== undefined && g.quantity !== 1)
    return reject([{ path: `${prefix}.data`, message: `a serialised item is one unit; the barcode says quantity ${g.quantity}` }]);
  const movement = {
    ...context,
    gtin,
    lot,
    quantity: g.serial ? 1 : (g.quantity ?? 1),
    ...(g.serial ? { serials: [g.serial] } : {}),
    ...(g.expiry ? { expiry: g.expiry } : {}),
    ...(g.productionDate ? { productionDate: g.productionDate } : {}),
  };
  const m = Movement.safeParse(movement);
  if (!m.success) {
    const fromData = new Set(['gtin', 'lot', 'quantity', 'serials', 'expiry', 'productionDate']);
    return reject(
      m.error.issues.map((i) => ({
        path: fromData.has(String(i.path[0])) ? `${prefix}.data` : [prefix, ...i.path.map(String)].join('.'),
        message: i.message,
      })),
    );
  }
  return { ok: true, movement: m.data };
}

const serialKey = (gtin: string, serial: string) => `${gtin}|${serial}`;

/**
 * The lots of the serials that scans name without a lot ((01) and (21) only, as on a unit label), read from the
 * ledger before the batch is mapped, so `scanToMovement` stays pure.
 * @example const lots = await serialLotsOf(batch.scans, (g, s) => ledger.getSerial(g, s)); scanToMovement(raw, 0, lots)
 */
export async function serialLotsOf(
  scans: readonly unknown[],
  getSerial: (gtin: string, serial: string) => Promise<{ lot: string } | undefined>,
): Promise<Map<string, string>> {
  const wanted = new Map<string, { gtin: string; serial: string }>();
  for (const raw of scans) {
    const s = ScanInput.safeParse(raw);
    if (!s.success) continue;
    const g = parseGs1(s.data.data, { referenceDate: s.data.occurredAt.slice(0, 10), countWithGtin: true });
    if (g.ok && g.gtin && g.serial && !g.lot) wanted.set(serialKey(g.gtin, g.serial), { gtin: g.gtin, serial: g.serial });
  }
  const out = new Map<string, string>();
  for (const [key, w] of wanted) {
    const found = await getSerial(w.gtin, w.serial);
    if (found) out.set(key, found.lot);
  }
  return out;
}
