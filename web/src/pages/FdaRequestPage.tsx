import Alert from '@cloudscape-design/components/alert';
import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import ColumnLayout from '@cloudscape-design/components/column-layout';
import Container from '@cloudscape-design/components/container';
import ContentLayout from '@cloudscape-design/components/content-layout';
import FormField from '@cloudscape-design/components/form-field';
import Header from '@cloudscape-design/components/header';
import Input from '@cloudscape-design/components/input';
import KeyValuePairs from '@cloudscape-design/components/key-value-pairs';
import SpaceBetween from '@cloudscape-design/components/space-between';
import StatusIndicator from '@cloudscape-design/components/status-indicator';
import Table from '@cloudscape-design/components/table';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useParams } from 'react-router';
import { KdeGaps } from '../components/KdeGaps';
import { ErrorAlert, ForManagers, Link, Progress } from '../components/ui';
import { get, post, seg } from '../lib/api';
import { countdown, fmtTime, nowInstant } from '../lib/time';
import { type FdaRequest, kdeGapCount } from '../lib/types';

function useNow(ms = 1000) {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const t = setInterval(() => setNow(new Date()), ms);
    return () => clearInterval(t);
  }, [ms]);
  return now;
}

export default function FdaRequestPage() {
  const { requestId = '' } = useParams();
  const client = useQueryClient();
  const now = useNow();
  const q = useQuery({
    queryKey: ['fda-request', requestId],
    queryFn: () => get<FdaRequest>(`/fda-requests/${seg(requestId)}`),
    refetchInterval: (s) => (s.state.data?.status === 'preparing' || s.state.data?.building !== undefined ? 1000 : false),
  });
  const r = q.data;
  const [name, setName] = useState('');
  const [title, setTitle] = useState('');
  const [channel, setChannel] = useState('email');
  const [note, setNote] = useState('');
  const refresh = () => void client.invalidateQueries({ queryKey: ['fda-request', requestId] });
  const signOff = useMutation({ mutationFn: () => post(`/fda-requests/${seg(requestId)}/sign-off`, { name, title }), onSuccess: refresh });
  const sent = useMutation({
    mutationFn: () => post(`/fda-requests/${seg(requestId)}/sent`, { sentAt: nowInstant(), channel, ...(note.trim() ? { note } : {}) }),
    onSuccess: refresh,
  });
  const due = r ? countdown(r.dueBy, now) : undefined;
  const gaps = kdeGapCount(r?.kdeGaps);
  return (
    <ContentLayout
      header={
        <Header variant="h1" description={<Link href="/console/fda-requests">All FDA requests</Link>}>
          FDA request {r?.reference ?? requestId}
        </Header>
      }
    >
      <SpaceBetween size="l">
        <ErrorAlert error={q.error} what="read the FDA request" />
        {r && (
          <>
            {r.status !== 'sent' && due && (
              <Alert
                type={due.overdue ? 'error' : due.ms < 4 * 3_600_000 ? 'warning' : 'info'}
                header={<span data-testid="countdown">{due.text}</span>}
              >
                Due {fmtTime(r.dueBy)}: 24 hours after FDA asked ({fmtTime(r.requestedAt)}).
              </Alert>
            )}
            {r.status === 'failed' && (
              <Alert type="error" header="The package could not be built">
                {r.error ?? 'The export worker gave up; see its logs.'}
              </Alert>
            )}
            {r.status === 'preparing' && (
              <Progress label="Preparing the package" description="Reading the ledger once and writing the spreadsheet, EPCIS and manifest" />
            )}
            {r.building !== undefined && (
              <Progress
                label={`Building package version ${r.building} with the sign-off`}
                description="The same cut of the ledger; the download below is the previous version until it is done"
              />
            )}
            <Container
              header={
                <Header
                  variant="h2"
                  actions={
                    r.url && (
                      <Button variant="primary" href={r.url} iconName="download" target="_blank" download>
                        Download package (ZIP)
                      </Button>
                    )
                  }
                >
                  Package
                </Header>
              }
            >
              <KeyValuePairs
                columns={3}
                items={[
                  {
                    label: 'Status',
                    value: (
                      <StatusIndicator type={r.status === 'preparing' ? 'loading' : r.status === 'failed' ? 'error' : 'success'}>
                        {r.status}
                      </StatusIndicator>
                    ),
                  },
                  { label: 'Requested by', value: `${r.requestedBy.name}${r.requestedBy.agency ? `, ${r.requestedBy.agency}` : ''}` },
                  {
                    label: 'Scope',
                    value: `${r.from} to ${r.to}${r.gtins?.length ? `; ${r.gtins.join(', ')}` : ''}${r.lots?.length ? `; ${r.lots.map((l) => `${l.gtin}/${l.lot}`).join(', ')}` : ''}`,
                  },
                  { label: 'KDE gaps', value: gaps !== undefined ? String(gaps) : '–' },
                  { label: 'Package version', value: r.version !== undefined ? String(r.version) : '–' },
                  { label: 'Sent', value: r.sent ? `${fmtTime(r.sent.sentAt)} by ${r.sent.channel}${r.sent.note ? ` (${r.sent.note})` : ''}` : '–' },
                ]}
              />
              <Table
                variant="embedded"
                header={<Header variant="h3">Files</Header>}
                items={r.files ?? []}
                trackBy="name"
                empty={<Box textAlign="center">No files yet</Box>}
                columnDefinitions={[
                  { id: 'name', header: 'File', cell: (f) => f.name },
                  { id: 'bytes', header: 'Bytes', cell: (f) => f.bytes.toLocaleString() },
                  { id: 'sha', header: 'SHA-256', cell: (f) => <code title={f.sha256}>{f.sha256.slice(0, 16)}…</code> },
                ]}
              />
            </Container>
            <ForManagers>
              <Container header={<Header variant="h2">Sign-off</Header>}>
                <form
                  onSubmit={(e) => {
                    e.preventDefault();
                    signOff.mutate();
                  }}
                >
                  <SpaceBetween size="s">
                    {r.signOff && (
                      <StatusIndicator type="success">
                        Signed off by {r.signOff.name}, {r.signOff.title} {fmtTime(r.signOff.at)}
                      </StatusIndicator>
                    )}
                    <ColumnLayout columns={2}>
                      <FormField label="Your name">
                        <Input value={name} onChange={(e) => setName(e.detail.value)} ariaLabel="Your name" />
                      </FormField>
                      <FormField label="Your title">
                        <Input value={title} onChange={(e) => setTitle(e.detail.value)} ariaLabel="Your title" />
                      </FormField>
                    </ColumnLayout>
                    <Button formAction="submit" loading={signOff.isPending} disabled={r.status === 'preparing'}>
                      I checked the package: sign off
                    </Button>
                    {signOff.isSuccess && <StatusIndicator type="success">Signed off</StatusIndicator>}
                    <ErrorAlert error={signOff.error} what="sign off" />
                  </SpaceBetween>
                </form>
              </Container>
            </ForManagers>
            <ForManagers>
              <Container header={<Header variant="h2">Sent to FDA</Header>}>
                <form
                  onSubmit={(e) => {
                    e.preventDefault();
                    sent.mutate();
                  }}
                >
                  <SpaceBetween size="s">
                    <ColumnLayout columns={2}>
                      <FormField label="Channel">
                        <Input value={channel} onChange={(e) => setChannel(e.detail.value)} ariaLabel="Channel" />
                      </FormField>
                      <FormField label="Note" description="optional">
                        <Input value={note} onChange={(e) => setNote(e.detail.value)} ariaLabel="Note" />
                      </FormField>
                    </ColumnLayout>
                    <Button formAction="submit" loading={sent.isPending} disabled={r.status === 'preparing'}>
                      Record as sent now
                    </Button>
                    {sent.isSuccess && <StatusIndicator type="success">Recorded as sent</StatusIndicator>}
                    <ErrorAlert error={sent.error} what="record the sending" />
                  </SpaceBetween>
                </form>
              </Container>
            </ForManagers>
            <KdeGaps from={r.from} to={r.to} {...(r.gtins?.length === 1 && r.gtins[0] ? { gtin: r.gtins[0] } : {})} />
          </>
        )}
      </SpaceBetween>
    </ContentLayout>
  );
}
