import { pickLocations } from './bins.js';
import type { Clock } from './clock.js';
import { todayOf } from './dates.js';
import { AppError } from './errors.js';
import type { LotIndex } from './expiry-ports.js';
import type { Gtin } from './ids.js';
import { balanceAt, effectiveStatus, type LotState, q3 } from './ledger.js';
import { isInternal, type MasterDataStore, requireProduct, requireSite } from './master-data.js';

export type PickDeps = { lotIndex: Pick<LotIndex, 'lotsByExpiry'>; master: MasterDataStore; clock: Clock };

/** One line of a pick list; `bin` names the storage bin where the lot is binned (absent: its stock in no bin). `available`: what that bin (or the unbinned stock) holds. */
export type PickLine = { lot: string; expiry: string | null; quantity: number; available: number; bin?: string };
export type PickList = { siteId: string; gtin: string; quantity: number; unit: string; picks: PickLine[] };

/**
 * Take `quantity` from lots in the order given (FEFO order: earliest expiry first, no expiry last), skipping lots that
 * are recalled, on hold or expired on `today` and lots with nothing at the site. Pure; `covered` says whether it sufficed.
 * @example fefoTake(lots, 'store-1', 12, '2026-03-01') // { picks: [{ lot: 'A', quantity: 10, ... }, { lot: 'B', quantity: 2, ... }], covered: true }
 */
export function fefoTake(
  lots: Iterable<LotState>,
  siteId: string,
  quantity: number,
  today: string,
): { picks: PickLine[]; available: number; covered: boolean } {
  const picks: PickLine[] = [];
  let remaining = quantity;
  let available = 0;
  for (const lot of lots) {
    if (remaining <= 0) break;
    const balance = balanceAt(lot, siteId);
    const atSite = balance?.q ?? 0;
    if (!balance || atSite <= 0 || effectiveStatus(lot, today) !== 'active') continue;
    available = q3(available + atSite);
    // one line per bin holding the lot (by bin), then its unbinned stock: every line says where to take it from
    for (const at of pickLocations(balance)) {
      if (remaining <= 0) break;
      const take = Math.min(at.q, remaining);
      picks.push({ lot: lot.lot, expiry: lot.expiry ?? null, quantity: take, available: at.q, ...(at.bin !== undefined ? { bin: at.bin } : {}) });
      remaining = q3(remaining - take);
    }
  }
  return { picks, available, covered: remaining <= 0 };
}

/**
 * GET /sites/{siteId}/pick: the FEFO pick list for `quantity` units of a GTIN at a site. Reads the GTIN's lots in
 * expiry order from today on (expired lots sort before today and are never read) a page at a time, and stops as soon
 * as the quantity is covered. 409 `insufficient_stock` when the site cannot cover it, saying how much it can.
 */
export async function pickList(d: PickDeps, siteId: string, gtin: Gtin, quantity: number): Promise<PickList> {
  const site = await requireSite(d, siteId);
  const product = await requireProduct(d, gtin);
  if (!isInternal(site.kind))
    throw new AppError('validation_failed', `Site ${siteId} is a ${site.kind}; stock is tracked only at warehouses and stores`, [
      { path: 'siteId', message: `a ${site.kind} holds no tracked stock` },
    ]);
  const today = todayOf(d.clock);
  const picks: PickLine[] = [];
  let remaining = quantity;
  let available = 0;
  for await (const page of d.lotIndex.lotsByExpiry(gtin, today)) {
    const r = fefoTake(page, siteId, remaining, today);
    picks.push(...r.picks);
    available = q3(available + r.available);
    remaining = q3(remaining - r.picks.reduce((s, p) => s + p.quantity, 0));
    if (r.covered) return { siteId, gtin, quantity, unit: product.unit, picks };
  }
  throw new AppError(
    'insufficient_stock',
    `Site ${siteId} has ${available} ${product.unit} of ${gtin} that can be picked (not recalled, on hold or expired); ${quantity} requested`,
    [{ path: 'quantity', message: `only ${available} available` }],
  );
}
