import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import ColumnLayout from '@cloudscape-design/components/column-layout';
import Container from '@cloudscape-design/components/container';
import ContentLayout from '@cloudscape-design/components/content-layout';
import FormField from '@cloudscape-design/components/form-field';
import Header from '@cloudscape-design/components/header';
import Input from '@cloudscape-design/components/input';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Table from '@cloudscape-design/components/table';
import Textarea from '@cloudscape-design/components/textarea';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { ErrorAlert, ForManagers, Link } from '../components/ui';
import { get, post, seg } from '../lib/api';
import { countdown, daysAgo, nowInstant, today } from '../lib/time';
import type { FdaRequest } from '../lib/types';

/** GTINs and lots typed one a line: a bare GTIN names a food, `GTIN/lot` one lot of it. */
export function scopeOf(text: string): { gtins: string[]; lots: { gtin: string; lot: string }[] } {
  const gtins: string[] = [];
  const lots: { gtin: string; lot: string }[] = [];
  for (const line of text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)) {
    const m = /^(\d{8,14})(?:[\s/]+(.+))?$/.exec(line);
    if (m?.[2]) lots.push({ gtin: m[1] as string, lot: m[2].trim() });
    else gtins.push(m?.[1] ?? line);
  }
  return { gtins, lots };
}

export default function FdaRequestsPage() {
  const navigate = useNavigate();
  const list = useQuery({ queryKey: ['fda-requests'], queryFn: () => get<{ items: FdaRequest[] }>('/fda-requests'), refetchInterval: 30_000 });
  const [reference, setReference] = useState('');
  const [requestedAt, setRequestedAt] = useState(() => nowInstant());
  const [name, setName] = useState('');
  const [agency, setAgency] = useState('FDA');
  const [email, setEmail] = useState('');
  const [from, setFrom] = useState(daysAgo(30));
  const [to, setTo] = useState(today());
  const [scope, setScope] = useState('');
  const m = useMutation({
    mutationFn: () => {
      const s = scopeOf(scope);
      return post<FdaRequest>('/fda-requests', {
        reference,
        requestedAt: requestedAt.trim(),
        requestedBy: { name, ...(agency.trim() ? { agency } : {}), ...(email.trim() ? { email } : {}) },
        from,
        to,
        ...(s.gtins.length ? { gtins: s.gtins } : {}),
        ...(s.lots.length ? { lots: s.lots } : {}),
      });
    },
    onSuccess: (r) => navigate(`/console/fda-requests/${seg(r.requestId)}`),
  });
  const now = new Date();
  return (
    <ContentLayout
      header={
        <Header variant="h1" description="The 24-hour response of 21 CFR 1.1455(c): the records FDA asks for, checked and signed off">
          FDA requests
        </Header>
      }
    >
      <SpaceBetween size="l">
        <ErrorAlert error={list.error} what="FDA requests" />
        {!list.error && (
          <Table
            header={<Header variant="h2">Requests, open first</Header>}
            loading={list.isLoading}
            loadingText="Reading the requests"
            items={list.data?.items ?? []}
            trackBy="requestId"
            empty={<Box textAlign="center">No requests</Box>}
            columnDefinitions={[
              { id: 'ref', header: 'Reference', cell: (r) => <Link href={`/console/fda-requests/${seg(r.requestId)}`}>{r.reference}</Link> },
              { id: 'status', header: 'Status', cell: (r) => r.status },
              { id: 'due', header: 'Due', cell: (r) => (r.status === 'sent' ? 'sent' : countdown(r.dueBy, now).text) },
              { id: 'scope', header: 'Scope', cell: (r) => `${r.from} to ${r.to}` },
            ]}
          />
        )}
        <ForManagers>
          <Container header={<Header variant="h2">Record a request</Header>}>
            <form
              onSubmit={(e) => {
                e.preventDefault();
                m.mutate();
              }}
            >
              <SpaceBetween size="m">
                <ColumnLayout columns={3}>
                  <FormField label="FDA reference">
                    <Input value={reference} onChange={(e) => setReference(e.detail.value)} ariaLabel="FDA reference" />
                  </FormField>
                  <FormField
                    label="Requested at"
                    description="an instant with its offset; the 24 hours run from here"
                    constraintText="like 2026-03-01T14:05:00-05:00"
                  >
                    <Input value={requestedAt} onChange={(e) => setRequestedAt(e.detail.value)} ariaLabel="Requested at" />
                  </FormField>
                  <FormField label="Requested by">
                    <Input value={name} onChange={(e) => setName(e.detail.value)} ariaLabel="Requested by" />
                  </FormField>
                  <FormField label="Agency" description="optional">
                    <Input value={agency} onChange={(e) => setAgency(e.detail.value)} ariaLabel="Agency" />
                  </FormField>
                  <FormField label="Requester email" description="optional">
                    <Input value={email} type="email" onChange={(e) => setEmail(e.detail.value)} ariaLabel="Requester email" />
                  </FormField>
                  <span />
                  <FormField label="From" constraintText="YYYY-MM-DD">
                    <Input value={from} onChange={(e) => setFrom(e.detail.value)} ariaLabel="From" />
                  </FormField>
                  <FormField label="To" constraintText="YYYY-MM-DD">
                    <Input value={to} onChange={(e) => setTo(e.detail.value)} ariaLabel="To" />
                  </FormField>
                </ColumnLayout>
                <FormField label="Foods and lots" description="optional, one a line: a GTIN, or GTIN/lot">
                  <Textarea value={scope} rows={3} onChange={(e) => setScope(e.detail.value)} ariaLabel="Foods and lots" />
                </FormField>
                <Button variant="primary" formAction="submit" loading={m.isPending}>
                  Prepare the package
                </Button>
                <ErrorAlert error={m.error} what="record the request" />
              </SpaceBetween>
            </form>
          </Container>
        </ForManagers>
      </SpaceBetween>
    </ContentLayout>
  );
}
