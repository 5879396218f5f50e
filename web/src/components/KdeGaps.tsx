import Box from '@cloudscape-design/components/box';
import Header from '@cloudscape-design/components/header';
import Pagination from '@cloudscape-design/components/pagination';
import Table from '@cloudscape-design/components/table';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { get, seg } from '../lib/api';
import type { KdeGap } from '../lib/types';
import { ErrorAlert, PAGE_LABELS } from './ui';

const PAGE = 20;

/** GET /compliance/kde-gaps: the records that lack a FSMA 204 key data element, and why it is needed. */
export function KdeGaps({ from, to, gtin }: { from: string; to: string; gtin?: string }) {
  const [page, setPage] = useState(1);
  const q = useQuery({
    queryKey: ['kde-gaps', from, to, gtin ?? ''],
    queryFn: () => get<{ items: KdeGap[]; total: number }>(`/compliance/kde-gaps?from=${seg(from)}&to=${seg(to)}${gtin ? `&gtin=${seg(gtin)}` : ''}`),
    enabled: Boolean(from && to),
  });
  // a Transformation has one row per input lot under the same eventId and new lot, so rows are keyed by position
  const items = (q.data?.items ?? []).map((g, row) => ({ ...g, row }));
  return (
    <>
      <ErrorAlert error={q.error} what="KDE gaps" />
      {!q.error && (
        <Table
          header={
            <Header
              variant="h2"
              counter={q.data ? `(${q.data.total})` : ''}
              description={`Records from ${from} to ${to} that lack a key data element`}
            >
              KDE gaps
            </Header>
          }
          loading={q.isLoading}
          loadingText="Checking the records"
          items={items.slice((page - 1) * PAGE, page * PAGE)}
          trackBy={(g) => String(g.row)}
          empty={<Box textAlign="center">No gaps: every record has its KDEs</Box>}
          pagination={
            <Pagination
              ariaLabels={PAGE_LABELS}
              currentPageIndex={page}
              pagesCount={Math.max(1, Math.ceil(items.length / PAGE))}
              onChange={(e) => setPage(e.detail.currentPageIndex)}
            />
          }
          columnDefinitions={[
            { id: 'cte', header: 'CTE', cell: (g) => g.cte },
            { id: 'lot', header: 'Lot', cell: (g) => `${g.gtin} / ${g.lot}` },
            { id: 'event', header: 'Event', cell: (g) => g.eventId },
            { id: 'missing', header: 'Missing', cell: (g) => g.missing.join(', ') },
            { id: 'why', header: 'Why it is needed', cell: (g) => g.why },
          ]}
        />
      )}
    </>
  );
}
