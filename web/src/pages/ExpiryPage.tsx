import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import ContentLayout from '@cloudscape-design/components/content-layout';
import FormField from '@cloudscape-design/components/form-field';
import Header from '@cloudscape-design/components/header';
import Input from '@cloudscape-design/components/input';
import Select from '@cloudscape-design/components/select';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Table, { type TableProps } from '@cloudscape-design/components/table';
import Tabs from '@cloudscape-design/components/tabs';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useSearchParams } from 'react-router';
import { ErrorAlert, Link } from '../components/ui';
import { post, seg } from '../lib/api';
import { type BoardRow, bySite } from '../lib/expiry-board';
import { fmtQty, today } from '../lib/time';
import type { Expiry } from '../lib/types';

const lotLink = (gtin: string, lot: string) => <Link href={`/console/lots/${seg(gtin)}/${seg(lot)}`}>{lot}</Link>;

/** Expiring, expired and at-risk stock, one row per lot and site, from POST /expiry-checks (the daily check, run now). */
export default function ExpiryPage() {
  const [params, setParams] = useSearchParams();
  const asOf = params.get('asOf') ?? today();
  const [asOfField, setAsOfField] = useState(asOf);
  const [site, setSite] = useState<string>(params.get('site') ?? '');
  const q = useQuery({ queryKey: ['expiry', asOf], queryFn: () => post<Expiry>('/expiry-checks', { asOf }) });
  const board = q.data ? bySite(q.data) : undefined;
  const sites = board
    ? [...new Set([...board.expiring, ...board.expired].map((r) => r.siteId).concat((q.data?.atRisk ?? []).map((r) => r.siteId)))].sort()
    : [];
  const siteOpts = [{ value: '', label: 'All sites' }, ...sites.map((s) => ({ value: s, label: s }))];
  const only = <T extends { siteId: string }>(rows: T[]) => (site ? rows.filter((r) => r.siteId === site) : rows);
  const cols: TableProps.ColumnDefinition<BoardRow>[] = [
    { id: 'site', header: 'Site', cell: (r) => r.siteId },
    { id: 'lot', header: 'Lot', cell: (r) => lotLink(r.gtin, r.lot) },
    { id: 'desc', header: 'Product', cell: (r) => r.description ?? r.gtin },
    { id: 'expiry', header: 'Expiry', cell: (r) => r.expiry },
    { id: 'days', header: 'Days left', cell: (r) => r.daysLeft },
    { id: 'qty', header: 'On hand', cell: (r) => fmtQty(r.quantity) },
  ];
  return (
    <ContentLayout
      header={
        <Header variant="h1" description="Stock to pull, mark down or sell first, by site">
          Expiry board
        </Header>
      }
    >
      <SpaceBetween size="l">
        <form
          onSubmit={(e) => {
            e.preventDefault();
            setParams({ asOf: asOfField, ...(site ? { site } : {}) });
          }}
        >
          <SpaceBetween direction="horizontal" size="s" alignItems="end">
            <FormField label="As of" constraintText="YYYY-MM-DD">
              <Input value={asOfField} onChange={(e) => setAsOfField(e.detail.value)} ariaLabel="As of" />
            </FormField>
            <Button formAction="submit" loading={q.isFetching}>
              Check
            </Button>
            <FormField label="Site">
              <Select
                selectedOption={siteOpts.find((o) => o.value === site) ?? null}
                options={siteOpts}
                onChange={(e) => setSite(e.detail.selectedOption.value ?? '')}
                ariaLabel="Site"
              />
            </FormField>
          </SpaceBetween>
        </form>
        <ErrorAlert error={q.error} what="run the expiry check" />
        {board && q.data && (
          <Tabs
            tabs={[
              {
                id: 'expiring',
                label: `Expiring soon (${only(board.expiring).length})`,
                content: (
                  <Table
                    items={only(board.expiring)}
                    trackBy="key"
                    columnDefinitions={cols}
                    empty={<Box textAlign="center">Nothing expiring soon</Box>}
                  />
                ),
              },
              {
                id: 'expired',
                label: `Expired (${only(board.expired).length})`,
                content: (
                  <Table
                    items={only(board.expired)}
                    trackBy="key"
                    columnDefinitions={cols}
                    empty={<Box textAlign="center">Nothing expired on hand</Box>}
                  />
                ),
              },
              {
                id: 'at-risk',
                label: `At risk (${q.data.atRisk ? only(q.data.atRisk).length : '–'})`,
                content: q.data.atRisk ? (
                  <Table
                    items={only(q.data.atRisk)}
                    trackBy={(r) => `${r.gtin}/${r.lot}/${r.siteId}`}
                    empty={<Box textAlign="center">Nothing at risk</Box>}
                    columnDefinitions={[
                      { id: 'site', header: 'Site', cell: (r) => r.siteId },
                      { id: 'lot', header: 'Lot', cell: (r) => lotLink(r.gtin, r.lot) },
                      { id: 'expiry', header: 'Expiry', cell: (r) => r.expiry },
                      { id: 'days', header: 'Days left', cell: (r) => r.daysLeft },
                      { id: 'onHand', header: 'On hand', cell: (r) => fmtQty(r.onHand) },
                      { id: 'sales', header: 'Sold a day', cell: (r) => fmtQty(r.dailySales) },
                      { id: 'unsold', header: 'Projected unsold', cell: (r) => fmtQty(r.projectedUnsold) },
                    ]}
                  />
                ) : (
                  <Box>This server did not return at-risk stock (`atRisk`) for this check.</Box>
                ),
              },
            ]}
          />
        )}
      </SpaceBetween>
    </ContentLayout>
  );
}
