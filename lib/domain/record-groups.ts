import { keysOf, lotId } from './ledger.js';
import type { Movement } from './movement.js';

/** A valid record of a batch, with its place in the batch. */
export type Pending = { index: number; m: Movement };

/**
 * Union records that share a lot, serial or eventId into groups (union-find over their keys); each group keeps batch
 * order, and no two groups touch the same item, so groups may run side by side.
 * @example groupByShared([{ index: 0, m: receiveA }, { index: 1, m: shipA }, { index: 2, m: receiveB }]) // [[0, 1], [2]] by index
 */
export function groupByShared(items: Pending[]): Pending[][] {
  const parent = items.map((_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i] as number] as number;
      i = parent[i] as number;
    }
    return i;
  };
  const owner = new Map<string, number>();
  items.forEach(({ m }, i) => {
    const k = keysOf(m);
    const tags = [`E|${m.eventId}`, ...k.lots.map((l) => `L|${lotId(l)}`), ...k.serials.map((s) => `S|${m.gtin}|${s}`)];
    for (const t of tags) {
      const o = owner.get(t);
      if (o === undefined) owner.set(t, i);
      else parent[find(i)] = find(o);
    }
  });
  const groups = new Map<number, Pending[]>();
  items.forEach((it, i) => {
    const root = find(i);
    const g = groups.get(root) ?? [];
    g.push(it);
    groups.set(root, g);
  });
  return [...groups.values()];
}
