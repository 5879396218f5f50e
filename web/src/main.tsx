import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { lazy, type ReactNode, StrictMode, Suspense } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { type Access, AccessContext, LOCAL_ACCESS, mayManage } from './lib/access';
import { ApiError, configureApi } from './lib/api';
import { loadConfig } from './lib/config';

const queries = new QueryClient({
  defaultOptions: {
    queries: {
      // A 4xx is an answer (unknown lot, route not built), not a hiccup to retry.
      retry: (n, e) => !(e instanceof ApiError && e.status >= 400 && e.status < 500) && n < 2,
      refetchOnWindowFocus: false,
      staleTime: 5_000,
    },
  },
});

const SignInPage = lazy(() => import('./auth/SignInPage'));

/**
 * The console as this deployment has it. No config.json naming a user pool (the local server): the app as it always
 * was, same origin, unsigned. With one (the cloud): the API's URL from it, and, except on the public acknowledgement
 * page, Cognito sign-in with signed API calls; the sign-in code is its own chunk, loaded only then.
 */
async function start(): Promise<{ access: Access; page: ReactNode }> {
  const config = await loadConfig().catch((e: unknown) => {
    throw new Error(`The console's config.json is broken: ${e instanceof Error ? e.message : String(e)}`);
  });
  if (!config) return { access: LOCAL_ACCESS, page: <App /> };
  configureApi({ baseUrl: config.apiUrl });
  if (location.pathname.startsWith('/ack/')) return { access: LOCAL_ACCESS, page: <App /> };
  const { startSession } = await import('./auth/session');
  const session = await startSession(config);
  if (session.kind === 'signed-out')
    return {
      access: LOCAL_ACCESS,
      page: (
        <Suspense fallback={<p>Loading…</p>}>
          <SignInPage {...(session.error ? { error: session.error } : {})} signIn={session.signIn} signOut={session.signOut} />
        </Suspense>
      ),
    };
  configureApi({ fetch: session.fetch });
  return {
    access: { signedIn: true, user: session.user, groups: session.groups, mayManage: mayManage(session.groups), signOut: session.signOut },
    page: <App />,
  };
}

const root = document.getElementById('root');
if (root) {
  const mount = createRoot(root);
  start().then(
    ({ access, page }) =>
      mount.render(
        <StrictMode>
          <QueryClientProvider client={queries}>
            <AccessContext.Provider value={access}>{page}</AccessContext.Provider>
          </QueryClientProvider>
        </StrictMode>,
      ),
    (e: unknown) => mount.render(<p role="alert">{e instanceof Error ? e.message : String(e)}</p>),
  );
}
