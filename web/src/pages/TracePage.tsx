import '@xyflow/react/dist/style.css';
import Box from '@cloudscape-design/components/box';
import Container from '@cloudscape-design/components/container';
import ContentLayout from '@cloudscape-design/components/content-layout';
import Header from '@cloudscape-design/components/header';
import Pagination from '@cloudscape-design/components/pagination';
import SegmentedControl from '@cloudscape-design/components/segmented-control';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Table from '@cloudscape-design/components/table';
import { useQuery } from '@tanstack/react-query';
import { Background, BaseEdge, Controls, type Edge, type EdgeProps, getBezierPath, MarkerType, type Node, Position, ReactFlow } from '@xyflow/react';
import { useEffect, useMemo, useState } from 'react';
import { useNavigate, useParams, useSearchParams } from 'react-router';
import { ErrorAlert, Link, PAGE_LABELS, Progress } from '../components/ui';
import { get, lotPath, seg } from '../lib/api';
import { ELK_MAX_NODES, layoutGraph, NODE_H, NODE_W } from '../lib/layout';
import { fmtQty } from '../lib/time';
import { type GraphNode, traceGraph } from '../lib/trace-graph';
import type { TraceResult } from '../lib/types';

/**
 * The trace's graph: lots, sites and the edges between them with their quantities, in one answer (no movement pages:
 * the graph is drawn from the edges the API sums).
 */
const fetchTrace = (gtin: string, lot: string, direction: string): Promise<TraceResult> =>
  get<TraceResult>(`${lotPath(gtin, lot)}/trace?direction=${direction}&movements=false`);

/**
 * An edge with its quantity as plain SVG text: React Flow's own edge label measures itself after it is drawn (a
 * second render per edge), which for the thousand edges of a large trace costs more than the whole drawing.
 */
function QuantityEdge(p: EdgeProps) {
  const [path, x, y] = getBezierPath(p);
  return (
    <>
      <BaseEdge path={path} {...(p.markerEnd ? { markerEnd: p.markerEnd } : {})} interactionWidth={0} />
      {p.label ? (
        <text
          x={x}
          y={y}
          className="react-flow__edge-text"
          textAnchor="middle"
          dominantBaseline="central"
          style={{ paintOrder: 'stroke', stroke: '#fff', strokeWidth: 4, fontSize: 11, fill: '#16191f' }}
        >
          {p.label}
        </text>
      ) : null}
    </>
  );
}
const EDGE_TYPES = { quantity: QuantityEdge };

/**
 * Where edges meet a node, given up front with its size: React Flow then knows each node without measuring it, so it
 * draws only the nodes on screen from the first frame (it draws every node once to measure it otherwise).
 */
const HANDLES: NonNullable<Node['handles']> = [
  { type: 'target', position: Position.Left, x: 0, y: NODE_H / 2 },
  { type: 'source', position: Position.Right, x: NODE_W, y: NODE_H / 2 },
];

const COLORS: Record<GraphNode['kind'], string> = { lot: '#e8f2ff', site: '#f2f8f0', customers: '#fff7e6' };

/** Rows a page in the tables under the graph: a 1,000-lot trace draws 50 rows, not 1,000. */
const PAGE = 50;

const lotHref = (gtin: string, lot: string) => `/console/lots/${seg(gtin)}/${seg(lot)}`;

