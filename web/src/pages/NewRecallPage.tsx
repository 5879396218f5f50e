import Alert from '@cloudscape-design/components/alert';
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
import Modal from '@cloudscape-design/components/modal';
import Select from '@cloudscape-design/components/select';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Table from '@cloudscape-design/components/table';
import Textarea from '@cloudscape-design/components/textarea';
import { useMutation } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import { ErrorAlert, ForManagers, MANAGERS_ONLY } from '../components/ui';
import { post, seg } from '../lib/api';
import { fmtQty } from '../lib/time';
import type { RecallAnswer } from '../lib/types';

type Opt = { value: string; label: string };
const CLASSES: Opt[] = [
  { value: 'I', label: 'Class I: a reasonable probability of serious harm or death' },
  { value: 'II', label: 'Class II: temporary or reversible harm' },
  { value: 'III', label: 'Class III: not likely to cause harm' },
];
const DEPTHS: Opt[] = [
  { value: 'consumer', label: 'Consumer' },
  { value: 'retail', label: 'Retail' },
  { value: 'wholesale', label: 'Wholesale' },
];
const LEVELS: Opt[] = ['A', 'B', 'C', 'D', 'E'].map((l) => ({ value: l, label: `Level ${l}` }));

export type RecallForm = {
  lots: string;
  classification: string;
  reason: string;
  hazard: string;
  instructions: string;
  depth: string;
  effectivenessLevel: string;
  includeDownstream: boolean;
  estimatedCompletion: string;
};

/** The form as the body of POST /recalls; lots are `gtin/lot` or `gtin lot`, one a line. */
export function recallBody(f: RecallForm, mock: boolean) {
  const lots = f.lots
    .split(/\n/)
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => {
      const m = /^(\d{8,14})[\s/]+(.+)$/.exec(l);
      return m ? { gtin: m[1] as string, lot: (m[2] as string).trim() } : { gtin: l, lot: '' };
    });
  return {
    lots,
    classification: f.classification,
    reason: f.reason,
    ...(f.hazard.trim() ? { hazard: f.hazard } : {}),
    ...(f.instructions.trim() ? { instructions: f.instructions } : {}),
    ...(f.depth ? { depth: f.depth } : {}),
    ...(f.effectivenessLevel ? { effectivenessLevel: f.effectivenessLevel } : {}),
    includeDownstream: f.includeDownstream,
    ...(f.estimatedCompletion ? { estimatedCompletion: f.estimatedCompletion } : {}),
    mock,
  };
}

function BlastRadius({ answer }: { answer: RecallAnswer }) {
  const a = answer.affected;
  const units = a.sites.reduce((s, x) => s + x.onHand, 0);
  return (
    <SpaceBetween size="s">
      <KeyValuePairs
        columns={4}
        items={[
          { label: 'Lots', value: String(a.lots.length) },
          { label: 'Sites to notify', value: String(a.sitesTotal) },
          { label: 'Customers', value: String(a.customersTotal) },
          { label: 'Units on hand at internal sites', value: fmtQty(units) },
          { label: 'Traced in', value: `${answer.traceMillis} ms` },
        ]}
      />
      <Table
        header={<Header variant="h3">Affected lots</Header>}
        items={a.lots}
        trackBy={(l) => `${l.gtin}/${l.lot}`}
        columnDefinitions={[
          { id: 'gtin', header: 'GTIN', cell: (l) => l.gtin },
          { id: 'lot', header: 'Lot', cell: (l) => l.lot },
        ]}
      />
      <Table
        header={<Header variant="h3">Affected sites (customers not listed)</Header>}
        items={a.sites.filter((s) => s.kind !== 'customer')}
        trackBy="siteId"
        columnDefinitions={[
          { id: 'site', header: 'Site', cell: (s) => s.siteId },
          { id: 'kind', header: 'Kind', cell: (s) => s.kind },
          { id: 'received', header: 'Received', cell: (s) => fmtQty(s.received) },
          { id: 'onHand', header: 'On hand', cell: (s) => fmtQty(s.onHand) },
        ]}
      />
    </SpaceBetween>
  );
}

/** Start a recall: the blast radius (a drill, `mock: true`) is always shown before the real one can be confirmed. */
export default function NewRecallPage() {
  return (
    <ForManagers instead={<Box padding="l">{MANAGERS_ONLY} (starting a recall or a drill)</Box>}>
      <NewRecall />
    </ForManagers>
  );
}

