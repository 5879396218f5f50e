/**
 * Warranty claims (issue 15, item 3; CONTRACT.md `POST /serials/{gtin}/{serial}/warranty-claims`): a claim on a sold
 * unit inside its cover, optionally with a replacement unit that leaves stock as a chained `sell` through the normal
 * ledger write path. Claims count as defect returns of the claimed unit's lot (the defect-rate QA hold).
 */
import { z } from 'zod';
import { hashOf } from './canonical.js';
import { CLAIM_RESOLUTIONS, type ClaimRecord, type ClaimStore, claimView, type ReplacementLink, type WarrantyClaim } from './claim-records.js';
import { AppError, ERROR_STATUS, type ErrorCode } from './errors.js';
import { InstantSchema, SerialSchema, TextSchema } from './ids.js';
import type { LedgerEntry, LotKey, SerialState } from './ledger.js';
import type { LedgerStore } from './ledger-ports.js';
import { type LotStore, serialMovements } from './lots.js';
import { localDate } from './movement.js';
import { checkDefectRate, type QaDeps } from './quality.js';
import type { LedgerDeps } from './record-movement.js';
import { recordMovements } from './record-movements.js';
import { inheritedCover, unitWarranty } from './warranty.js';

/** The request body. `claimId` is the idempotency key of the claimed unit's claims. */
export const WarrantyClaimInput = z
  .strictObject({
    claimId: TextSchema(64, { error: 'is required' }),
    reportedAt: InstantSchema,
    problem: TextSchema(2000, { trim: true, error: 'is required' }),
    resolution: z.enum(CLAIM_RESOLUTIONS, { error: `must be one of ${CLAIM_RESOLUTIONS.join(', ')}` }).optional(),
    replacementSerial: SerialSchema.optional(),
  })
  .superRefine((c, ctx) => {
    if (c.replacementSerial !== undefined && c.resolution !== undefined && c.resolution !== 'replace')
      ctx.addIssue({ code: 'custom', path: ['replacementSerial'], message: `a replacement goes with resolution "replace", not "${c.resolution}"` });
  });
export type WarrantyClaimInput = z.output<typeof WarrantyClaimInput>;

export type ClaimDeps = QaDeps & LedgerDeps & { ledger: LotStore & LedgerStore & ClaimStore };

/** How far in the future `reportedAt` may be (clock skew between the caller and us). */
const FUTURE_SKEW_MS = 5 * 60_000;

/**
 * The eventId of the `sell` that hands a replacement out: one per claim, so a resent claim is a duplicate movement.
 * @example replacementEventId('00614141000043', 'A1', 'c-1') // 'warranty-claim:00614141000043:A1:c-1'
 */
export const replacementEventId = (gtin: string, serial: string, claimId: string) => `warranty-claim:${gtin}:${serial}:${claimId}`;

const issue = (path: string, message: string) => [{ path, message }];

/**
 * File a warranty claim on unit (gtin, serial). 1. the same claimId again: the same claim (same body) or 409
 * `idempotency_key_reused` 2. the unit must be sold and `reportedAt`'s date inside its cover (409
 * `warranty_not_started` / `warranty_expired`) 3. a replacement (same GTIN, in stock) leaves stock as a chained
 * `sell` to the original's customer, eventId `warranty-claim:{gtin}:{serial}:{claimId}` 4. the claim, and the
 * replacement's link, are written in one transaction 5. the lot's defect rate is checked (QA hold). A refusal writes
 * nothing; a resend after a crash between 3 and 4 finds its own movement and finishes.
 * @example await fileWarrantyClaim(d, gtin, 'A1', { claimId: 'c-1', reportedAt: '2026-03-01T10:00:00Z', problem: 'no power' })
 */
