import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import FormField from '@cloudscape-design/components/form-field';
import Header from '@cloudscape-design/components/header';
import Select from '@cloudscape-design/components/select';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Table, { type TableProps } from '@cloudscape-design/components/table';
import { useInfiniteQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { get } from '../lib/api';
import { listPath } from '../lib/listings';
import { ErrorAlert } from './ui';

type Opt = { value: string; label: string };

/** A list of the API (GET /recalls, GET /exports): newest first, filtered by status, a page more on "Load more". */
export function ListTable<T>(props: {
  base: '/recalls' | '/exports';
  title: string;
  description: string;
  what: string;
  statuses: string[];
  trackBy: TableProps<T>['trackBy'];
  columns: TableProps<T>['columnDefinitions'];
  empty: string;
}) {
  const all: Opt = { value: '', label: 'Any status' };
  const [status, setStatus] = useState<Opt>(all);
  const q = useInfiniteQuery({
    queryKey: [props.base, status.value],
    queryFn: ({ pageParam }) =>
      get<{ items: T[]; nextCursor?: string }>(listPath(props.base, { status: status.value, ...(pageParam ? { cursor: pageParam } : {}) })),
    initialPageParam: '',
    getNextPageParam: (last) => last.nextCursor,
    refetchInterval: 30_000,
  });
  const items = (q.data?.pages ?? []).flatMap((p) => p.items);
  return (
    <SpaceBetween size="s">
      <ErrorAlert error={q.error} what={`list the ${props.what}`} />
      <Table
        header={
          <Header variant="h2" description={props.description}>
            {props.title}
          </Header>
        }
        filter={
          <FormField label="Status">
            <Select
              selectedOption={status}
              options={[all, ...props.statuses.map((s) => ({ value: s, label: s }))]}
              onChange={(e) => setStatus(e.detail.selectedOption as Opt)}
              ariaLabel={`Status of the ${props.what}`}
            />
          </FormField>
        }
        loading={q.isLoading}
        loadingText={`Reading the ${props.what}`}
        items={q.error ? [] : items}
        trackBy={props.trackBy}
        empty={<Box textAlign="center">{q.error ? `The ${props.what} could not be read` : props.empty}</Box>}
        columnDefinitions={props.columns}
        // long cells (an export's error, a recall's reason) wrap: a table wider than the page is a scrolling region
        // a keyboard cannot reach (axe: scrollable-region-focusable)
        wrapLines
        footer={
          q.hasNextPage ? (
            <Box textAlign="center">
              <Button onClick={() => void q.fetchNextPage()} loading={q.isFetchingNextPage}>
                Load more
              </Button>
            </Box>
          ) : undefined
        }
      />
    </SpaceBetween>
  );
}
