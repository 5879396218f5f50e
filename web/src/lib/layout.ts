import type { TraceGraph } from './trace-graph';

export const NODE_W = 190;
export const NODE_H = 58;
const GAP_X = 90;
const GAP_Y = 24;
/** Above this many nodes the graph is laid out by rank here (linear time) instead of by ELK (seconds for 1,000 nodes). */
export const ELK_MAX_NODES = 300;
/** Nodes per column before a rank wraps into another column, so a fan-out of 1,000 lots stays on screen. */
export const COLUMN_MAX = 40;

export type Positions = Map<string, { x: number; y: number }>;

/**
 * A layered layout in linear time: each node's rank is its longest path from a source (cycles, which goods can make
 * through returns, are broken by ignoring edges back to a node being visited), nodes of a rank are ordered by the mean
 * position of their predecessors (the barycentre heuristic, one sweep), and a rank taller than COLUMN_MAX wraps.
 */
export function rankLayout(g: Pick<TraceGraph, 'nodes' | 'edges'>): Positions {
  const ids = g.nodes.map((n) => n.id);
  const preds = new Map<string, string[]>(ids.map((id) => [id, []]));
  const succs = new Map<string, string[]>(ids.map((id) => [id, []]));
  for (const e of g.edges) {
    if (!preds.has(e.source) || !preds.has(e.target)) continue;
    succs.get(e.source)?.push(e.target);
    preds.get(e.target)?.push(e.source);
  }
  // Break cycles (goods can come back through returns): a DFS forward from the sources, then from anything left,
  // drops each edge back to a node still being visited. Iterative, so a long chain of lots cannot overflow the stack.
  const back = new Set<string>();
  const state = new Map<string, 1 | 2>();
  const post: string[] = [];
  const starts = [...ids.filter((id) => (preds.get(id) ?? []).length === 0), ...ids];
  for (const start of starts) {
    if (state.has(start)) continue;
    const stack: { id: string; i: number }[] = [{ id: start, i: 0 }];
    state.set(start, 1);
    while (stack.length > 0) {
      const top = stack[stack.length - 1] as { id: string; i: number };
      const ss = succs.get(top.id) ?? [];
      if (top.i < ss.length) {
        const t = ss[top.i++] as string;
        const st = state.get(t);
        if (st === 1) back.add(`${top.id}\u0000${t}`);
        else if (st === undefined) {
          state.set(t, 1);
          stack.push({ id: t, i: 0 });
        }
        continue;
      }
      state.set(top.id, 2);
      post.push(top.id);
      stack.pop();
    }
  }
  // Longest path from a source, in topological order (reverse post-order) of what is left.
  const rank = new Map<string, number>();
  for (let i = post.length - 1; i >= 0; i--) {
    const id = post[i] as string;
    let r = 0;
    for (const p of preds.get(id) ?? []) if (!back.has(`${p}\u0000${id}`)) r = Math.max(r, (rank.get(p) ?? 0) + 1);
    rank.set(id, r);
  }
  const byRank: string[][] = [];
  for (const id of ids) {
    const r = rank.get(id) ?? 0;
    const layer = byRank[r];
    if (layer) layer.push(id);
    else byRank[r] = [id];
  }
  const order = new Map<string, number>();
  const pos: Positions = new Map();
  let x = 0;
  for (const layer of byRank) {
    if (!layer) continue;
    const key = (id: string) => {
      const ps = (preds.get(id) ?? []).filter((p) => order.has(p));
      return ps.length ? ps.reduce((s, p) => s + (order.get(p) ?? 0), 0) / ps.length : Number.POSITIVE_INFINITY;
    };
    const keyed = layer.map((id, i) => ({ id, k: key(id), i }));
    keyed.sort((a, b) => a.k - b.k || a.i - b.i);
    const columns = Math.ceil(keyed.length / COLUMN_MAX);
    keyed.forEach(({ id }, i) => {
      const col = Math.floor(i / COLUMN_MAX);
      const row = i % COLUMN_MAX;
      order.set(id, i);
      pos.set(id, { x: x + col * (NODE_W + GAP_X / 2), y: row * (NODE_H + GAP_Y) });
    });
    x += columns * (NODE_W + GAP_X / 2) + GAP_X / 2;
  }
  return pos;
}

/** Positions from ELK's layered algorithm (loaded only when needed), left to right in the direction the goods went. */
async function elkLayout(g: TraceGraph): Promise<Positions> {
  const { default: ELK } = await import('elkjs/lib/elk.bundled.js');
  const elk = new ELK();
  const out = await elk.layout({
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'RIGHT',
      'elk.layered.spacing.nodeNodeBetweenLayers': String(GAP_X),
      'elk.spacing.nodeNode': String(GAP_Y),
      'elk.layered.cycleBreaking.strategy': 'GREEDY',
    },
    children: g.nodes.map((n) => ({ id: n.id, width: NODE_W, height: NODE_H })),
    edges: g.edges.map((e) => ({ id: e.id, sources: [e.source], targets: [e.target] })),
  });
  return new Map((out.children ?? []).map((c) => [c.id, { x: c.x ?? 0, y: c.y ?? 0 }]));
}

/** ELK for graphs a person reads node by node; the rank layout for large ones, where ELK alone would take seconds. */
export async function layoutGraph(g: TraceGraph): Promise<Positions> {
  return g.nodes.length > ELK_MAX_NODES ? rankLayout(g) : elkLayout(g);
}