export async function fileWarrantyClaim(
  d: ClaimDeps,
  gtin: string,
  serial: string,
  input: WarrantyClaimInput,
): Promise<{ claim: WarrantyClaim; replayed: boolean }> {
  const now = d.clock.now().toISOString();
  if (Date.parse(input.reportedAt) > Date.parse(now) + FUTURE_SKEW_MS)
    throw new AppError('validation_failed', 'reportedAt is in the future', issue('reportedAt', `is after now (${now})`));
  if (input.replacementSerial === serial)
    throw new AppError('validation_failed', 'A unit cannot replace itself', issue('replacementSerial', 'is the claimed serial'));
  const requestHash = hashOf(input);
  const unit = await d.ledger.getSerial(gtin, serial);
  if (!unit) throw new AppError('serial_not_found', `Serial ${serial} of ${gtin} not found`, issue('serial', 'unknown serial'));
  const lotKey: LotKey = { gtin, lot: unit.lot };
  const own = await d.ledger.claimsOf(lotKey, serial);
  const existing = own.claims.find((c) => c.claimId === input.claimId);
  if (existing) return replay(d, existing, requestHash, unit);

  const months = (await d.master.getProduct(gtin))?.warrantyMonths;
  if (!months)
    throw new AppError('invalid_state', `Product ${gtin} has no warranty (no warrantyMonths)`, issue('gtin', 'the product has no warrantyMonths'));
  const { all: history } = await serialMovements(d.ledger, gtin, unit);
  const day = localDate(input.reportedAt);
  const cover = unitWarranty(months, history, inheritedCover(own.links, history), day);
  if (cover.status === 'not-started' || !cover.startsOn || !cover.endsOn)
    throw new AppError(
      'warranty_not_started',
      cover.startsOn
        ? `Serial ${serial} was sold on ${cover.startsOn}, after reportedAt (${day}): its warranty had not started`
        : `Serial ${serial} has not been sold: its warranty has not started`,
      issue('reportedAt', cover.startsOn ? `is before the warranty starts (${cover.startsOn})` : 'the unit has no sale'),
    );
  if (cover.status === 'expired')
    throw new AppError(
      'warranty_expired',
      `The warranty of serial ${serial} ended on ${cover.endsOn}, before reportedAt (${day})`,
      issue('reportedAt', `is after the warranty's end (${cover.endsOn})`),
    );
  const warranty = { startsOn: cover.startsOn, endsOn: cover.endsOn };
  const eventId = replacementEventId(gtin, serial, input.claimId);

  let replacement: WarrantyClaim['replacement'];
  if (input.replacementSerial !== undefined) {
    const r = await handOut(d, gtin, serial, input, eventId, history);
    replacement = { serial: r.serial, lot: r.lot, eventId, site: r.siteId, warranty: { startsOn: day, endsOn: warranty.endsOn } };
  } else if (await d.ledger.getEvent(eventId)) {
    // A first attempt with a replacement handed one out and stopped before its claim was written: this is another body.
    throw reused(input.claimId);
  }

  const claim: ClaimRecord = {
    claimId: input.claimId,
    gtin,
    serial,
    lot: unit.lot,
    reportedAt: input.reportedAt,
    problem: input.problem,
    ...(input.resolution ? { resolution: input.resolution } : input.replacementSerial ? { resolution: 'replace' as const } : {}),
    ...(input.replacementSerial ? { replacementSerial: input.replacementSerial } : {}),
    warranty,
    ...(replacement ? { replacement } : {}),
    recordedAt: now,
    requestHash,
  };
  const link: ReplacementLink | undefined = replacement && {
    gtin,
    serial: replacement.serial,
    lot: replacement.lot,
    claimId: claim.claimId,
    replaces: serial,
    replacesLot: unit.lot,
    eventId,
    startsOn: replacement.warranty.startsOn,
    endsOn: replacement.warranty.endsOn,
    recordedAt: now,
  };
  if (!(await d.ledger.putClaim(claim, link))) {
    // Another request with this claimId landed first: the same body is that claim, another is refused.
    const other = (await d.ledger.claimsOf(lotKey, serial)).claims.find((c) => c.claimId === input.claimId);
    if (!other) throw new AppError('busy', `Claim ${input.claimId} is being written by another request; send it again`);
    return replay(d, other, requestHash, unit);
  }
  await checkLot(d, lotKey, history.find((e) => e.type === 'sell')?.site ?? unit.siteId);
  return { claim: claimView(claim), replayed: false };
}

