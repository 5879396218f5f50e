import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import Container from '@cloudscape-design/components/container';
import ContentLayout from '@cloudscape-design/components/content-layout';
import FormField from '@cloudscape-design/components/form-field';
import Header from '@cloudscape-design/components/header';
import Input from '@cloudscape-design/components/input';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Table from '@cloudscape-design/components/table';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { ForManagers, Link } from '../components/ui';
import { seg } from '../lib/api';
import { recent } from '../lib/recent';
import { fmtTime } from '../lib/time';

export default function RecallsPage() {
  const navigate = useNavigate();
  const [id, setId] = useState('');
  const items = recent('recalls');
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
        <Table
          header={
            <Header variant="h2" description="The API lists no recalls; these are the ones started from this browser">
              Recent recalls
            </Header>
          }
          items={items}
          trackBy="id"
          empty={<Box textAlign="center">None started from this browser yet</Box>}
          columnDefinitions={[
            { id: 'id', header: 'Recall', cell: (r) => <Link href={`/console/recalls/${seg(r.id)}`}>{r.id}</Link> },
            { id: 'label', header: 'What', cell: (r) => r.label },
            { id: 'at', header: 'Started', cell: (r) => fmtTime(r.at) },
          ]}
        />
      </SpaceBetween>
    </ContentLayout>
  );
}
