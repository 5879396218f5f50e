import { describe, expect, it } from 'vitest';
import { binRows } from '../../web/src/lib/bin-rows.js';
import { bySite } from '../../web/src/lib/expiry-board.js';
import { recallSeries } from '../../web/src/lib/recall-series.js';
import { interpretSearch, looksLikeGs1 } from '../../web/src/lib/search.js';
import { countdown } from '../../web/src/lib/time.js';
import { CUSTOMER_GROUP_MIN, lotNodeId, traceGraph } from '../../web/src/lib/trace-graph.js';
import type { LedgerEntry, TraceResult } from '../../web/src/lib/types.js';
import { quantityError } from '../../web/src/pages/AckPage.js';
import { scopeOf } from '../../web/src/pages/FdaRequestsPage.js';
import { recallBody } from '../../web/src/pages/NewRecallPage.js';

const TODAY = new Date('2026-06-01T12:00:00Z');
const G = '09506000134352';

describe('lot search box', () => {
  it('reads what a keyboard-wedge scanner types: AIM identifier, element string, FNC1 as GS', () => {
    expect(interpretSearch(`]C101${G}17261231\u001d10ABC123\n`, TODAY)).toMatchObject({ kind: 'lot', gtin: G, lot: 'ABC123', expiry: '2026-12-31' });
    expect(interpretSearch(`]d201${G}10ABC\u001d21S1`, TODAY)).toMatchObject({ kind: 'lot', gtin: G, lot: 'ABC' });
  });
  it('reads the bracketed text under a barcode and a Digital Link', () => {
    expect(interpretSearch(`(01)${G}(10)ABC123`, TODAY)).toMatchObject({ kind: 'lot', gtin: G, lot: 'ABC123' });
    expect(interpretSearch(`https://id.gs1.org/01/${G}/21/SER9`, TODAY)).toMatchObject({ kind: 'serial', gtin: G, serial: 'SER9' });
  });
  it('a unit label (01)+(21) leads to the serial, a bare (01) to the GTIN', () => {
    expect(interpretSearch(`(01)${G}(21)X1`, TODAY)).toEqual({ kind: 'serial', gtin: G, serial: 'X1', hri: `(01)${G}(21)X1` });
    expect(interpretSearch(`(01)${G}`, TODAY)).toEqual({ kind: 'gtin', gtin: G });
  });
  it('pads a GTIN-13 typed by hand and refuses a bad check digit in words', () => {
    expect(interpretSearch('9506000134352', TODAY)).toEqual({ kind: 'gtin', gtin: G });
    const bad = interpretSearch('09506000134353', TODAY);
    expect(bad.kind).toBe('error');
    const scanned = interpretSearch('(01)09506000134353(10)A', TODAY);
    expect(scanned).toMatchObject({ kind: 'error' });
    expect((scanned as { message: string }).message).toMatch(/check digit/i);
  });
  it('a code that is neither barcode nor GTIN asks for the GTIN; an empty box is nothing', () => {
    expect(interpretSearch('RMN-001', TODAY)).toEqual({ kind: 'needs-gtin', code: 'RMN-001' });
    expect(interpretSearch('   ', TODAY)).toEqual({ kind: 'empty' });
    expect(looksLikeGs1('RMN-001')).toBe(false);
  });
});

const entry = (e: Partial<LedgerEntry> & Pick<LedgerEntry, 'gtin' | 'lot' | 'type' | 'quantity'>): LedgerEntry => ({
  seq: 1,
  prevHash: '0'.repeat(64),
  hash: 'h',
  eventId: `${e.type}-${e.lot}-${e.quantity}`,
  occurredAt: '2026-05-01T00:00:00Z',
  recordedAt: '2026-05-01T00:00:00Z',
  unit: 'case',
  deltas: [],
  ...e,
});

