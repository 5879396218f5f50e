type Item = Record<string, unknown>;
const STORAGE_ATTRS = new Set(['pk', 'sk', 'entity', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', 'gsi3pk', 'gsi3sk', 'ttl']);

/** Drop the storage-only attributes (keys, index keys, entity tag), leaving the domain record exactly as it was written. */
export function fromItem<T>(item: Item): T {
  const out: Item = {};
  for (const [k, v] of Object.entries(item)) if (!STORAGE_ATTRS.has(k)) out[k] = v;
  return out as T;
}