export default function TracePage() {
  const { gtin = '', lot = '' } = useParams();
  const [params, setParams] = useSearchParams();
  const navigate = useNavigate();
  const direction = params.get('direction') === 'backward' ? 'backward' : 'forward';
  const trace = useQuery({
    queryKey: ['trace', gtin, lot, direction],
    queryFn: () => fetchTrace(gtin, lot, direction),
    staleTime: 30_000,
  });
  const graph = useMemo(() => (trace.data ? traceGraph(trace.data) : undefined), [trace.data]);
  const [flow, setFlow] = useState<{ nodes: Node[]; edges: Edge[] } | undefined>();
  const [layoutError, setLayoutError] = useState<unknown>(null);

  useEffect(() => {
    if (!graph) return;
    let live = true;
    setFlow(undefined);
    layoutGraph(graph).then(
      (pos) => {
        if (!live) return;
        setFlow({
          nodes: graph.nodes.map((n) => ({
            id: n.id,
            position: pos.get(n.id) ?? { x: 0, y: 0 },
            width: NODE_W,
            height: NODE_H,
            measured: { width: NODE_W, height: NODE_H },
            handles: HANDLES,
            sourcePosition: Position.Right,
            targetPosition: Position.Left,
            data: {
              label: (
                <div>
                  <strong>{n.label}</strong>
                  <div style={{ fontSize: 11, color: '#414d5c' }}>{n.sub}</div>
                </div>
              ),
            },
            ariaLabel: n.kind === 'lot' ? `Lot ${n.label}, ${n.sub}` : `${n.label}, ${n.sub}`,
            style: {
              width: NODE_W,
              height: NODE_H,
              boxSizing: 'border-box',
              overflow: 'hidden',
              background: COLORS[n.kind],
              border: n.kind === 'lot' && n.root ? '2px solid #0972d3' : '1px solid #8c8c94',
              borderRadius: n.kind === 'lot' ? 6 : 18,
              cursor: n.kind === 'lot' ? 'pointer' : 'default',
            },
            connectable: false,
          })),
          edges: graph.edges.map((e) => ({
            id: e.id,
            source: e.source,
            target: e.target,
            type: 'quantity',
            label: e.label,
            markerEnd: { type: MarkerType.ArrowClosed },
          })),
        });
      },
      (e: unknown) => live && setLayoutError(e),
    );
    return () => {
      live = false;
    };
  }, [graph]);

  // For the benchmark (bench/console.ts): data in hand, then graph on screen.
  useEffect(() => {
    if (trace.data) performance.mark('trace-data');
  }, [trace.data]);
  useEffect(() => {
    if (flow) performance.mark('trace-graph-ready');
  }, [flow]);

  const [lotPage, setLotPage] = useState(1);
  const [sitePage, setSitePage] = useState(1);
  const byId = useMemo(() => new Map((graph?.nodes ?? []).map((n) => [n.id, n])), [graph]);
  const t = trace.data;
  return (
    <ContentLayout
      header={
        <Header
          variant="h1"
          description={
            <>
              Lots and sites as nodes, quantities on the edges, following the goods. Click a lot to open it.{' '}
              <Link href={lotHref(gtin, lot)}>Back to lot {lot}</Link>
            </>
          }
          actions={
            <SegmentedControl
              label="Direction"
              selectedId={direction}
              options={[
                { id: 'forward', text: 'Forward (where it went)' },
                { id: 'backward', text: 'Backward (where it came from)' },
              ]}
              onChange={(e) => setParams({ direction: e.detail.selectedId })}
            />
          }
        >
          Trace of {lot}
        </Header>
      }
    >
      <SpaceBetween size="l">
        <ErrorAlert error={trace.error ?? layoutError} what="trace the lot" />
        {trace.isLoading && <Progress label="Tracing" description="Walking the lots made from or into this lot" />}
        {t && !flow && !layoutError && (
          <Progress label="Laying out the graph" description={`${graph?.nodes.length ?? 0} nodes, ${graph?.edges.length ?? 0} edges`} />
        )}
        {t && (
          <Box variant="p">
            {t.lots.length} lots, {t.sites.length} sites, {t.movementsTotal} movements.
          </Box>
        )}
        {flow && (
          <Container>
            <section
              aria-label={`Trace graph of lot ${lot}, ${direction}`}
              data-graph-ready="true"
              data-nodes={flow.nodes.length}
              style={{ height: 560 }}
            >
              <ReactFlow
                nodes={flow.nodes}
                edges={flow.edges}
                edgeTypes={EDGE_TYPES}
                fitView
                // A large trace opens on its root and the first lots around it (the rest is a pan or a zoom away), so that
                // only what is on screen is drawn; a small one is shown whole.
                {...(flow.nodes.length > ELK_MAX_NODES
                  ? { fitViewOptions: { nodes: flow.nodes.slice(0, 24).map((n) => ({ id: n.id })), maxZoom: 1 } }
                  : {})}
                minZoom={0.02}
                nodesDraggable={false}
                nodesConnectable={false}
                onlyRenderVisibleElements={flow.nodes.length > ELK_MAX_NODES}
                onNodeClick={(_, node) => {
                  const n = byId.get(node.id);
                  if (n?.kind === 'lot') navigate(lotHref(n.gtin, n.lot));
                }}
                proOptions={{ hideAttribution: false }}
              >
                <Background />
                <Controls showInteractive={false} />
              </ReactFlow>
            </section>
          </Container>
        )}
        {t && (
          <Table
            header={<Header variant="h2">Lots in the trace</Header>}
            items={t.lots.slice((lotPage - 1) * PAGE, lotPage * PAGE)}
            trackBy={(l) => `${l.gtin}/${l.lot}`}
            sortingDisabled
            pagination={
              <Pagination
                ariaLabels={PAGE_LABELS}
                currentPageIndex={lotPage}
                pagesCount={Math.max(1, Math.ceil(t.lots.length / PAGE))}
                onChange={(e) => setLotPage(e.detail.currentPageIndex)}
              />
            }
            columnDefinitions={[
              { id: 'lot', header: 'Lot', cell: (l) => <Link href={lotHref(l.gtin, l.lot)}>{l.lot}</Link> },
              { id: 'gtin', header: 'GTIN', cell: (l) => l.gtin },
              { id: 'depth', header: 'Depth', cell: (l) => l.depth },
              {
                id: 'trace',
                header: 'Trace',
                cell: (l) => <Link href={`${lotHref(l.gtin, l.lot)}/trace?direction=${direction}`}>trace {direction}</Link>,
              },
            ]}
          />
        )}
        {t && (
          <Table
            header={<Header variant="h2">Sites in the trace</Header>}
            items={t.sites.slice((sitePage - 1) * PAGE, sitePage * PAGE)}
            trackBy="siteId"
            pagination={
              <Pagination
                ariaLabels={PAGE_LABELS}
                currentPageIndex={sitePage}
                pagesCount={Math.max(1, Math.ceil(t.sites.length / PAGE))}
                onChange={(e) => setSitePage(e.detail.currentPageIndex)}
              />
            }
            columnDefinitions={[
              { id: 'site', header: 'Site', cell: (s) => s.siteId },
              { id: 'kind', header: 'Kind', cell: (s) => s.kind },
              { id: 'received', header: 'Received', cell: (s) => fmtQty(s.received) },
              { id: 'onHand', header: 'On hand', cell: (s) => fmtQty(s.onHand) },
            ]}
          />
        )}
      </SpaceBetween>
    </ContentLayout>
  );
}
