import type { LedgerEntry, TraceResult } from './types';

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

/**
 * A trace as a graph: each lot and each site a node; an edge for each way goods went, summed: supplier → lot (received
 * from), lot → site (stock arrived there: receipts, transfers, returns), lot → external site (shipped or sold to it),
 * input lot → produced lot (transformations, with the quantity consumed), produced lot → the site it was made at. Edges follow the goods, whichever way the
 * trace was walked.
 */
export function traceGraph(trace: Pick<TraceResult, 'root' | 'lots' | 'sites' | 'movements'>): TraceGraph {
  const customers = trace.sites.filter((s) => s.kind === 'customer');
  const groupCustomers = customers.length >= CUSTOMER_GROUP_MIN;
  const kindOf = new Map(trace.sites.map((s) => [s.siteId, s.kind]));
  const nodes = new Map<string, GraphNode>();
  const inTrace = new Set<string>();
  for (const l of trace.lots) {
    const id = lotNodeId(l.gtin, l.lot);
    inTrace.add(id);
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

  const edges = new Map<string, GraphEdge>();
  const add = (source: string, target: string, quantity: number, unit: string) => {
    if (quantity <= 0 || source === target) return;
    const id = `${source}->${target}`;
    const e = edges.get(id);
    if (e) e.quantity += quantity;
    else edges.set(id, { id, source, target, quantity, unit, label: '' });
  };
  const transformSeen = new Set<string>();
  const transform = (
    eventId: string,
    input: { gtin: string; lot: string },
    output: { gtin: string; lot: string },
    quantity: number,
    unit: string,
  ) => {
    const src = lotNodeId(input.gtin, input.lot);
    const dst = lotNodeId(output.gtin, output.lot);
    const key = `${eventId}|${src}`;
    if (transformSeen.has(key) || !inTrace.has(src) || !inTrace.has(dst)) return;
    transformSeen.add(key);
    add(src, dst, quantity, unit);
  };
  const movements = trace.movements as LedgerEntry[];
  // A transformation is in the ledger of each input (with the input's own quantity and unit) and of its output (with
  // the inputs listed): the inputs' entries go first so that each edge carries the unit the input is counted in.
  for (const m of movements) if (m.type === 'transform' && m.role === 'input' && m.output) transform(m.eventId, m, m.output, m.quantity, m.unit);
  for (const m of movements)
    if (m.type === 'transform' && m.role !== 'input') for (const i of m.inputs ?? []) transform(m.eventId, i, m, i.quantity, m.unit);
  for (const m of movements) {
    const lotId = lotNodeId(m.gtin, m.lot);
    if (!inTrace.has(lotId)) continue;
    if (m.type === 'receive' && m.counterparty && kindOf.has(m.counterparty)) add(siteNode(m.counterparty), lotId, m.quantity, m.unit);
    for (const d of m.deltas) if (d.quantity > 0) add(lotId, siteNode(d.siteId), d.quantity, m.unit);
    if ((m.type === 'ship' || m.type === 'sell') && m.counterparty && kindOf.has(m.counterparty))
      add(lotId, siteNode(m.counterparty), m.quantity, m.unit);
  }
  for (const e of edges.values()) e.label = `${fmt(e.quantity)} ${e.unit}`;
  return { nodes: [...nodes.values()], edges: [...edges.values()] };
}