describe('trace graph', () => {
  const trace: Pick<TraceResult, 'root' | 'lots' | 'sites' | 'movements'> = {
    root: { gtin: 'A', lot: 'L1' },
    lots: [
      { gtin: 'A', lot: 'L1', depth: 0 },
      { gtin: 'B', lot: 'K1', depth: 1 },
    ],
    sites: [
      { siteId: 'farm', kind: 'supplier', received: 0, onHand: 0 },
      { siteId: 'dc', kind: 'warehouse', received: 100, onHand: 40 },
      { siteId: 'store', kind: 'store', received: 30, onHand: 10 },
    ],
    movements: [
      entry({ gtin: 'A', lot: 'L1', type: 'receive', quantity: 100, site: 'dc', counterparty: 'farm', deltas: [{ siteId: 'dc', quantity: 100 }] }),
      entry({
        gtin: 'A',
        lot: 'L1',
        type: 'transfer',
        quantity: 20,
        site: 'dc',
        counterparty: 'store',
        deltas: [
          { siteId: 'dc', quantity: -20 },
          { siteId: 'store', quantity: 20 },
        ],
      }),
      entry({
        gtin: 'A',
        lot: 'L1',
        type: 'transfer',
        quantity: 10,
        site: 'dc',
        counterparty: 'store',
        deltas: [
          { siteId: 'dc', quantity: -10 },
          { siteId: 'store', quantity: 10 },
        ],
      }),
      // one transformation, seen from both lots: counted once
      entry({
        gtin: 'A',
        lot: 'L1',
        type: 'transform',
        role: 'input',
        quantity: 40,
        site: 'dc',
        eventId: 'T1',
        output: { gtin: 'B', lot: 'K1' },
        deltas: [{ siteId: 'dc', quantity: -40 }],
      }),
      entry({
        gtin: 'B',
        lot: 'K1',
        type: 'transform',
        role: 'output',
        quantity: 80,
        unit: 'ea',
        site: 'dc',
        eventId: 'T1',
        inputs: [{ gtin: 'A', lot: 'L1', quantity: 40 }],
        deltas: [{ siteId: 'dc', quantity: 80 }],
      }),
    ],
  };
  it('draws lots and sites as nodes and sums the quantities on each edge, following the goods', () => {
    const g = traceGraph(trace);
    expect(g.nodes.map((n) => n.id).sort()).toEqual(['lot|A|L1', 'lot|B|K1', 'site|dc', 'site|farm', 'site|store']);
    const edge = (s: string, t: string) => g.edges.find((e) => e.source === s && e.target === t);
    expect(edge('site|farm', 'lot|A|L1')?.label).toBe('100 case');
    expect(edge('lot|A|L1', 'site|store')?.label).toBe('30 case');
    expect(edge('lot|A|L1', 'lot|B|K1')?.quantity).toBe(40);
    expect(edge('lot|B|K1', 'site|dc')?.label).toBe('80 ea');
    expect(g.nodes.find((n) => n.id === lotNodeId('A', 'L1'))).toMatchObject({ root: true });
  });
  it('draws the edges of a graph answer as they are, without any movement', () => {
    const edges = [
      { from: { siteId: 'farm' }, to: { gtin: 'A', lot: 'L1' }, quantity: 100, unit: 'case' },
      { from: { gtin: 'A', lot: 'L1' }, to: { gtin: 'B', lot: 'K1' }, quantity: 40, unit: 'case' },
      { from: { gtin: 'A', lot: 'L1' }, to: { siteId: 'nowhere' }, quantity: 5, unit: 'case' }, // not a site of the trace
    ];
    const fromEdges = traceGraph({ ...trace, movements: [], edges });
    expect(fromEdges.edges.map((e) => [e.source, e.target, e.label])).toEqual([
      ['site|farm', 'lot|A|L1', '100 case'],
      ['lot|A|L1', 'lot|B|K1', '40 case'],
    ]);
    // and the movements of the same trace give the same edges as the API sums
    const fromMovements = traceGraph(trace);
    expect(
      fromMovements.edges
        .filter((e) => e.source === 'site|farm' || e.target === 'lot|B|K1')
        .map((e) => e.label)
        .sort(),
    ).toEqual(['100 case', '40 case']);
  });
  it('shows many customers as one node', () => {
    const customers = Array.from({ length: CUSTOMER_GROUP_MIN }, (_, i) => ({ siteId: `c${i}`, kind: 'customer' as const, received: 1, onHand: 1 }));
    const sales = customers.map((c) =>
      entry({ gtin: 'A', lot: 'L1', type: 'sell', quantity: 1, site: 'store', counterparty: c.siteId, deltas: [{ siteId: 'store', quantity: -1 }] }),
    );
    const g = traceGraph({ ...trace, sites: [...trace.sites, ...customers], movements: [...trace.movements, ...sales] });
    expect(g.nodes.filter((n) => n.kind === 'customers')).toHaveLength(1);
    expect(g.edges.find((e) => e.target === 'customers|all')?.quantity).toBe(CUSTOMER_GROUP_MIN);
  });
});

