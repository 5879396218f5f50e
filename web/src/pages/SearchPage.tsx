import Alert from '@cloudscape-design/components/alert';
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
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import { ErrorAlert, Link } from '../components/ui';
import { get, seg } from '../lib/api';
import { gtinOf, interpretSearch } from '../lib/search';
import { fmtQty } from '../lib/time';
import type { LotReport } from '../lib/types';

const lotHref = (gtin: string, lot: string) => `/console/lots/${seg(gtin)}/${seg(lot)}`;
const GS = '\u001d';

/**
 * Lot search. The first box takes whatever a keyboard-wedge scanner types (its element string, FNC1 as GS, then Enter),
 * the bracketed text under a barcode, a Digital Link or a bare GTIN; the second form takes GTIN and lot or serial.
 */
export default function SearchPage() {
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const gtinParam = params.get('gtin') ?? '';
  const [scan, setScan] = useState('');
  const [message, setMessage] = useState<string | null>(null);
  const [gtin, setGtin] = useState(gtinParam);
  const [lot, setLot] = useState('');
  const [serial, setSerial] = useState('');
  const [fieldError, setFieldError] = useState<string | null>(null);

  const lots = useQuery({
    queryKey: ['reports-lots', gtinParam],
    queryFn: () => get<LotReport>(`/reports/lots?gtin=${seg(gtinParam)}&limit=200`),
    enabled: gtinParam !== '',
  });

  const onScan = () => {
    const t = interpretSearch(scan, new Date());
    setMessage(null);
    if (t.kind === 'empty') return setMessage('Scan a barcode or type a GTIN first.');
    if (t.kind === 'error') return setMessage(t.message);
    if (t.kind === 'lot') return navigate(lotHref(t.gtin, t.lot));
    if (t.kind === 'serial') return navigate(`/console/serials/${seg(t.gtin)}/${seg(t.serial)}`);
    if (t.kind === 'gtin') {
      setGtin(t.gtin);
      return setParams({ gtin: t.gtin });
    }
    setLot(t.code);
    setMessage(`"${t.code}" is not a barcode or a GTIN. If it is a lot code or a serial number, enter its product's GTIN below.`);
  };

  const onFields = () => {
    setFieldError(null);
    const g = gtinOf(gtin);
    if (!g.ok) return setFieldError(g.message);
    if (lot.trim()) return navigate(lotHref(g.gtin, lot.trim()));
    if (serial.trim()) return navigate(`/console/serials/${seg(g.gtin)}/${seg(serial.trim())}`);
    setParams({ gtin: g.gtin });
  };

  return (
    <ContentLayout
      header={
        <Header variant="h1" description="Find a lot by scanning its label, or by GTIN and lot or serial">
          Lot search
        </Header>
      }
    >
      <SpaceBetween size="l">
        <Container header={<Header variant="h2">Scan</Header>}>
          <form
            onSubmit={(e) => {
              e.preventDefault();
              onScan();
            }}
          >
            <SpaceBetween size="s">
              <FormField
                label="Barcode or GTIN"
                description="Scan with a keyboard-wedge scanner (it ends with Enter), paste the text under a barcode such as (01)00614141000012(10)RMN-001, or type a GTIN. Ctrl+] types the FNC1 separator."
                {...(message ? { errorText: message } : {})}
              >
                <Input
                  autoFocus
                  value={scan}
                  ariaLabel="Barcode or GTIN"
                  placeholder="(01)00614141000012(10)RMN-001"
                  onChange={(e) => setScan(e.detail.value)}
                  onKeyDown={(e) => {
                    // Scanners and people without one: Ctrl+] is the ASCII 29 (GS) separator of GS1 element strings.
                    if (e.detail.ctrlKey && e.detail.key === ']') {
                      e.preventDefault();
                      setScan((s) => s + GS);
                    }
                  }}
                />
              </FormField>
              <Button variant="primary" formAction="submit">
                Find
              </Button>
            </SpaceBetween>
          </form>
        </Container>
        <Container header={<Header variant="h2">By GTIN and lot or serial</Header>}>
          <form
            onSubmit={(e) => {
              e.preventDefault();
              onFields();
            }}
          >
            <SpaceBetween size="s">
              <ColumnLayout columns={3}>
                <FormField label="GTIN" {...(fieldError ? { errorText: fieldError } : {})}>
                  <Input value={gtin} inputMode="numeric" ariaLabel="GTIN" onChange={(e) => setGtin(e.detail.value)} />
                </FormField>
                <FormField label="Lot" description="optional">
                  <Input value={lot} ariaLabel="Lot" onChange={(e) => setLot(e.detail.value)} />
                </FormField>
                <FormField label="Serial" description="optional, instead of a lot">
                  <Input value={serial} ariaLabel="Serial" onChange={(e) => setSerial(e.detail.value)} />
                </FormField>
              </ColumnLayout>
              <Button formAction="submit">Search</Button>
            </SpaceBetween>
          </form>
        </Container>
        {gtinParam && (
          <SpaceBetween size="s">
            <ErrorAlert error={lots.error} what="list the lots of this GTIN" />
            <Table
              header={
                <Header variant="h2" counter={lots.data ? `(${lots.data.lots.length})` : ''}>
                  Lots of {gtinParam}
                </Header>
              }
              loading={lots.isLoading}
              loadingText="Reading the lots"
              items={lots.data?.lots ?? []}
              sortingDisabled
              empty={<Box textAlign="center">No lots of this GTIN</Box>}
              columnDefinitions={[
                { id: 'lot', header: 'Lot', cell: (l) => <Link href={lotHref(gtinParam, l.lot)}>{l.lot}</Link> },
                { id: 'expiry', header: 'Expiry', cell: (l) => l.expiry ?? '–' },
                { id: 'received', header: 'Received', cell: (l) => fmtQty(l.received) },
                { id: 'sold', header: 'Sold', cell: (l) => fmtQty(l.sold) },
                { id: 'returned', header: 'Returned', cell: (l) => fmtQty(l.returned) },
              ]}
            />
          </SpaceBetween>
        )}
        <Alert type="info" header="Try the demo">
          With <code>npm start -- --demo</code>, scan <code>(01)00614141000012(10)RMN-001</code> (romaine hearts) or type the GTIN{' '}
          <code>00614141000036</code> (salad kits).
        </Alert>
      </SpaceBetween>
    </ContentLayout>
  );
}
