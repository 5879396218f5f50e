import Box from '@cloudscape-design/components/box';
import Header from '@cloudscape-design/components/header';
import Pagination from '@cloudscape-design/components/pagination';
import Table from '@cloudscape-design/components/table';
import { useInfiniteQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { get, seg } from '../lib/api';
import type { KdeGap } from '../lib/types';
import { ErrorAlert, PAGE_LABELS } from './ui';

const PAGE = 20;
/** Rows asked of the API at a time; further pages are fetched (by `nextCursor`) as the table is paged to them. */
export const FETCH = 200;

type GapsPage = { items: KdeGap[]; total: number; nextCursor?: string };

/** GET /compliance/kde-gaps: the records that lack a FSMA 204 key data element, and why it is needed. */
export function KdeGaps({ from, to, gtin }: { from: string; to: string; gtin?: string }) {
  const [page, setPage] = useState(1);
  const q = useInfiniteQuery({
    queryKey: ['kde-gaps', from, to, gtin ?? ''],
    queryFn: ({ pageParam }) =>
      get<GapsPage>(
        `/compliance/kde-gaps?from=${seg(from)}&to=${seg(to)}${gtin ? `&gtin=${seg(gtin)}` : ''}&limit=${FETCH}${pageParam ? `&cursor=${seg(pageParam)}` : ''}`,
      ),
    initialPageParam: '',
    getNextPageParam: (last) => last.nextCursor,
    enabled: Boolean(from && to),
  });
  // a Transformation has one row per input lot under the same eventId and new lot, so rows are keyed by position
  const items = (q.data?.pages ?? []).flatMap((p) => p.items).map((g, row) => ({ ...g, row }));
  const total = q.data?.pages[0]?.total;
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = q;
  // The table pages over `total`; the rows of a page not fetched yet come with the next API page.
  useEffect(() => {
    if (page * PAGE > items.length && hasNextPage && !isFetchingNextPage) void fetchNextPage();
  }, [page, items.length, hasNextPage, isFetchingNextPage, fetchNextPage]);
  const shown = items.slice((page - 1) * PAGE, page * PAGE);
  return (
    <>
      <ErrorAlert error={q.error} what="KDE gaps" />
      {!q.error && (
        <Table
          header={
            <Header
              variant="h2"
              counter={total !== undefined ? `(${total})` : ''}
              description={`Records from ${from} to ${to} that lack a key data element`}
            >
              KDE gaps
            </Header>
          }
          loading={q.isLoading || (shown.length === 0 && isFetchingNextPage)}
          loadingText="Checking the records"
          items={shown}
          trackBy={(g) => String(g.row)}
          empty={<Box textAlign="center">No gaps: every record has its KDEs</Box>}
          // the lists of missing KDEs wrap: a table wider than the page is a scrolling region with nothing a keyboard
          // can focus in it (axe: scrollable-region-focusable), which failed the exports page once its gaps were long
          wrapLines
          pagination={
            <Pagination
              ariaLabels={PAGE_LABELS}
              currentPageIndex={page}
              pagesCount={Math.max(1, Math.ceil((total ?? items.length) / PAGE))}
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
