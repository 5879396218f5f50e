import { STORAGE_ATTRIBUTES } from './table.js';

type Item = Record<string, unknown>;

/** Drop the storage-only attributes (keys, index keys, entity tag), leaving the domain record exactly as it was written. */
export function fromItem<T>(item: Item): T {
  const out: Item = {};
  for (const [k, v] of Object.entries(item)) if (!STORAGE_ATTRIBUTES.has(k)) out[k] = v;
  return out as T;
}
