import Box from '@cloudscape-design/components/box';
import Container from '@cloudscape-design/components/container';
import ContentLayout from '@cloudscape-design/components/content-layout';
import Header from '@cloudscape-design/components/header';
import KeyValuePairs from '@cloudscape-design/components/key-value-pairs';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Table from '@cloudscape-design/components/table';
import { useQuery } from '@tanstack/react-query';
import { useParams } from 'react-router';
import { ErrorAlert, Link } from '../components/ui';
import { get, seg } from '../lib/api';
import { fmtQty, fmtTime } from '../lib/time';
import type { LedgerEntry, Serial } from '../lib/types';

type Warranty = { months: number; startsOn?: string; endsOn?: string; status: string; claims: unknown[] };

export default function SerialPage() {
  const { gtin = '', serial = '' } = useParams();
  const s = useQuery({
    queryKey: ['serial', gtin, serial],
    queryFn: () => get<Serial & { warranty?: Warranty }>(`/serials/${seg(gtin)}/${seg(serial)}`),
  });
  const d = s.data;
  return (
    <ContentLayout
      header={
        <Header variant="h1" description={`GTIN ${gtin}`}>
          Serial {serial}
        </Header>
      }
    >
      <SpaceBetween size="l">
        <ErrorAlert error={s.error} what="read the serial" />
        {d && (
          <>
            <Container>
              <KeyValuePairs
                columns={4}
                items={[
                  { label: 'Status', value: d.status },
                  { label: 'Lot', value: <Link href={`/console/lots/${seg(d.gtin)}/${seg(d.lot)}`}>{d.lot}</Link> },
                  { label: 'Site', value: d.siteId ?? '–' },
                  { label: 'Warranty', value: d.warranty ? `${d.warranty.status}${d.warranty.endsOn ? ` until ${d.warranty.endsOn}` : ''}` : '–' },
                ]}
              />
            </Container>
            <Table
              header={<Header variant="h2">History</Header>}
              items={d.history as LedgerEntry[]}
              trackBy={(e) => `${e.lot}/${e.seq}`}
              empty={<Box textAlign="center">No history</Box>}
              columnDefinitions={[
                { id: 'type', header: 'Type', cell: (e) => e.type },
                { id: 'at', header: 'Occurred', cell: (e) => fmtTime(e.occurredAt) },
                { id: 'site', header: 'Site', cell: (e) => e.site ?? '–' },
                { id: 'cp', header: 'Counterparty', cell: (e) => e.counterparty ?? '–' },
                { id: 'qty', header: 'Quantity', cell: (e) => fmtQty(e.quantity) },
              ]}
            />
          </>
        )}
      </SpaceBetween>
    </ContentLayout>
  );
}
