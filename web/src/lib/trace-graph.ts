import { type TraceEdge, type TraceEnd, traceEdges } from '../../../lib/domain/trace-edges.js';
import type { TraceResult } from './types';

export type GraphNode =
  | { id: string; kind: 'lot'; label: string; sub: string; gtin: string; lot: string; depth: number; root: boolean }
  | { id: string; kind: 'site'; label: string; sub: string; siteId: string }
  | { id: string; kind: 'customers'; label: string; sub: string; count: number };
export type GraphEdge = { id: string; source: string; target: string; quantity: number; unit: string; label: string };
export type TraceGraph = { nodes: GraphNode[]; edges: GraphEdge[] };

/** Above this many customers the graph shows them as one node (the table under the graph still lists each). */
export const CUSTOMER_GROUP_MIN = 12;

export const lotNodeId = (gtin: string, lot: string) => `lot|${gtin}|${lot}`;
const siteNodeId = (siteId: string) => `site|${siteId}`;
const CUSTOMERS = 'customers|all';

const fmt = (n: number) => String(Math.round(n * 1000) / 1000);

const endId = (e: TraceEnd) => ('siteId' in e ? siteNodeId(e.siteId) : lotNodeId(e.gtin, e.lot));

/**
 * A trace as a graph: each lot and each site a node, and the answer's edges (goods from a lot or site to another,
 * summed: see traceEdges); many customers become one node. From an answer without `edges`, the edges are drawn from its
 * movements by the same rule.
 */
export function traceGraph(trace: Pick<TraceResult, 'root' | 'lots' | 'sites' | 'movements'> & { edges?: TraceEdge[] }): TraceGraph {
  const customers = trace.sites.filter((s) => s.kind === 'customer');
  const groupCustomers = customers.length >= CUSTOMER_GROUP_MIN;
  const kindOf = new Map(trace.sites.map((s) => [s.siteId, s.kind]));
  const nodes = new Map<string, GraphNode>();
  for (const l of trace.lots) {
    const id = lotNodeId(l.gtin, l.lot);
    const root = l.gtin === trace.root.gtin && l.lot === trace.root.lot;
    nodes.set(id, {
      id,
      kind: 'lot',
      label: l.lot,
      sub: `${l.gtin}${root ? ' · root' : ` · depth ${l.depth}`}`,
      gtin: l.gtin,
      lot: l.lot,
      depth: l.depth,
      root,
    });
  }
  const siteNode = (siteId: string): string => {
    if (groupCustomers && kindOf.get(siteId) === 'customer') {
      if (!nodes.has(CUSTOMERS))
        nodes.set(CUSTOMERS, {
          id: CUSTOMERS,
          kind: 'customers',
          label: `${customers.length} customers`,
          sub: 'consumers who bought',
          count: customers.length,
        });
      return CUSTOMERS;
    }
    const id = siteNodeId(siteId);
    if (!nodes.has(id)) nodes.set(id, { id, kind: 'site', label: siteId, sub: kindOf.get(siteId) ?? 'site', siteId });
    return id;
  };
  for (const s of trace.sites) if (!(groupCustomers && s.kind === 'customer')) siteNode(s.siteId);

  const traced = trace.edges ?? traceEdges(trace.lots, new Set(kindOf.keys()), trace.movements);
  const edges = new Map<string, GraphEdge>();
  for (const t of traced) {
    // An end outside the trace's lots and sites is left out, as traceEdges leaves it out.
    const end = (e: TraceEnd) => ('siteId' in e ? (kindOf.has(e.siteId) ? siteNode(e.siteId) : undefined) : endId(e));
    const source = end(t.from);
    const target = end(t.to);
    if (source === undefined || target === undefined) continue;
    if (!nodes.has(source) || !nodes.has(target) || source === target) continue;
    const id = `${source}->${target}`;
    const e = edges.get(id);
    if (e) e.quantity += t.quantity;
    else edges.set(id, { id, source, target, quantity: t.quantity, unit: t.unit, label: '' });
  }
  for (const e of edges.values()) e.label = `${fmt(e.quantity)} ${e.unit}`;
  return { nodes: [...nodes.values()], edges: [...edges.values()] };
}
