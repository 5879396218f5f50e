import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import Checkbox from '@cloudscape-design/components/checkbox';
import ColumnLayout from '@cloudscape-design/components/column-layout';
import Container from '@cloudscape-design/components/container';
import ContentLayout from '@cloudscape-design/components/content-layout';
import FormField from '@cloudscape-design/components/form-field';
import Header from '@cloudscape-design/components/header';
import Input from '@cloudscape-design/components/input';
import KeyValuePairs from '@cloudscape-design/components/key-value-pairs';
import LineChart from '@cloudscape-design/components/line-chart';
import Select from '@cloudscape-design/components/select';
import SpaceBetween from '@cloudscape-design/components/space-between';
import StatusIndicator from '@cloudscape-design/components/status-indicator';
import Table from '@cloudscape-design/components/table';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useParams } from 'react-router';
import { ErrorAlert, ForManagers, Progress } from '../components/ui';
import { get, post, seg } from '../lib/api';
import { recallSeries } from '../lib/recall-series';
import { fmtQty, fmtTime, nowInstant } from '../lib/time';
import type { Recall, Report } from '../lib/types';

type Opt = { value: string; label: string };
const METHODS: Opt[] = ['phone', 'visit', 'email', 'other'].map((m) => ({ value: m, label: m }));
const RESULTS: Opt[] = [
  { value: 'received-and-complied', label: 'Received and complied' },
  { value: 'received-not-complied', label: 'Received, not complied' },
  { value: 'not-received', label: 'Not received' },
];

const open = (r: Recall | undefined) => r !== undefined && r.status !== 'closed';

function Chart({ report }: { report: Report }) {
  const s = recallSeries(report, new Date());
  const max = Math.max(1, ...s.notified.map((p) => p.y), ...s.acknowledged.map((p) => p.y));
  const xs = [...s.notified, ...s.acknowledged].map((p) => p.x.getTime());
  return (
    <LineChart
      series={[
        { title: 'Consignees notified', type: 'line', data: s.notified },
        { title: 'Acknowledged', type: 'line', data: s.acknowledged },
      ]}
      xDomain={[new Date(Math.min(...xs)), new Date(Math.max(...xs, Date.now()))]}
      yDomain={[0, max]}
      xScaleType="time"
      xTitle="Time"
      yTitle="Consignees"
      height={220}
      ariaLabel="Notices and acknowledgements over time"
      hideFilter
      i18nStrings={{ xTickFormatter: (d) => d.toLocaleTimeString() }}
      empty={<Box textAlign="center">No notices yet</Box>}
    />
  );
}

function AckForm({ recall }: { recall: Recall }) {
  const client = useQueryClient();
  const sites = recall.affected.sites.map((s) => ({ value: s.siteId, label: `${s.siteId} (${s.kind})` }));
  const [site, setSite] = useState<Opt | null>(sites[0] ?? null);
  const [onHand, setOnHand] = useState('0');
  const [removed, setRemoved] = useState('0');
  const [further, setFurther] = useState(false);
  const m = useMutation({
    mutationFn: () =>
      post(`/recalls/${seg(recall.recallId)}/acknowledgements`, {
        siteId: site?.value,
        quantityOnHand: Number(onHand),
        quantityRemoved: Number(removed),
        ...(further ? { furtherDistributed: true } : {}),
      }),
    onSuccess: () => void client.invalidateQueries({ queryKey: ['recall', recall.recallId] }),
  });
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        m.mutate();
      }}
    >
      <SpaceBetween size="s">
        <ColumnLayout columns={3}>
          <FormField label="Site">
            <Select
              selectedOption={site}
              options={sites}
              onChange={(e) => setSite(e.detail.selectedOption as Opt)}
              filteringType="auto"
              ariaLabel="Acknowledging site"
            />
          </FormField>
          <FormField label="Quantity still on hand">
            <Input value={onHand} inputMode="decimal" onChange={(e) => setOnHand(e.detail.value)} ariaLabel="Quantity still on hand" />
          </FormField>
          <FormField label="Quantity removed">
            <Input value={removed} inputMode="decimal" onChange={(e) => setRemoved(e.detail.value)} ariaLabel="Quantity removed" />
          </FormField>
        </ColumnLayout>
        <Checkbox checked={further} onChange={(e) => setFurther(e.detail.checked)}>
          The site distributed it further
        </Checkbox>
        <Button formAction="submit" loading={m.isPending}>
          Record acknowledgement
        </Button>
        {m.isSuccess && <StatusIndicator type="success">Acknowledgement recorded</StatusIndicator>}
        <ErrorAlert error={m.error} what="record the acknowledgement" />
      </SpaceBetween>
    </form>
  );
}

