import Badge from '@cloudscape-design/components/badge';
import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import Container from '@cloudscape-design/components/container';
import ContentLayout from '@cloudscape-design/components/content-layout';
import FormField from '@cloudscape-design/components/form-field';
import Header from '@cloudscape-design/components/header';
import Input from '@cloudscape-design/components/input';
import KeyValuePairs from '@cloudscape-design/components/key-value-pairs';
import Select from '@cloudscape-design/components/select';
import SpaceBetween from '@cloudscape-design/components/space-between';
import StatusIndicator, { type StatusIndicatorProps } from '@cloudscape-design/components/status-indicator';
import Table from '@cloudscape-design/components/table';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useNavigate, useParams } from 'react-router';
import { ErrorAlert, ForManagers, Link, MANAGERS_ONLY } from '../components/ui';
import { apiFetch, errorOf, get, lotPath, post, seg } from '../lib/api';
import { binRows } from '../lib/bin-rows';
import { fmtQty, fmtTime } from '../lib/time';
import type { LedgerPage, Lot, VerifyLot } from '../lib/types';

const STATUS: Record<string, StatusIndicatorProps.Type> = { active: 'success', 'on-hold': 'warning', recalled: 'error', expired: 'stopped' };

/** The ledger, a page at a time (100 entries), newest page last as the API orders it. */
function Ledger({ gtin, lot, unit }: { gtin: string; lot: string; unit: string }) {
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors.at(-1);
  const page = useQuery({
    queryKey: ['movements', gtin, lot, cursor ?? ''],
    queryFn: () => get<LedgerPage>(`${lotPath(gtin, lot)}/movements?limit=100${cursor ? `&cursor=${seg(cursor)}` : ''}`),
  });
  const verify = useQuery({ queryKey: ['verify', gtin, lot], queryFn: () => get<VerifyLot>(`/ledger/verify?gtin=${seg(gtin)}&lot=${seg(lot)}`) });
  const badge = verify.isLoading ? (
    <StatusIndicator type="loading">Verifying the chain</StatusIndicator>
  ) : verify.data?.ok ? (
    <StatusIndicator type="success">Verified: {verify.data.entries} entries, hashes chain to the head</StatusIndicator>
  ) : verify.data ? (
    <StatusIndicator type="error">Verification failed{verify.data.problem ? `: ${verify.data.problem}` : ''}</StatusIndicator>
  ) : (
    <StatusIndicator type="warning">Not verified</StatusIndicator>
  );
  return (
    <SpaceBetween size="s">
      <ErrorAlert error={page.error ?? verify.error} what="read the ledger" />
      <Table
        header={
          <Header variant="h2" description={badge} actions={<Button onClick={() => void verify.refetch()}>Verify again</Button>}>
            Ledger
          </Header>
        }
        loading={page.isLoading}
        loadingText="Reading the ledger"
        items={page.data?.items ?? []}
        trackBy="seq"
        empty={<Box textAlign="center">No entries</Box>}
        columnDefinitions={[
          { id: 'seq', header: 'Seq', cell: (e) => e.seq },
          { id: 'type', header: 'Type', cell: (e) => (e.role ? `${e.type} (${e.role})` : e.type) },
          { id: 'at', header: 'Occurred', cell: (e) => fmtTime(e.occurredAt) },
          { id: 'site', header: 'Site', cell: (e) => e.site ?? '–' },
          { id: 'cp', header: 'Counterparty', cell: (e) => e.counterparty ?? '–' },
          { id: 'qty', header: 'Quantity', cell: (e) => `${fmtQty(e.quantity)} ${e.unit ?? unit}` },
          {
            id: 'ref',
            header: 'Reference / reason',
            cell: (e) => [e.reference ? `${e.reference.type} ${e.reference.number}` : '', e.reason ?? ''].filter(Boolean).join(' · ') || '–',
          },
          { id: 'hash', header: 'Hash', cell: (e) => <code title={e.hash}>{e.hash.slice(0, 12)}…</code> },
        ]}
        footer={
          <SpaceBetween direction="horizontal" size="xs">
            <Button disabled={cursors.length === 0} onClick={() => setCursors((c) => c.slice(0, -1))}>
              Previous page
            </Button>
            <Button
              disabled={!page.data?.nextCursor}
              onClick={() => page.data?.nextCursor && setCursors((c) => [...c, page.data.nextCursor as string])}
            >
              Next page
            </Button>
          </SpaceBetween>
        }
      />
    </SpaceBetween>
  );
}

