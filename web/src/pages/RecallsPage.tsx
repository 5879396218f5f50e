import Button from '@cloudscape-design/components/button';
import Container from '@cloudscape-design/components/container';
import ContentLayout from '@cloudscape-design/components/content-layout';
import FormField from '@cloudscape-design/components/form-field';
import Header from '@cloudscape-design/components/header';
import Input from '@cloudscape-design/components/input';
import SpaceBetween from '@cloudscape-design/components/space-between';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { ListTable } from '../components/ListTable';
import { ForManagers, Link } from '../components/ui';
import { seg } from '../lib/api';
import { lotsText } from '../lib/listings';
import { fmtTime } from '../lib/time';
import type { RecallSummary } from '../lib/types';

export default function RecallsPage() {
  const navigate = useNavigate();
  const [id, setId] = useState('');
  return (
    <ContentLayout
      header={
        <Header
          variant="h1"
          description="Start a recall or a drill (a mock recall: the same blast radius, nothing sent, nothing changed), and follow one to its close"
          actions={
            <ForManagers>
              <SpaceBetween direction="horizontal" size="xs">
                <Button onClick={() => navigate('/console/recalls/new?mock=true')}>Run a drill</Button>
                <Button variant="primary" onClick={() => navigate('/console/recalls/new')}>
                  Start a recall
                </Button>
              </SpaceBetween>
            </ForManagers>
          }
        >
          Recalls
        </Header>
      }
    >
      <SpaceBetween size="l">
        <Container header={<Header variant="h2">Open a recall by its id</Header>}>
          <form
            onSubmit={(e) => {
              e.preventDefault();
              if (id.trim()) navigate(`/console/recalls/${seg(id.trim())}`);
            }}
          >
            <SpaceBetween direction="horizontal" size="xs" alignItems="end">
              <FormField label="Recall id">
                <Input value={id} onChange={(e) => setId(e.detail.value)} ariaLabel="Recall id" />
              </FormField>
              <Button formAction="submit">Open</Button>
            </SpaceBetween>
          </form>
        </Container>
        <ListTable<RecallSummary>
          base="/recalls"
          title="All recalls"
          description="Every recall the API holds, newest first (drills are not kept)"
          what="recalls"
          statuses={['creating', 'notifying', 'active', 'closed']}
          trackBy="recallId"
          empty="No recalls"
          columns={[
            {
              id: 'id',
              header: 'Recall',
              cell: (r) => <Link href={`/console/recalls/${seg(r.recallId)}`}>{r.recallId}</Link>,
              isRowHeader: true,
            },
            { id: 'class', header: 'Class', cell: (r) => `Class ${r.classification}` },
            { id: 'status', header: 'Status', cell: (r) => r.status },
            { id: 'reason', header: 'Reason', cell: (r) => r.reason },
            { id: 'lots', header: 'Lots', cell: (r) => lotsText(r.lots) },
            { id: 'notices', header: 'Notices', cell: (r) => r.noticesTotal },
            { id: 'issued', header: 'Issued', cell: (r) => fmtTime(r.issuedAt) },
          ]}
        />
      </SpaceBetween>
    </ContentLayout>
  );
}