function CheckForm({ recall }: { recall: Recall }) {
  const client = useQueryClient();
  const sites = recall.affected.sites.map((s) => ({ value: s.siteId, label: `${s.siteId} (${s.kind})` }));
  const [site, setSite] = useState<Opt | null>(sites[0] ?? null);
  const [method, setMethod] = useState<Opt>(METHODS[0] as Opt);
  const [result, setResult] = useState<Opt>(RESULTS[0] as Opt);
  const [note, setNote] = useState('');
  const m = useMutation({
    mutationFn: () =>
      post(`/recalls/${seg(recall.recallId)}/effectiveness-checks`, {
        siteId: site?.value,
        method: method.value,
        result: result.value,
        checkedAt: nowInstant(),
        ...(note.trim() ? { note } : {}),
      }),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ['recall', recall.recallId] });
      void client.invalidateQueries({ queryKey: ['recall-report', recall.recallId] });
    },
  });
  const c = recall.effectivenessChecks;
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        m.mutate();
      }}
    >
      <SpaceBetween size="s">
        {c && (
          <Box>
            Level {c.level ?? recall.effectivenessLevel ?? '–'}: {c.done} checks done, {c.stillNeeded} still needed (of {c.required}).
          </Box>
        )}
        <ColumnLayout columns={3}>
          <FormField label="Consignee checked">
            <Select
              selectedOption={site}
              options={sites}
              onChange={(e) => setSite(e.detail.selectedOption as Opt)}
              filteringType="auto"
              ariaLabel="Consignee checked"
            />
          </FormField>
          <FormField label="Method">
            <Select selectedOption={method} options={METHODS} onChange={(e) => setMethod(e.detail.selectedOption as Opt)} ariaLabel="Method" />
          </FormField>
          <FormField label="Result">
            <Select selectedOption={result} options={RESULTS} onChange={(e) => setResult(e.detail.selectedOption as Opt)} ariaLabel="Result" />
          </FormField>
        </ColumnLayout>
        <FormField label="Note" description="optional">
          <Input value={note} onChange={(e) => setNote(e.detail.value)} ariaLabel="Check note" />
        </FormField>
        <Button formAction="submit" loading={m.isPending}>
          Record check
        </Button>
        {m.isSuccess && <StatusIndicator type="success">Check recorded</StatusIndicator>}
        <ErrorAlert error={m.error} what="Effectiveness checks" />
      </SpaceBetween>
    </form>
  );
}

function CloseForm({ recall }: { recall: Recall }) {
  const client = useQueryClient();
  const [reason, setReason] = useState('');
  const m = useMutation({
    mutationFn: () => post(`/recalls/${seg(recall.recallId)}/close`, { reason }),
    onSuccess: () => void client.invalidateQueries({ queryKey: ['recall', recall.recallId] }),
  });
  if (recall.status === 'closed') return <Box>Closed {fmtTime(recall.closedAt)}. Acknowledgement links no longer work.</Box>;
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        m.mutate();
      }}
    >
      <SpaceBetween size="s">
        <FormField label="Why the recall ends" description="Closing ends follow-ups; acknowledgement links stop working">
          <Input value={reason} onChange={(e) => setReason(e.detail.value)} ariaLabel="Closing reason" />
        </FormField>
        <Button formAction="submit" loading={m.isPending}>
          Close the recall
        </Button>
        <ErrorAlert error={m.error} what="Closing a recall" />
      </SpaceBetween>
    </form>
  );
}

