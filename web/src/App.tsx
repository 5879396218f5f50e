import { lazy, Suspense } from 'react';
import { createBrowserRouter, RouterProvider } from 'react-router';
import { Loading } from './components/Loading';

/**
 * The console's addresses. The console lives at `/` and under `/console/`, which no API route uses, so that `npm start`
 * can serve both on one address; `/ack/{token}` is the link in every recall notice and is served to browsers as the
 * acknowledgement page (the API answers the same path with JSON). Each page is its own chunk: the acknowledgement page
 * a store clerk opens on a phone loads no console at all.
 */
const Shell = lazy(() => import('./Shell'));
const AckPage = lazy(() => import('./pages/AckPage'));

const router = createBrowserRouter([
  {
    path: '/ack/:token',
    element: (
      <Suspense fallback={<p style={{ fontSize: '1.25rem', padding: '1rem' }}>Loading…</p>}>
        <AckPage />
      </Suspense>
    ),
  },
  {
    path: '*',
    element: (
      <Suspense fallback={<Loading what="the console" />}>
        <Shell />
      </Suspense>
    ),
  },
]);

export function App() {
  return <RouterProvider router={router} />;
}
