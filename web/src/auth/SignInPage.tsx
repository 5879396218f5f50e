import Alert from '@cloudscape-design/components/alert';
import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import Container from '@cloudscape-design/components/container';
import Header from '@cloudscape-design/components/header';
import SpaceBetween from '@cloudscape-design/components/space-between';
import '@cloudscape-design/global-styles/index.css';
import { useState } from 'react';

/** Shown instead of the console until the user has signed in (a cloud build only). */
export default function SignInPage({ error, signIn, signOut }: { error?: string; signIn: () => Promise<void>; signOut: () => void }) {
  const [going, setGoing] = useState(false);
  return (
    <main style={{ maxWidth: 520, margin: '10vh auto', padding: '0 1rem' }}>
      <Container header={<Header variant="h1">lotledger console</Header>}>
        <SpaceBetween size="m">
          {error && (
            <Alert type="error" header="Not signed in">
              {error}
            </Alert>
          )}
          <Box>Sign in with your lotledger account (email, password and authenticator code).</Box>
          <SpaceBetween direction="horizontal" size="s">
            <Button
              variant="primary"
              loading={going}
              onClick={() => {
                setGoing(true);
                void signIn();
              }}
            >
              Sign in
            </Button>
            {error && <Button onClick={signOut}>Sign out</Button>}
          </SpaceBetween>
        </SpaceBetween>
      </Container>
    </main>
  );
}
