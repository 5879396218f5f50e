import Alert from '@cloudscape-design/components/alert';
import CloudscapeLink, { type LinkProps } from '@cloudscape-design/components/link';
import ProgressBar from '@cloudscape-design/components/progress-bar';
import StatusIndicator from '@cloudscape-design/components/status-indicator';
import type { ReactNode } from 'react';
import { useNavigate } from 'react-router';
import { useAccess } from '../lib/access';
import { notBuilt, wordsOf } from '../lib/api';

/** A Cloudscape link that moves within the console without reloading it (and is a plain link to the keyboard and to screen readers). */
export function Link({ href, children, ...rest }: { href: string; children: ReactNode } & Omit<LinkProps, 'href' | 'onFollow'>) {
  const navigate = useNavigate();
  return (
    <CloudscapeLink
      {...rest}
      href={href}
      onFollow={(e) => {
        if (!rest.external) {
          e.preventDefault();
          navigate(href);
        }
      }}
    >
      {children}
    </CloudscapeLink>
  );
}

/** The API's error in words; a route this server does not have yet is said as such rather than as an error. */
export function ErrorAlert({ error, what }: { error: unknown; what?: string }) {
  if (!error) return null;
  if (notBuilt(error)) {
    return (
      <Alert type="info" header={`${what ?? 'This feature'} is not available on this server yet`}>
        The API answered that it has no such route ({wordsOf(error)}). The console shows it as soon as the API has it.
      </Alert>
    );
  }
  return (
    <Alert type="error" header={what ? `Could not ${what}` : 'The API refused'}>
      {wordsOf(error)}
    </Alert>
  );
}

/** Work that takes a while: said in words and, where the API gives a share, as a bar. */
export function Progress({ label, value, description }: { label: string; value?: number; description?: string }) {
  return (
    <output aria-live="polite" style={{ display: 'block' }}>
      {value !== undefined ? (
        <ProgressBar label={label} value={value} {...(description ? { description } : {})} />
      ) : (
        <StatusIndicator type="loading">
          {label}
          {description ? `: ${description}` : ''}
        </StatusIndicator>
      )}
    </output>
  );
}

/** Words for a Cloudscape Pagination's arrows and pages (without them its buttons have no name). */
export const PAGE_LABELS = {
  nextPageLabel: 'Next page',
  previousPageLabel: 'Previous page',
  pageLabel: (n: number) => `Page ${n}`,
  paginationLabel: 'Pages',
};

/**
 * What only the compliance and quality groups may do (their IAM roles may; a store's may not): shown to them, and on
 * the local server; to a store user, `instead` (or nothing).
 */
export function ForManagers({ children, instead }: { children: ReactNode; instead?: ReactNode }) {
  const { mayManage } = useAccess();
  return <>{mayManage ? children : (instead ?? null)}</>;
}

export const MANAGERS_ONLY = 'Only the compliance and quality groups do this; you are signed in as a store user.';