/** QA hold and release, with the reason the ledger records. */
function HoldRelease({ lot }: { lot: Lot }) {
  const client = useQueryClient();
  const [reason, setReason] = useState('');
  const action = lot.status === 'on-hold' ? 'release' : 'hold';
  const m = useMutation({
    mutationFn: () => post<Lot>(`${lotPath(lot.gtin, lot.lot)}/${action}`, { reason }),
    onSuccess: () => {
      setReason('');
      void client.invalidateQueries({ queryKey: ['lot', lot.gtin, lot.lot] });
      void client.invalidateQueries({ queryKey: ['movements', lot.gtin, lot.lot] });
      void client.invalidateQueries({ queryKey: ['verify', lot.gtin, lot.lot] });
    },
  });
  if (lot.status === 'recalled') return <Box>A recalled lot stays recalled: it cannot be put on hold or released.</Box>;
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        m.mutate();
      }}
    >
      <SpaceBetween size="s">
        <FormField label={action === 'hold' ? 'Reason for the QA hold' : 'Reason for releasing the hold'}>
          <Input value={reason} onChange={(e) => setReason(e.detail.value)} ariaLabel={action === 'hold' ? 'Hold reason' : 'Release reason'} />
        </FormField>
        <Button formAction="submit" loading={m.isPending}>
          {action === 'hold' ? 'Put on hold' : 'Release hold'}
        </Button>
        <ErrorAlert error={m.error} what={action === 'hold' ? 'put the lot on hold' : 'release the lot'} />
      </SpaceBetween>
    </form>
  );
}

const SYMBOLOGIES = [
  { value: 'gs1-128', label: 'GS1-128' },
  { value: 'datamatrix', label: 'GS1 DataMatrix' },
  { value: 'qr', label: 'GS1 Digital Link QR' },
];

