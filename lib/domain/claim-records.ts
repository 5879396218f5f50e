/**
 * Warranty claims as they are stored: their own item kind in the partition of the claimed unit's lot (claims count as
 * defect returns of that lot, and the lot's read counts them in the same Query), and the link a replacement unit
 * carries in its own lot's partition (it inherits the rest of the original's cover). Types and the port only; the
 * use case is warranty-claims.ts.
 */
import type { LotKey } from './ledger.js';

export const CLAIM_RESOLUTIONS = ['repair', 'replace', 'refund'] as const;
export type ClaimResolution = (typeof CLAIM_RESOLUTIONS)[number];

/** A claim filed on one serialized unit (CONTRACT.md: POST /serials/{gtin}/{serial}/warranty-claims). */
export type WarrantyClaim = {
  claimId: string;
  gtin: string;
  serial: string;
  /** the claimed unit's lot: the lot whose defect returns the claim counts toward */
  lot: string;
  reportedAt: string;
  problem: string;
  resolution?: ClaimResolution;
  replacementSerial?: string;
  /** the claimed unit's cover the claim was judged against (reportedAt's date is inside it) */
  warranty: { startsOn: string; endsOn: string };
  /** the unit handed out instead: its lot, the chained `sell` that took it out of stock, and the cover it inherits */
  replacement?: { serial: string; lot: string; eventId: string; site: string; warranty: { startsOn: string; endsOn: string } };
  recordedAt: string;
};

/** A stored claim: the claim and the hash of the request that filed it (the same claimId with another body is refused). */
export type ClaimRecord = WarrantyClaim & { requestHash: string };

/** What a replacement unit carries: which claim it was handed out for, whose cover it continues, and that cover. */
export type ReplacementLink = {
  gtin: string;
  /** the replacement unit */
  serial: string;
  lot: string;
  claimId: string;
  /** the unit it replaces, and that unit's lot */
  replaces: string;
  replacesLot: string;
  /** the `sell` that took it out of stock */
  eventId: string;
  startsOn: string;
  endsOn: string;
  recordedAt: string;
};

/** The claims side of the ledger store: reads from the lot partitions, and the one all-or-nothing write of a claim. */
export interface ClaimStore {
  /** The claims filed on a unit and the replacement links naming it as the replacement (one consistent Query of its lot's partition). */
  claimsOf(k: LotKey, serial: string): Promise<{ claims: ClaimRecord[]; links: ReplacementLink[] }>;
  /** Write a claim, with its replacement's link when it has one, all or nothing; false when that unit has a claim with this claimId already. */
  putClaim(claim: ClaimRecord, link?: ReplacementLink): Promise<boolean>;
}

/** The claim as the API answers it (the request hash stays inside). */
export function claimView(c: ClaimRecord): WarrantyClaim {
  const { requestHash: _hash, ...claim } = c;
  return claim;
}
