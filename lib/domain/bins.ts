import type { BinBalance, LotKey, SiteBalance } from './ledger.js';
import { q3 } from './ledger.js';

// Storage bins inside an internal site (issue 15, docs/ledger.md "Bins"). A lot's balance at a site is split into the
// stock in each bin and an unbinned remainder: a movement that names a `bin` changes that bin, one that names none
// changes the remainder. Neither ever goes below zero, so the site's total stays the sum of its parts.

/** Bin ids sort by code unit, so stored lists never depend on a locale. */
const byBin = (a: BinBalance, b: BinBalance) => (a.bin < b.bin ? -1 : a.bin > b.bin ? 1 : 0);

/** Units of a balance in one bin (0 when it holds none). */
export const binQuantity = (b: Pick<SiteBalance, 'bins'> | undefined, bin: string): number => b?.bins?.find((x) => x.bin === bin)?.q ?? 0;

/**
 * The part of a site's balance in no bin: on hand minus what its bins hold.
 * @example unbinnedOf({ q: 10, r: 10, bins: [{ bin: 'A1', q: 4 }] }) // 6
 */
export const unbinnedOf = (b: Pick<SiteBalance, 'q' | 'bins'>): number => q3(b.q - (b.bins ?? []).reduce((s, x) => s + x.q, 0));

/**
 * A bin list with `delta` applied to `bin`: sorted by bin, bins at zero left out. The caller checks the result is
 * not negative (see planMovement); this only computes it.
 * @example withBinChange([{ bin: 'B', q: 2 }], 'A', 3) // [{ bin: 'A', q: 3 }, { bin: 'B', q: 2 }]
 */
export function withBinChange(bins: readonly BinBalance[] | undefined, bin: string, delta: number): BinBalance[] {
  const next = (bins ?? []).filter((b) => b.bin !== bin).map((b) => ({ bin: b.bin, q: b.q }));
  const q = q3(binQuantity({ bins: bins ? [...bins] : [] }, bin) + delta);
  if (q !== 0) next.push({ bin, q });
  return next.sort(byBin);
}

/** Where a pick can take a lot from at one site: each bin holding stock (by bin), then the unbinned remainder (no `bin`). */
export function pickLocations(b: SiteBalance): { bin?: string; q: number }[] {
  const out: { bin?: string; q: number }[] = (b.bins ?? []).filter((x) => x.q > 0).map((x) => ({ bin: x.bin, q: x.q }));
  const rest = unbinnedOf(b);
  if (rest > 0) out.push({ q: rest });
  return out;
}

export type PutawayReason = 'holds-lot' | 'empty-bin' | 'fewest-other-lots';
export type PutawayChoice = { bin: string; reason: PutawayReason; message: string };

/** What a site's bins hold: for each lot with stock in bins there, its bins. */
export type BinOccupant = LotKey & { bins: readonly BinBalance[] };

/**
 * Where to store a receipt of `lot` at a site so that units of one lot stay together: the bin already holding most of
 * that lot, else the first empty bin in the site's order, else the bin holding the fewest other lots (first in the
 * site's order on a tie). Only the site's current `bins` are candidates. Pure.
 * @example choosePutaway(['A1', 'A2'], { gtin, lot: 'L1' }, [{ gtin, lot: 'L0', bins: [{ bin: 'A1', q: 5 }] }]) // { bin: 'A2', reason: 'empty-bin', ... }
 */
export function choosePutaway(siteBins: readonly string[], lot: LotKey, occupants: Iterable<BinOccupant>): PutawayChoice | undefined {
  const known = new Set(siteBins);
  const others = new Map<string, number>();
  const own = new Map<string, number>();
  for (const o of occupants) {
    const same = o.gtin === lot.gtin && o.lot === lot.lot;
    for (const b of o.bins) {
      if (!(b.q > 0) || !known.has(b.bin)) continue;
      if (same) own.set(b.bin, q3((own.get(b.bin) ?? 0) + b.q));
      else others.set(b.bin, (others.get(b.bin) ?? 0) + 1);
    }
  }
  let holding: string | undefined;
  for (const bin of siteBins) if (own.has(bin) && (holding === undefined || (own.get(bin) ?? 0) > (own.get(holding) ?? 0))) holding = bin;
  if (holding !== undefined)
    return { bin: holding, reason: 'holds-lot', message: `Bin ${holding} already holds ${own.get(holding)} of lot ${lot.lot}` };
  const empty = siteBins.find((bin) => !others.has(bin));
  if (empty !== undefined) return { bin: empty, reason: 'empty-bin', message: `No bin holds lot ${lot.lot}; bin ${empty} is empty` };
  let fewest: string | undefined;
  for (const bin of siteBins) if (fewest === undefined || (others.get(bin) ?? 0) < (others.get(fewest) ?? 0)) fewest = bin;
  if (fewest === undefined) return undefined;
  const n = others.get(fewest) ?? 0;
  return {
    bin: fewest,
    reason: 'fewest-other-lots',
    message: `No bin holds lot ${lot.lot} and none is empty; bin ${fewest} holds the fewest other lots (${n})`,
  };
}

/**
 * A take that names no bin, spread over where the site holds the lot: its unbinned remainder first, then its bins in
 * order, so stock put away in bins can leave a site whose movements do not name bins (CONTRACT.md: `bin` is
 * optional). Unchanged when the remainder covers it, when it names a bin, or when the site holds too little anyway
 * (the stock rules then refuse it).
 * @example takeFromBins({ q: 5, r: 5, bins: [{ bin: 'A', q: 4 }] }, -3) // [{ quantity: -1 }, { quantity: -2, bin: 'A' }]
 */
export function takeFromBins(cur: SiteBalance | undefined, quantity: number): { quantity: number; bin?: string }[] {
  if (!cur || quantity >= 0 || !cur.bins?.length) return [{ quantity }];
  const loose = Math.max(0, unbinnedOf(cur));
  if (q3(loose + quantity) >= 0 || q3(cur.q + quantity) < 0) return [{ quantity }];
  let left = q3(-quantity);
  const out: { quantity: number; bin?: string }[] = [];
  if (loose > 0) {
    out.push({ quantity: -loose });
    left = q3(left - loose);
  }
  for (const b of [...cur.bins].sort(byBin)) {
    if (left <= 0) break;
    if (b.q <= 0) continue;
    const take = Math.min(b.q, left);
    out.push({ quantity: -take, bin: b.bin });
    left = q3(left - take);
  }
  return out;
}
