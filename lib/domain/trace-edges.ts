import type { LotKey, UnchainedEntry } from './ledger.js';

/** One end of a trace edge: a lot of the trace, or a site of its `sites`. */
export type TraceEnd = LotKey | { siteId: string };
/** Goods that went from one lot or site to another, summed over the movements of the traced lots, in `unit`. */
export type TraceEdge = { from: TraceEnd; to: TraceEnd; quantity: number; unit: string };

type EdgeEntry = Pick<
  UnchainedEntry,
  'gtin' | 'lot' | 'eventId' | 'type' | 'role' | 'quantity' | 'unit' | 'counterparty' | 'deltas' | 'output' | 'inputs'
>;

const round3 = (n: number) => Math.round(n * 1000) / 1000;

/**
 * The edges of a trace graph, each way goods went summed: supplier → lot (received from), lot → site (stock arrived
 * there: receipts, transfers, returns), lot → external site (shipped or sold to it), input lot → produced lot
 * (transformations and initial packings, the quantity used, counted once however many of the two lots' entries name it). Edges follow
 * the goods, whichever way the trace was walked; an edge to a lot outside `lots` or a site outside `siteIds` is left
 * out. Pure, so that the console draws the same edges from a page of movements as the API sends.
 */
export function traceEdges(lots: Iterable<LotKey>, siteIds: ReadonlySet<string>, entries: Iterable<EdgeEntry>): TraceEdge[] {
  const lotKeys = new Map<string, LotKey>();
  for (const l of lots) lotKeys.set(JSON.stringify([l.gtin, l.lot]), { gtin: l.gtin, lot: l.lot });
  const lotKey = (k: LotKey) => JSON.stringify([k.gtin, k.lot]);
  const edges = new Map<string, TraceEdge>();
  const add = (fromKey: string, from: TraceEnd, toKey: string, to: TraceEnd, quantity: number, unit: string) => {
    if (!(quantity > 0) || fromKey === toKey) return;
    const id = JSON.stringify([fromKey, toKey]);
    const e = edges.get(id);
    if (e) e.quantity = round3(e.quantity + quantity);
    else edges.set(id, { from, to, quantity: round3(quantity), unit });
  };
  const site = (siteId: string): [string, TraceEnd] => [`s${JSON.stringify(siteId)}`, { siteId }];
  const lot = (k: LotKey): [string, TraceEnd] | undefined => {
    const key = lotKey(k);
    const known = lotKeys.get(key);
    return known ? [`l${key}`, known] : undefined;
  };
  const all = [...entries];
  const transformSeen = new Set<string>();
  const transform = (eventId: string, input: LotKey, output: LotKey, quantity: number, unit: string) => {
    const src = lot(input);
    const dst = lot(output);
    const seenKey = JSON.stringify([eventId, lotKey(input)]);
    if (!src || !dst || transformSeen.has(seenKey)) return;
    transformSeen.add(seenKey);
    add(src[0], src[1], dst[0], dst[1], quantity, unit);
  };
  // A transformation is in the ledger of each input (with the input's own quantity and unit) and of its output (with
  // the inputs listed): the inputs' entries go first so that each edge carries the unit the input is counted in.
  for (const m of all)
    if ((m.type === 'transform' || m.type === 'initial-pack') && m.role === 'input' && m.output)
      transform(m.eventId, m, m.output, m.quantity, m.unit);
  for (const m of all)
    if ((m.type === 'transform' || m.type === 'initial-pack') && m.role !== 'input')
      for (const i of m.inputs ?? []) transform(m.eventId, i, m, i.quantity, m.unit);
  for (const m of all) {
    const own = lot(m);
    if (!own) continue;
    if (m.type === 'receive' && m.counterparty && siteIds.has(m.counterparty)) add(...site(m.counterparty), ...own, m.quantity, m.unit);
    for (const d of m.deltas) if (d.quantity > 0 && siteIds.has(d.siteId)) add(...own, ...site(d.siteId), d.quantity, m.unit);
    if ((m.type === 'ship' || m.type === 'sell') && m.counterparty && siteIds.has(m.counterparty))
      add(...own, ...site(m.counterparty), m.quantity, m.unit);
  }
  return [...edges.values()];
}