function NewRecall() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const drillOnly = params.get('mock') === 'true';
  const pre = params.get('gtin') && params.get('lot') ? `${params.get('gtin')}/${params.get('lot')}` : '';
  const [f, setF] = useState<RecallForm>({
    lots: pre,
    classification: 'II',
    reason: '',
    hazard: '',
    instructions: '',
    depth: 'retail',
    effectivenessLevel: 'C',
    includeDownstream: true,
    estimatedCompletion: '',
  });
  const set = <K extends keyof RecallForm>(k: K, v: RecallForm[K]) => setF((x) => ({ ...x, [k]: v }));
  const [confirming, setConfirming] = useState(false);
  // One key per form: a double click or a retried request starts one recall, not two.
  const idempotencyKey = useMemo(() => crypto.randomUUID(), []);
  const drill = useMutation({ mutationFn: () => post<RecallAnswer>('/recalls', recallBody(f, true)) });
  const start = useMutation({
    mutationFn: () => post<RecallAnswer>('/recalls', recallBody(f, false), { headers: { 'idempotency-key': idempotencyKey } }),
    onSuccess: (a) => {
      navigate(`/console/recalls/${seg(a.recallId)}`);
    },
  });
  const opt = (opts: Opt[], v: string) => opts.find((o) => o.value === v) ?? null;
  return (
    <ContentLayout header={<Header variant="h1">{drillOnly ? 'Recall drill' : 'Start a recall'}</Header>}>
      <SpaceBetween size="l">
        <Container header={<Header variant="h2">What is recalled, and why</Header>}>
          <form
            onSubmit={(e) => {
              e.preventDefault();
              drill.mutate();
            }}
          >
            <SpaceBetween size="m">
              <FormField label="Lots" description="One a line: GTIN, then the lot code (00614141000012/RMN-001)">
                <Textarea value={f.lots} rows={3} onChange={(e) => set('lots', e.detail.value)} ariaLabel="Lots" />
              </FormField>
              <ColumnLayout columns={3}>
                <FormField label="Classification">
                  <Select
                    selectedOption={opt(CLASSES, f.classification)}
                    options={CLASSES}
                    onChange={(e) => set('classification', e.detail.selectedOption.value ?? 'II')}
                    ariaLabel="Classification"
                  />
                </FormField>
                <FormField label="Depth">
                  <Select
                    selectedOption={opt(DEPTHS, f.depth)}
                    options={DEPTHS}
                    onChange={(e) => set('depth', e.detail.selectedOption.value ?? '')}
                    ariaLabel="Depth"
                  />
                </FormField>
                <FormField label="Effectiveness check level">
                  <Select
                    selectedOption={opt(LEVELS, f.effectivenessLevel)}
                    options={LEVELS}
                    onChange={(e) => set('effectivenessLevel', e.detail.selectedOption.value ?? '')}
                    ariaLabel="Effectiveness check level"
                  />
                </FormField>
              </ColumnLayout>
              <FormField label="Reason">
                <Input value={f.reason} onChange={(e) => set('reason', e.detail.value)} ariaLabel="Reason" />
              </FormField>
              <FormField label="Hazard" description="required for a real recall">
                <Textarea value={f.hazard} rows={2} onChange={(e) => set('hazard', e.detail.value)} ariaLabel="Hazard" />
              </FormField>
              <FormField label="Instructions to recipients" description="required for a real recall">
                <Textarea value={f.instructions} rows={2} onChange={(e) => set('instructions', e.detail.value)} ariaLabel="Instructions" />
              </FormField>
              <ColumnLayout columns={2}>
                <Checkbox checked={f.includeDownstream} onChange={(e) => set('includeDownstream', e.detail.checked)}>
                  Include lots made from these (transformations)
                </Checkbox>
                <FormField label="Estimated completion" description="optional date" constraintText="YYYY-MM-DD">
                  <Input
                    value={f.estimatedCompletion}
                    onChange={(e) => set('estimatedCompletion', e.detail.value)}
                    ariaLabel="Estimated completion"
                  />
                </FormField>
              </ColumnLayout>
              <Button formAction="submit" variant={drillOnly ? 'primary' : 'normal'} loading={drill.isPending}>
                {drillOnly ? 'Run the drill' : 'Show the blast radius'}
              </Button>
            </SpaceBetween>
          </form>
        </Container>
        <ErrorAlert error={drill.error} what="trace the blast radius" />
        {drill.data && (
          <Container
            header={
              <Header
                variant="h2"
                description="A drill: computed like the recall, nothing was sent or changed"
                actions={
                  !drillOnly && (
                    <Button variant="primary" onClick={() => setConfirming(true)}>
                      Start the recall…
                    </Button>
                  )
                }
              >
                Blast radius
              </Header>
            }
          >
            <BlastRadius answer={drill.data} />
          </Container>
        )}
        <ErrorAlert error={start.error} what="start the recall" />
        <Modal
          visible={confirming}
          onDismiss={() => setConfirming(false)}
          header="Start this recall?"
          footer={
            <Box float="right">
              <SpaceBetween direction="horizontal" size="xs">
                <Button variant="link" onClick={() => setConfirming(false)}>
                  Cancel
                </Button>
                <Button
                  variant="primary"
                  loading={start.isPending}
                  onClick={() => {
                    setConfirming(false);
                    start.mutate();
                  }}
                >
                  Start the recall
                </Button>
              </SpaceBetween>
            </Box>
          }
        >
          {drill.data && (
            <Alert type="warning">
              {drill.data.affected.lots.length} lots become recalled and {drill.data.affected.sitesTotal} sites, {drill.data.affected.customersTotal}{' '}
              of them customers, are notified. This cannot be undone.
            </Alert>
          )}
        </Modal>
      </SpaceBetween>
    </ContentLayout>
  );
}