describe('recall chart', () => {
  it('turns the 7.53 report into step curves of notices and acknowledgements over time', () => {
    const s = recallSeries(
      {
        issuedAt: '2026-06-01T10:00:00Z',
        consigneesNotified: {
          count: 3,
          items: [
            {
              siteId: 'a',
              kind: 'store',
              name: 'A',
              notifiedAt: '2026-06-01T10:00:02Z',
              channel: 'sns',
              channels: ['sns'],
              followUps: 0,
              escalated: false,
              status: 'pending',
            },
            {
              siteId: 'b',
              kind: 'store',
              name: 'B',
              notifiedAt: '2026-06-01T10:00:01Z',
              channel: 'sns',
              channels: ['sns'],
              followUps: 0,
              escalated: false,
              status: 'pending',
            },
            {
              siteId: 'c',
              kind: 'store',
              name: 'C',
              notifiedAt: null,
              channel: 'sns',
              channels: ['sns'],
              followUps: 0,
              escalated: false,
              status: 'pending',
            },
          ],
        },
        responded: { count: 1, items: [{ siteId: 'a', kind: 'store', respondedAt: '2026-06-01T10:05:00Z', quantityOnHand: 0, quantityRemoved: 4 }] },
      },
      TODAY,
    );
    expect(s.notified.map((p) => p.y)).toEqual([0, 1, 2, 2]);
    expect(s.notified[1]?.x.toISOString()).toBe('2026-06-01T10:00:01.000Z');
    expect(s.acknowledged.map((p) => p.y)).toEqual([0, 1, 1]);
  });
});

describe('expiry board', () => {
  it('gives one row per lot and site that still holds stock, by site then days left', () => {
    const line = (lot: string, daysLeft: number, balances: { siteId: string; quantity: number }[]) => ({
      gtin: G,
      lot,
      description: 'x',
      expiry: '2026-06-05',
      daysLeft,
      balances,
    });
    const b = bySite({
      expiringSoon: [
        line('L2', 3, [
          { siteId: 's2', quantity: 5 },
          { siteId: 's1', quantity: 0 },
        ]),
        line('L1', 1, [{ siteId: 's2', quantity: 2 }]),
      ],
      expired: [],
    });
    expect(b.expiring.map((r) => `${r.siteId}:${r.lot}`)).toEqual(['s2:L1', 's2:L2']);
  });
});

