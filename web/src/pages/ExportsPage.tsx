import Button from '@cloudscape-design/components/button';
import Checkbox from '@cloudscape-design/components/checkbox';
import ColumnLayout from '@cloudscape-design/components/column-layout';
import Container from '@cloudscape-design/components/container';
import ContentLayout from '@cloudscape-design/components/content-layout';
import FormField from '@cloudscape-design/components/form-field';
import Header from '@cloudscape-design/components/header';
import Input from '@cloudscape-design/components/input';
import Select from '@cloudscape-design/components/select';
import SpaceBetween from '@cloudscape-design/components/space-between';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { KdeGaps } from '../components/KdeGaps';
import { ListTable } from '../components/ListTable';
import { ErrorAlert, ForManagers, Link } from '../components/ui';
import { post, seg } from '../lib/api';
import { exportScope } from '../lib/listings';
import { daysAgo, fmtQty, fmtTime, today } from '../lib/time';
import type { ExportSummary } from '../lib/types';

const FORMATS = [
  { value: 'fsma204-xlsx', label: 'FDA sortable spreadsheet (XLSX)' },
  { value: 'fsma204-csv', label: 'FDA sortable spreadsheet (CSV)' },
  { value: 'epcis-jsonld', label: 'GS1 EPCIS 2.0 (JSON-LD)' },
];

export default function ExportsPage() {
  const navigate = useNavigate();
  const [format, setFormat] = useState(FORMATS[0] as { value: string; label: string });
  const [from, setFrom] = useState(daysAgo(30));
  const [to, setTo] = useState(today());
  const [gtin, setGtin] = useState('');
  const [lot, setLot] = useState('');
  const [nonFtl, setNonFtl] = useState(false);
  const m = useMutation({
    mutationFn: () =>
      post<{ exportId: string }>('/exports', {
        format: format.value,
        from,
        to,
        ...(gtin.trim() ? { gtin: gtin.trim() } : {}),
        ...(lot.trim() ? { lot: lot.trim() } : {}),
        ...(nonFtl ? { includeNonFtl: true } : {}),
      }),
    onSuccess: (r) => {
      navigate(`/console/exports/${seg(r.exportId)}`);
    },
  });
  return (
    <ContentLayout
      header={
        <Header variant="h1" description="FSMA 204 records for FDA or a customer, written to the export bucket with a checksum">
          Exports
        </Header>
      }
    >
      <SpaceBetween size="l">
        <ForManagers>
          <Container header={<Header variant="h2">New export</Header>}>
            <form
              onSubmit={(e) => {
                e.preventDefault();
                m.mutate();
              }}
            >
              <SpaceBetween size="m">
                <ColumnLayout columns={3}>
                  <FormField label="Format">
                    <Select
                      selectedOption={format}
                      options={FORMATS}
                      onChange={(e) => setFormat(e.detail.selectedOption as typeof format)}
                      ariaLabel="Format"
                    />
                  </FormField>
                  <FormField label="From" constraintText="YYYY-MM-DD">
                    <Input value={from} onChange={(e) => setFrom(e.detail.value)} ariaLabel="From" />
                  </FormField>
                  <FormField label="To" constraintText="YYYY-MM-DD">
                    <Input value={to} onChange={(e) => setTo(e.detail.value)} ariaLabel="To" />
                  </FormField>
                  <FormField label="GTIN" description="optional">
                    <Input value={gtin} onChange={(e) => setGtin(e.detail.value)} ariaLabel="Export GTIN" />
                  </FormField>
                  <FormField label="Lot" description="optional, with a GTIN">
                    <Input value={lot} onChange={(e) => setLot(e.detail.value)} ariaLabel="Export lot" />
                  </FormField>
                  <Checkbox checked={nonFtl} onChange={(e) => setNonFtl(e.detail.checked)}>
                    Include products not on the Food Traceability List
                  </Checkbox>
                </ColumnLayout>
                <Button variant="primary" formAction="submit" loading={m.isPending}>
                  Export
                </Button>
                <ErrorAlert error={m.error} what="start the export" />
              </SpaceBetween>
            </form>
          </Container>
        </ForManagers>
        <ListTable<ExportSummary>
          base="/exports"
          title="All exports"
          description="Every export the API holds, newest first"
          what="exports"
          statuses={['pending', 'running', 'complete', 'failed']}
          trackBy="exportId"
          empty="No exports"
          columns={[
            {
              id: 'id',
              header: 'Export',
              cell: (r) => <Link href={`/console/exports/${seg(r.exportId)}`}>{r.exportId}</Link>,
              isRowHeader: true,
            },
            { id: 'format', header: 'Format', cell: (r) => FORMATS.find((f) => f.value === r.format)?.label ?? r.format },
            { id: 'status', header: 'Status', cell: (r) => (r.error ? `${r.status}: ${r.error}` : r.status) },
            { id: 'scope', header: 'Scope', cell: (r) => exportScope(r.request) },
            { id: 'rows', header: 'Rows', cell: (r) => fmtQty(r.rowCount) },
            { id: 'created', header: 'Created', cell: (r) => fmtTime(r.createdAt) },
          ]}
        />
        <KdeGaps from={from} to={to} {...(gtin.trim() ? { gtin: gtin.trim() } : {})} />
      </SpaceBetween>
    </ContentLayout>
  );
}
