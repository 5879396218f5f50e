import Button from '@cloudscape-design/components/button';
import Container from '@cloudscape-design/components/container';
import ContentLayout from '@cloudscape-design/components/content-layout';
import Header from '@cloudscape-design/components/header';
import KeyValuePairs from '@cloudscape-design/components/key-value-pairs';
import SpaceBetween from '@cloudscape-design/components/space-between';
import StatusIndicator from '@cloudscape-design/components/status-indicator';
import { useQuery } from '@tanstack/react-query';
import { useParams } from 'react-router';
import { ErrorAlert, Link, Progress } from '../components/ui';
import { get, seg } from '../lib/api';
import { fmtTime } from '../lib/time';
import { type ExportJob, kdeGapCount } from '../lib/types';

const done = (j: ExportJob | undefined) => j?.status === 'complete' || j?.status === 'failed';

export default function ExportPage() {
  const { exportId = '' } = useParams();
  const q = useQuery({
    queryKey: ['export', exportId],
    queryFn: () => get<ExportJob>(`/exports/${seg(exportId)}`),
    refetchInterval: (s) => (done(s.state.data) ? false : 1000),
  });
  const j = q.data;
  const gaps = kdeGapCount(j?.kdeGaps ?? (j?.manifest as { kdeGaps?: number } | undefined)?.kdeGaps);
  return (
    <ContentLayout
      header={
        <Header variant="h1" description={<Link href="/console/exports">All exports</Link>}>
          Export {exportId}
        </Header>
      }
    >
      <SpaceBetween size="l">
        <ErrorAlert error={q.error} what="read the export" />
        {j && !done(j) && <Progress label={`Export ${j.status}`} description="The export worker writes the file; this page follows it" />}
        {j && (
          <Container
            header={
              <Header
                variant="h2"
                actions={
                  j.url && (
                    <Button variant="primary" href={j.url} iconName="download" target="_blank" download>
                      Download
                    </Button>
                  )
                }
              >
                {j.status === 'complete' ? (
                  <StatusIndicator type="success">Complete</StatusIndicator>
                ) : j.status === 'failed' ? (
                  <StatusIndicator type="error">Failed</StatusIndicator>
                ) : (
                  j.status
                )}
              </Header>
            }
          >
            <KeyValuePairs
              columns={3}
              items={[
                { label: 'Format', value: j.format },
                {
                  label: 'Scope',
                  value: `${j.request.from} to ${j.request.to}${j.request.gtin ? `, ${j.request.gtin}` : ''}${j.request.lot ? ` / ${j.request.lot}` : ''}`,
                },
                { label: 'Rows', value: j.rowCount !== undefined ? String(j.rowCount) : '–' },
                { label: 'KDE gaps', value: gaps !== undefined ? String(gaps) : '–' },
                { label: 'SHA-256', value: j.sha256 ? <code>{j.sha256}</code> : '–' },
                { label: 'Object', value: `s3://${j.bucket}/${j.key}` },
                { label: 'Requested', value: fmtTime(j.createdAt) },
                { label: 'Completed', value: fmtTime(j.completedAt) },
                { label: 'Link valid until', value: fmtTime(j.urlExpiresAt) },
                ...(j.error ? [{ label: 'Error', value: j.error }] : []),
              ]}
            />
          </Container>
        )}
      </SpaceBetween>
    </ContentLayout>
  );
}
