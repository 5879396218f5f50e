import ELK from 'elkjs/lib/elk.bundled.js';
import type { ElkNode } from 'elkjs/lib/elk-api.js';
import type { TraceGraph } from './trace-graph';

export const NODE_W = 190;
export const NODE_H = 58;

const elk = new ELK();

/** Positions from ELK's layered algorithm, left to right in the direction the goods went. */
export async function layoutGraph(g: TraceGraph): Promise<Map<string, { x: number; y: number }>> {
  const root: ElkNode = {
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'RIGHT',
      'elk.layered.spacing.nodeNodeBetweenLayers': '90',
      'elk.spacing.nodeNode': '24',
      // The greedy strategies keep a 1,000-lot trace well under a second.
      'elk.layered.crossingMinimization.strategy': g.nodes.length > 300 ? 'NONE' : 'LAYER_SWEEP',
      'elk.layered.nodePlacement.strategy': g.nodes.length > 300 ? 'SIMPLE' : 'BRANDES_KOEPF',
      'elk.layered.cycleBreaking.strategy': 'GREEDY',
    },
    children: g.nodes.map((n) => ({ id: n.id, width: NODE_W, height: NODE_H })),
    edges: g.edges.map((e) => ({ id: e.id, sources: [e.source], targets: [e.target] })),
  };
  const out = await elk.layout(root);
  return new Map((out.children ?? []).map((c) => [c.id, { x: c.x ?? 0, y: c.y ?? 0 }]));
}
