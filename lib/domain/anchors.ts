import { hashOf } from './canonical.js';

/** One lot's chain head as the Object-Lock bucket records it. */
export type ChainHead = { gtin: string; lot: string; seq: number; hash: string };

/** A link to a sealed document in the bucket: its key and its `sha256`. */
export type Link = { key: string; sha256: string };

/**
 * An anchor: the heads of the lots whose chain head changed since the anchor before it, written to the Object-Lock
 * export bucket at least every LOTLEDGER_ANCHOR_SECONDS. Anchors are incremental checkpoints: each names the one
 * before it, and `sha256` is the SHA-256 over the canonical JSON of every other field.
 */
export type Anchor = {
  anchorVersion: 1;
  createdAt: string;
  previous: Link | null;
  heads: ChainHead[];
  sha256: string;
};
export type StoredAnchor = { key: string; anchor: Anchor };

/** The anchors in the bucket. Keys are `anchors/{iso}.json`, so key order is time order. */
export interface AnchorStore {
  /** anchor keys after `startAfter` (a key or a key prefix), in key order */
  anchorKeys(startAfter?: string): Promise<string[]>;
  readAnchor(key: string): Promise<Anchor | undefined>;
  writeAnchor(key: string, anchor: Anchor): Promise<void>;
}

export const ANCHOR_PREFIX = 'anchors/';
/** `anchors/{iso}.json` */
export const anchorKey = (at: Date) => `${ANCHOR_PREFIX}${at.toISOString()}.json`;
/** Where to start listing for the anchors written after an instant. */
export const anchorsAfterTime = (iso: string) => `${ANCHOR_PREFIX}${iso}`;

/** Seal an anchor body with its own hash. */
export const sealAnchor = (body: Omit<Anchor, 'sha256'>): Anchor => ({ ...body, sha256: hashOf(body) });

/** True when the anchor's fields still hash to its `sha256`. */
export function anchorIntact(a: Anchor): boolean {
  const { sha256, ...rest } = a;
  return hashOf(rest) === sha256;
}

/** `gtin|lot`, the one key of a lot in maps. */
export const headId = (k: { gtin: string; lot: string }) => `${k.gtin}|${k.lot}`;

/**
 * The newest anchor written after `startAfter` (a key or an `anchorsAfterTime` prefix), else `fallback`'s anchor.
 * Listing from a recent point keeps the read small however many anchors the bucket holds.
 * @example await latestAnchor(store, anchorsAfterTime(cp.createdAt), cp.anchor)
 */
export async function latestAnchor(store: AnchorStore, startAfter?: string, fallback?: Link | null): Promise<StoredAnchor | undefined> {
  const key = (await store.anchorKeys(startAfter)).at(-1) ?? fallback?.key;
  if (!key) return undefined;
  const anchor = await store.readAnchor(key);
  return anchor ? { key, anchor } : undefined;
}
