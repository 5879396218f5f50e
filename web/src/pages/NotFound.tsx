import Box from '@cloudscape-design/components/box';
import Header from '@cloudscape-design/components/header';
import { Link } from '../components/ui';

export function NotFound() {
  return (
    <Box padding="l">
      <Header variant="h1">No such page</Header>
      <p>
        The console has no page at this address. <Link href="/">Search for a lot</Link>.
      </p>
    </Box>
  );
}