function ReportView({ report }: { report: Report }) {
  return (
    <SpaceBetween size="m">
      <KeyValuePairs
        columns={4}
        items={[
          { label: 'Consignees notified', value: String(report.consigneesNotified.count) },
          { label: 'Responded', value: String(report.responded.count) },
          { label: 'Not responded', value: String(report.notResponded.count) },
          { label: 'Quantity returned or corrected', value: fmtQty(report.quantityReturnedOrCorrected) },
          { label: 'Quantity on hand reported', value: fmtQty(report.quantityOnHandReported) },
          { label: 'Effectiveness', value: `${report.effectivenessPercent}%` },
          { label: 'Effectiveness checks', value: `${report.effectivenessChecks.count} (${report.effectivenessChecks.stillNeeded} still needed)` },
          { label: 'Estimated completion', value: report.estimatedCompletion ?? '–' },
        ]}
      />
      <Table
        header={<Header variant="h3">Consignees notified</Header>}
        items={report.consigneesNotified.items}
        trackBy="siteId"
        variant="embedded"
        columnDefinitions={[
          { id: 'site', header: 'Consignee', cell: (i) => `${i.name || i.siteId} (${i.kind})` },
          { id: 'at', header: 'Notified', cell: (i) => fmtTime(i.notifiedAt) },
          { id: 'channel', header: 'Channel', cell: (i) => i.channel },
          { id: 'fu', header: 'Follow-ups', cell: (i) => i.followUps },
        ]}
      />
      <Table
        header={<Header variant="h3">Responded</Header>}
        items={report.responded.items}
        trackBy="siteId"
        variant="embedded"
        empty={<Box textAlign="center">No responses yet</Box>}
        columnDefinitions={[
          { id: 'site', header: 'Consignee', cell: (i) => `${i.siteId} (${i.kind})` },
          { id: 'at', header: 'Responded', cell: (i) => fmtTime(i.respondedAt) },
          { id: 'oh', header: 'On hand', cell: (i) => fmtQty(i.quantityOnHand) },
          { id: 'rm', header: 'Removed', cell: (i) => fmtQty(i.quantityRemoved) },
        ]}
      />
    </SpaceBetween>
  );
}

export default function RecallPage() {
  const { recallId = '' } = useParams();
  const recall = useQuery({
    queryKey: ['recall', recallId],
    queryFn: () => get<Recall>(`/recalls/${seg(recallId)}`),
    refetchInterval: (q) => (open(q.state.data) ? 2000 : false),
  });
  const r = recall.data;
  const report = useQuery({
    queryKey: ['recall-report', recallId],
    queryFn: () => get<Report>(`/recalls/${seg(recallId)}/report`),
    enabled: r !== undefined,
    refetchInterval: open(r) ? 2000 : false,
  });
  const n = r?.notices;
  const total = n?.total ?? 0;
  const sent = n?.published ?? 0;
  return (
    <ContentLayout
      header={
        <Header
          variant="h1"
          description={r ? `Class ${r.classification} · ${r.reason}` : undefined}
          actions={<Button onClick={() => window.print()}>Print</Button>}
        >
          Recall {recallId}
        </Header>
      }
    >
      <SpaceBetween size="l">
        <ErrorAlert error={recall.error} what="read the recall" />
        {r && (
          <>
            <Container header={<Header variant="h2">Progress</Header>}>
              <SpaceBetween size="m">
                {total > 0 && sent < total && (
                  <Progress
                    label="Sending notices"
                    value={Math.round((sent / total) * 100)}
                    description={`${sent} of ${total} handed to their channels`}
                  />
                )}
                <KeyValuePairs
                  columns={4}
                  items={[
                    { label: 'Status', value: r.status },
                    { label: 'Issued', value: fmtTime(r.issuedAt) },
                    { label: 'Notices', value: String(total) },
                    { label: 'Written', value: n?.written !== undefined ? String(n.written) : '–' },
                    { label: 'Published', value: String(sent) },
                    { label: 'Delivered', value: n?.delivered !== undefined ? String(n.delivered) : '–' },
                    { label: 'Acknowledged', value: String(n?.acknowledged ?? 0) },
                    { label: 'Failed', value: n?.failed !== undefined ? String(n.failed) : '–' },
                    { label: 'Units at risk', value: fmtQty(r.effectiveness.unitsAtRisk) },
                    { label: 'Units accounted for', value: fmtQty(r.effectiveness.unitsAccountedFor) },
                    { label: 'Effectiveness', value: <span data-testid="effectiveness">{r.effectiveness.percent}%</span> },
                    { label: 'Lots', value: r.affectedLots.map((l) => l.lot).join(', ') },
                  ]}
                />
                {report.data && <Chart report={report.data} />}
              </SpaceBetween>
            </Container>
            <Container header={<Header variant="h2">Acknowledge for a site</Header>}>
              <AckForm recall={r} />
            </Container>
            <ForManagers>
              <Container header={<Header variant="h2">Effectiveness checks (21 CFR 7.42(b)(3))</Header>}>
                <CheckForm recall={r} />
              </Container>
            </ForManagers>
            <Container header={<Header variant="h2">Status report (21 CFR 7.53)</Header>}>
              <ErrorAlert error={report.error} what="read the report" />
              {report.data && <ReportView report={report.data} />}
            </Container>
            <ForManagers>
              <Container header={<Header variant="h2">Close</Header>}>
                <CloseForm recall={r} />
              </Container>
            </ForManagers>
          </>
        )}
      </SpaceBetween>
    </ContentLayout>
  );
}