const reused = (claimId: string) =>
  new AppError('idempotency_key_reused', `claimId ${claimId} was already used for another claim on this unit`, [
    { path: 'claimId', message: 'names a claim that asked for something else' },
  ]);

/** The same claimId again: the claim it filed (its QA check run again, which is idempotent), or a refusal for another body. */
async function replay(d: ClaimDeps, c: ClaimRecord, requestHash: string, unit: SerialState) {
  if (c.requestHash !== requestHash) throw reused(c.claimId);
  await checkLot(d, { gtin: c.gtin, lot: c.lot }, unit.siteId);
  return { claim: claimView(c), replayed: true };
}

/**
 * Take the replacement out of stock: a `sell` of that one unit, at no price, from the site holding it to the
 * original's customer (when its sale named one), recorded through recordMovements (idempotent by eventId, chained by
 * the sequencer). Refusals name `replacementSerial` and write nothing.
 */
async function handOut(
  d: ClaimDeps,
  gtin: string,
  original: string,
  input: WarrantyClaimInput,
  eventId: string,
  history: readonly Pick<LedgerEntry, 'type' | 'counterparty'>[],
): Promise<SerialState> {
  const wanted = input.replacementSerial as string;
  const r = await d.ledger.getSerial(gtin, wanted);
  if (!r)
    throw new AppError(
      'serial_not_in_stock',
      `No unit of ${gtin} has serial ${wanted}: a replacement must be a unit of the same product, in stock`,
      issue('replacementSerial', `is not a serial of ${gtin}`),
    );
  // Handed out by this very claim on an attempt that stopped before the claim was written: that sell committed (the
  // serial's write is in its transaction), so it is not recorded again; its chained entry names the site it left.
  const last = r.refs.at(-1);
  if (last?.eventId === eventId && r.status !== 'in-stock') {
    // chained or not yet: the sell's entry (its pending one, a moment after a concurrent resend wrote it) names the site
    const entry = (await serialMovements(d.ledger, gtin, { refs: [last] })).all.find((e) => e.eventId === eventId);
    if (!entry?.site) throw new AppError('busy', `The replacement ${wanted} left stock moments ago and is being chained; send the claim again`);
    return { ...r, siteId: entry.site };
  }
  if (r.status !== 'in-stock')
    throw new AppError(
      'serial_not_in_stock',
      `Serial ${wanted} of ${gtin} is ${r.status}, not in stock: it cannot be handed out as a replacement`,
      issue('replacementSerial', `is ${r.status}`),
    );
  const customer = history.find((e) => e.type === 'sell')?.counterparty;
  const movement = {
    eventId,
    type: 'sell',
    occurredAt: input.reportedAt,
    gtin,
    lot: r.lot,
    quantity: 1,
    serials: [wanted],
    site: r.siteId,
    ...(customer ? { counterparty: customer } : {}),
    reference: { type: 'RMA', number: input.claimId },
    reason: `warranty replacement of serial ${original} (claim ${input.claimId})`,
    unitPrice: 0,
  };
  const [res] = (await recordMovements(d, [movement])).results;
  if (!res) throw new Error('recordMovements answered no result for one record');
  if (res.status === 'accepted' || res.status === 'duplicate') return r;
  if (res.code === 'event_id_conflict') throw reused(input.claimId);
  const code: ErrorCode = res.code !== undefined && Object.hasOwn(ERROR_STATUS, res.code) ? (res.code as ErrorCode) : 'invalid_state';
  const message = res.message ?? `Serial ${wanted} cannot be handed out`;
  throw new AppError(code, `The replacement cannot leave stock: ${message}`, issue('replacementSerial', message));
}

/** The defect-rate check of the claimed unit's lot (its claims counted with its defect returns). It never fails the claim. */
async function checkLot(d: ClaimDeps, k: LotKey, siteId: string) {
  try {
    const lot = await d.ledger.getLot(k);
    if (lot) await checkDefectRate(d, lot, siteId);
  } catch (e) {
    d.log?.('QA defect-rate check after a warranty claim failed; the next defect return or claim retries it', {
      gtin: k.gtin,
      lot: k.lot,
      error: (e as Error).message ?? String(e),
    });
  }
}