describe('forms', () => {
  it('the recall form becomes the contract body; optional fields are left out when empty', () => {
    const body = recallBody(
      {
        lots: `${G}/RMN 1\n${G} X\n`,
        classification: 'I',
        reason: 'r',
        hazard: '',
        instructions: 'pull',
        depth: '',
        effectivenessLevel: 'A',
        includeDownstream: false,
        estimatedCompletion: '',
      },
      true,
    );
    expect(body).toEqual({
      lots: [
        { gtin: G, lot: 'RMN 1' },
        { gtin: G, lot: 'X' },
      ],
      classification: 'I',
      reason: 'r',
      instructions: 'pull',
      effectivenessLevel: 'A',
      includeDownstream: false,
      mock: true,
    });
  });
  it('FDA scope: a bare GTIN is a food, GTIN/lot one lot', () => {
    expect(scopeOf(`${G}\n${G}/L-1\n`)).toEqual({ gtins: [G], lots: [{ gtin: G, lot: 'L-1' }] });
  });
  it('the ack page asks for plain numbers, in words', () => {
    expect(quantityError('')).toMatch(/Enter a number/);
    expect(quantityError('2.5')).toBeNull();
    expect(quantityError('1e3')).toMatch(/such as/);
    expect(quantityError('1.2345')).toMatch(/such as/);
  });
  it('the FDA deadline counts down and then says how late it is', () => {
    expect(countdown('2026-06-02T12:00:00Z', TODAY)).toMatchObject({ text: '24 h 0 min left', overdue: false });
    expect(countdown('2026-06-01T11:58:30Z', TODAY)).toMatchObject({ text: 'overdue by 1 min 30 s', overdue: true });
  });
});

describe('rank layout of large traces', () => {
  it('puts every node right of its predecessors, wraps tall ranks, and survives cycles and long chains', async () => {
    const { COLUMN_MAX, NODE_W, rankLayout } = await import('../../web/src/lib/layout.js');
    const nodes = [{ id: 'r' }, ...Array.from({ length: 100 }, (_, i) => ({ id: `c${i}` })), { id: 'dc' }] as { id: string }[];
    const edges = [
      ...nodes.slice(1, -1).flatMap((n) => [
        { source: 'r', target: n.id },
        { source: n.id, target: 'dc' },
      ]),
      { source: 'dc', target: 'r' },
    ].map((e, i) => ({ ...e, id: `e${i}` }));
    const pos = rankLayout({ nodes, edges } as never);
    expect(pos.size).toBe(nodes.length);
    const x = (id: string) => pos.get(id)?.x ?? Number.NaN;
    expect(x('c0')).toBeGreaterThan(x('r'));
    expect(x('dc')).toBeGreaterThan(x('c99'));
    // 100 nodes of one rank in ceil(100 / COLUMN_MAX) columns
    expect(new Set(nodes.slice(1, -1).map((n) => x(n.id))).size).toBe(Math.ceil(100 / COLUMN_MAX));
    expect(x('c99') - x('c0')).toBeGreaterThanOrEqual(NODE_W);
    const chain = Array.from({ length: 20_000 }, (_, i) => ({ id: `n${i}` }));
    const links = chain.slice(1).map((n, i) => ({ id: `l${i}`, source: `n${i}`, target: n.id }));
    expect(rankLayout({ nodes: chain, edges: links } as never).get('n19999')?.x).toBeGreaterThan(0);
  });
});

describe('lot balances table', () => {
  it('shows one row per bin and one for the stock in no bin, adding up to the site balance', () => {
    const rows = binRows([
      {
        siteId: 'dc-1',
        quantity: 10,
        received: 12,
        bins: [
          { bin: 'A1', quantity: 4 },
          { bin: 'A2', quantity: 5 },
        ],
      },
      { siteId: 'store-1', quantity: 3, received: 3 },
      { siteId: 'store-2', quantity: 2, received: 2, bins: [{ bin: 'S1', quantity: 2 }] },
    ]);
    expect(rows.map((r) => [r.siteId, r.bin, r.quantity, r.received])).toEqual([
      ['dc-1', 'A1', 4, undefined],
      ['dc-1', 'A2', 5, undefined],
      ['dc-1', '–', 1, undefined],
      ['store-1', '–', 3, 3],
      ['store-2', 'S1', 2, undefined],
    ]);
  });
});
