import '@cloudscape-design/global-styles/index.css';
import AppLayout from '@cloudscape-design/components/app-layout';
import SideNavigation from '@cloudscape-design/components/side-navigation';
import { lazy, Suspense } from 'react';
import { Route, Routes, useLocation, useNavigate } from 'react-router';
import { Loading } from './components/Loading';
import { useAccess } from './lib/access';
import { NotFound } from './pages/NotFound';

const SearchPage = lazy(() => import('./pages/SearchPage'));
const LotPage = lazy(() => import('./pages/LotPage'));
const SerialPage = lazy(() => import('./pages/SerialPage'));
const TracePage = lazy(() => import('./pages/TracePage'));
const RecallsPage = lazy(() => import('./pages/RecallsPage'));
const NewRecallPage = lazy(() => import('./pages/NewRecallPage'));
const RecallPage = lazy(() => import('./pages/RecallPage'));
const ExpiryPage = lazy(() => import('./pages/ExpiryPage'));
const ExportsPage = lazy(() => import('./pages/ExportsPage'));
const ExportPage = lazy(() => import('./pages/ExportPage'));
const FdaRequestsPage = lazy(() => import('./pages/FdaRequestsPage'));
const FdaRequestPage = lazy(() => import('./pages/FdaRequestPage'));

const NAV = [
  { type: 'link' as const, text: 'Lot search', href: '/' },
  { type: 'link' as const, text: 'Recalls', href: '/console/recalls' },
  { type: 'link' as const, text: 'Expiry board', href: '/console/expiry' },
  { type: 'link' as const, text: 'Exports', href: '/console/exports' },
  { type: 'link' as const, text: 'FDA requests', href: '/console/fda-requests' },
];

/** The section a page belongs to, for the navigation's highlight. */
const sectionOf = (path: string) => NAV.slice(1).find((n) => path.startsWith(n.href))?.href ?? '/';

export default function Shell() {
  const navigate = useNavigate();
  const { pathname } = useLocation();
  const access = useAccess();
  // Signed in (a cloud build): who, in which groups, and the way out.
  const items = access.signedIn
    ? [
        ...NAV,
        { type: 'divider' as const },
        { type: 'link' as const, text: `Sign out (${access.user}; ${access.groups.join(', ')})`, href: '#sign-out' },
      ]
    : NAV;
  return (
    <AppLayout
      toolsHide
      ariaLabels={{ navigation: 'Console sections', navigationClose: 'Close the sections', navigationToggle: 'Open the sections' }}
      navigation={
        <SideNavigation
          header={{ text: 'lotledger', href: '/' }}
          activeHref={sectionOf(pathname)}
          items={items}
          onFollow={(e) => {
            if (e.detail.href === '#sign-out') {
              e.preventDefault();
              access.signOut?.();
            } else if (!e.detail.external) {
              e.preventDefault();
              navigate(e.detail.href);
            }
          }}
        />
      }
      content={
        <main>
          <Suspense fallback={<Loading what="the page" />}>
            <Routes>
              <Route path="/" element={<SearchPage />} />
              <Route path="/console" element={<SearchPage />} />
              <Route path="/console/lots/:gtin/:lot" element={<LotPage />} />
              <Route path="/console/lots/:gtin/:lot/trace" element={<TracePage />} />
              <Route path="/console/serials/:gtin/:serial" element={<SerialPage />} />
              <Route path="/console/recalls" element={<RecallsPage />} />
              <Route path="/console/recalls/new" element={<NewRecallPage />} />
              <Route path="/console/recalls/:recallId" element={<RecallPage />} />
              <Route path="/console/expiry" element={<ExpiryPage />} />
              <Route path="/console/exports" element={<ExportsPage />} />
              <Route path="/console/exports/:exportId" element={<ExportPage />} />
              <Route path="/console/fda-requests" element={<FdaRequestsPage />} />
              <Route path="/console/fda-requests/:requestId" element={<FdaRequestPage />} />
              <Route path="*" element={<NotFound />} />
            </Routes>
          </Suspense>
        </main>
      }
    />
  );
}
