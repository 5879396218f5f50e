import { STORAGE_ATTRIBUTES } from './table.js';

type Item = Record<string, unknown>;

/** Drop the storage-only attributes (keys, index keys, entity tag), leaving the domain record exactly as it was written. */
export function fromItem<T>(item: Item): T {
  const out: Item = {};
  for (const [k, v] of Object.entries(item)) if (!STORAGE_ATTRIBUTES.has(k)) out[k] = v;
  return out as T;
}

type Balances = Record<string, { q: number; r: number }>;

/**
 * A lot's balances as the item stores them: a list of `{siteId, q, r}`, because a map keyed by siteId would lose a
 * siteId such as `__proto__` in marshalling (it is data, never a prototype).
 */
export const balancesToItem = (b: Balances) => Object.entries(b).map(([siteId, v]) => ({ siteId, q: v.q, r: v.r }));

/** An item's lot head, its balance list turned back into an object whose every siteId is an own property. */
export function lotFromItem<T extends { balances: Balances }>(item: Item): T {
  const out = fromItem<T & { balances: unknown }>(item);
  const stored = out.balances;
  const balances: Balances = {};
  // Items written before balances were a list hold a map: its entries are read the same way.
  const rows = Array.isArray(stored)
    ? (stored as { siteId: string; q: number; r: number }[])
    : Object.entries((stored ?? {}) as Balances).map(([siteId, v]) => ({ siteId, q: v.q, r: v.r }));
  for (const row of rows)
    Object.defineProperty(balances, row.siteId, { value: { q: row.q, r: row.r }, enumerable: true, writable: true, configurable: true });
  return { ...out, balances } as T;
}