/** The case label the API renders (branch `labels`), previewed, printed and downloaded as PDF or ZPL. */
function Label({ lot }: { lot: Lot }) {
  const [symbology, setSymbology] = useState(SYMBOLOGIES[0] as { value: string; label: string });
  const [quantity, setQuantity] = useState('');
  const q = /^\d+$/.test(quantity) ? `&quantity=${quantity}` : '';
  const path = (format: string) => `/labels/lots/${seg(lot.gtin)}/${seg(lot.lot)}?format=${format}&symbology=${symbology.value}${q}`;
  const label = async (format: string) => {
    const r = await apiFetch(path(format));
    if (!r.ok) throw await errorOf(r);
    return r;
  };
  const svg = useQuery({
    queryKey: ['label', lot.gtin, lot.lot, symbology.value, q],
    queryFn: async () => (await label('svg')).text(),
  });
  // A download is fetched like every API call (signed in the cloud, where a plain link would carry no signature).
  const download = useMutation({
    mutationFn: async (format: 'pdf' | 'zpl') => {
      const blob = await (await label(format)).blob();
      const a = document.createElement('a');
      a.href = URL.createObjectURL(blob);
      a.download = `label-${lot.gtin}-${lot.lot.replace(/[^A-Za-z0-9._-]/g, '_')}.${format}`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(a.href), 60_000);
    },
  });
  return (
    <SpaceBetween size="s">
      <SpaceBetween direction="horizontal" size="s">
        <FormField label="Symbology">
          <Select
            selectedOption={symbology}
            options={SYMBOLOGIES}
            onChange={(e) => setSymbology(e.detail.selectedOption as typeof symbology)}
            ariaLabel="Symbology"
          />
        </FormField>
        <FormField label="Count on the label (AI 37)" description="optional">
          <Input value={quantity} inputMode="numeric" onChange={(e) => setQuantity(e.detail.value)} ariaLabel="Count on the label" />
        </FormField>
      </SpaceBetween>
      <ErrorAlert error={svg.error ?? download.error} what="Label printing" />
      {svg.data && (
        <>
          <div className="lotledger-label" style={{ background: '#fff', padding: 8, maxWidth: 480 }}>
            <img
              alt={`Case label of lot ${lot.lot}`}
              src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg.data)}`}
              style={{ maxWidth: '100%' }}
            />
          </div>
          <SpaceBetween direction="horizontal" size="xs">
            <Button onClick={() => window.print()}>Print label</Button>
            <Button onClick={() => download.mutate('pdf')} loading={download.isPending && download.variables === 'pdf'} iconName="download">
              PDF
            </Button>
            <Button onClick={() => download.mutate('zpl')} loading={download.isPending && download.variables === 'zpl'} iconName="download">
              ZPL (Zebra)
            </Button>
          </SpaceBetween>
        </>
      )}
    </SpaceBetween>
  );
}

export default function LotPage() {
  const { gtin = '', lot: code = '' } = useParams();
  const navigate = useNavigate();
  const lot = useQuery({ queryKey: ['lot', gtin, code], queryFn: () => get<Lot>(lotPath(gtin, code)) });
  const l = lot.data;
  const base = `/console/lots/${seg(gtin)}/${seg(code)}`;
  const rows = binRows(l?.balances ?? []);
  return (
    <ContentLayout
      header={
        <Header
          variant="h1"
          description={l ? `${l.description ?? 'Unknown product'} · GTIN ${l.gtin}` : `GTIN ${gtin}`}
          actions={
            <SpaceBetween direction="horizontal" size="xs">
              <Button onClick={() => navigate(`${base}/trace?direction=forward`)}>Trace forward</Button>
              <Button onClick={() => navigate(`${base}/trace?direction=backward`)}>Trace backward</Button>
              <ForManagers>
                <Button variant="primary" onClick={() => navigate(`/console/recalls/new?gtin=${seg(gtin)}&lot=${seg(code)}`)}>
                  Recall…
                </Button>
              </ForManagers>
            </SpaceBetween>
          }
        >
          Lot {code}
        </Header>
      }
    >
      <SpaceBetween size="l">
        <ErrorAlert error={lot.error} what="read the lot" />
        {l && (
          <>
            <Container header={<Header variant="h2">Status</Header>}>
              <KeyValuePairs
                columns={4}
                items={[
                  {
                    label: 'Status',
                    value: (
                      <StatusIndicator type={STATUS[l.status] ?? 'info'}>
                        {l.status}
                        {l.statusReason ? ` (${l.statusReason})` : ''}
                      </StatusIndicator>
                    ),
                  },
                  { label: 'On hand', value: `${fmtQty(l.onHand)} ${l.unit}` },
                  { label: 'Expiry', value: l.expiry ?? '–' },
                  { label: 'Produced', value: l.productionDate ?? '–' },
                  { label: 'Serials in stock', value: l.serials ? `${l.serials.inStock} of ${l.serials.total}` : '–' },
                  { label: 'Lot code source', value: l.tlcSource ?? l.tlcSourceReference ?? '–' },
                  { label: 'Ledger entries', value: String(l.seq) },
                  {
                    label: 'Not yet chained',
                    value:
                      l.unchained === undefined ? (
                        '–'
                      ) : l.unchained === 0 ? (
                        <Badge color="green">0</Badge>
                      ) : (
                        <Badge color="blue">{l.unchained}</Badge>
                      ),
                  },
                ]}
              />
            </Container>
            <Table
              header={<Header variant="h2">Balances per site and bin</Header>}
              items={rows}
              trackBy="key"
              empty={<Box textAlign="center">No stock anywhere</Box>}
              columnDefinitions={[
                { id: 'site', header: 'Site', cell: (r) => r.siteId },
                { id: 'bin', header: 'Bin', cell: (r) => r.bin },
                { id: 'qty', header: 'On hand', cell: (r) => `${fmtQty(r.quantity)} ${l.unit}` },
                { id: 'rec', header: 'Received', cell: (r) => (r.received === undefined ? '–' : fmtQty(r.received)) },
              ]}
            />
            <Container header={<Header variant="h2">QA hold</Header>}>
              <ForManagers instead={<Box>{MANAGERS_ONLY}</Box>}>
                <HoldRelease lot={l} />
              </ForManagers>
            </Container>
            <Ledger gtin={l.gtin} lot={l.lot} unit={l.unit} />
            <Container header={<Header variant="h2">Label</Header>}>
              <Label lot={l} />
            </Container>
            <Box>
              <Link href="/">Back to search</Link>
            </Box>
          </>
        )}
      </SpaceBetween>
    </ContentLayout>
  );
}
