// The window: a sidebar with the pages, the error banner, and the current page (from the hash).
import { useEffect, useReducer, type ComponentType } from 'react';
import { Loading } from '../components/basics.js';
import { ErrorBanner } from '../components/ErrorBanner.js';
import { Icon, type IconName } from '../components/Icon.js';
import { asSentence } from '../format.js';
import { pageOfHash, useHashPage, type PageName } from './router.js';
import { useActions, useMesh } from './store-context.js';

const NAV: Array<{ page: PageName; label: string; icon: IconName }> = [
  { page: 'dashboard', label: 'Dashboard', icon: 'dashboard' },
  { page: 'availability', label: 'Availability', icon: 'availability' },
  { page: 'peers', label: 'Peers & trust', icon: 'peers' },
  { page: 'circles', label: 'Circles', icon: 'circles' },
  { page: 'jobs', label: 'Jobs', icon: 'jobs' },
  { page: 'earnings', label: 'Earnings', icon: 'earnings' },
  { page: 'settings', label: 'Settings', icon: 'settings' },
  { page: 'logs', label: 'Logs', icon: 'logs' },
];

// Each page is its own chunk, fetched when first shown: the first page loads only its own code.
const PAGE_CODE: Record<PageName, () => Promise<{ default: ComponentType }>> = {
  dashboard: () => import('../pages/DashboardPage.js').then((m) => ({ default: m.DashboardPage })),
  availability: () => import('../pages/AvailabilityPage.js').then((m) => ({ default: m.AvailabilityPage })),
  peers: () => import('../pages/PeersPage.js').then((m) => ({ default: m.PeersPage })),
  circles: () => import('../pages/CirclesPage.js').then((m) => ({ default: m.CirclesPage })),
  jobs: () => import('../pages/JobsPage.js').then((m) => ({ default: m.JobsPage })),
  earnings: () => import('../pages/EarningsPage.js').then((m) => ({ default: m.EarningsPage })),
  settings: () => import('../pages/SettingsPage.js').then((m) => ({ default: m.SettingsPage })),
  logs: () => import('../pages/LogsPage.js').then((m) => ({ default: m.LogsPage })),
};

/** The pages whose code has arrived. */
const arrivedPages: Partial<Record<PageName, ComponentType>> = {};

function loadPage(page: PageName): Promise<void> {
  return PAGE_CODE[page]().then(({ default: view }) => {
    arrivedPages[page] = view;
  });
}

/**
 * Loads the page's code if it has not arrived, and renders again once it has. Pages are not lazy()
 * under Suspense: a lazy page suspends for a turn even when its code is in, and React then holds
 * it behind its fallback for up to 300 ms (its reveal throttle): a page's first visit took 300 ms
 * from the click, now 25-100.
 */
function useArrivedPage(page: PageName): void {
  const [, rerender] = useReducer((n: number) => n + 1, 0);
  const { reportError } = useActions();
  const missing = arrivedPages[page] === undefined;
  useEffect(() => {
    let shown = true;
    if (missing)
      loadPage(page).then(
        () => shown && rerender(),
        (error: unknown) => shown && reportError(error),
      );
    return () => {
      shown = false;
    };
  }, [page, missing, reportError]);
}

/**
 * Fetches the first page's code while the first status is on its way, with the chunks it imports
 * beside it rather than after it: index.html lists them by page (scripts/build-ui.mjs).
 */
export function preloadPage(): void {
  const page = pageOfHash(location.hash);
  const listed = document.getElementById('page-chunks')?.textContent;
  const chunks = (listed ? (JSON.parse(listed) as Record<string, string[]>) : {})[pageFile(page)] ?? [];
  for (const chunk of chunks) {
    const link = document.createElement('link');
    link.rel = 'modulepreload';
    link.href = chunk;
    document.head.append(link);
  }
  loadPage(page).catch(() => {}); // the page's own load (useArrivedPage) reports a failure
}

/** The file of a page's component (pages/DashboardPage.tsx for "dashboard"). */
const pageFile = (page: PageName) => `${page[0]!.toUpperCase()}${page.slice(1)}Page`;

/** The contract's "interactive" mark: set once a page has rendered with the first status (it mounts with the page). */
function ReadyMark() {
  useEffect(() => {
    document.body.dataset.ready = 'true';
  }, []);
  return null;
}

export function App() {
  const page = useHashPage();
  useArrivedPage(page);
  const PageView = arrivedPages[page];
  const status = useMesh((s) => s.status);
  const connection = useMesh((s) => s.connection);
  const errors = useMesh((s) => s.errors);
  const { dismissErrors } = useActions();

  const footer =
    connection.state === 'lost'
      ? { tone: 'danger', text: 'Node unreachable' }
      : !status
        ? { tone: 'warn', text: 'Starting' }
        : {
            tone: !status.sharing ? 'neutral' : status.availability.offering ? 'ok' : 'warn',
            text: `${!status.sharing ? 'Not sharing' : status.availability.offering ? 'Sharing' : 'Paused'} · ${status.connections} connected`,
          };

  return (
    <div className="app">
      <aside className="sidebar">
        <div className="brand">
          <span className="brand-mark">
            <Icon name="mesh" size={18} />
          </span>
          <span className="brand-name">Mesh Compute</span>
        </div>
        <nav className="nav" aria-label="Pages">
          {NAV.map((item) => (
            <a
              key={item.page}
              href={`#/${item.page}`}
              className={`nav-item ${item.page === page ? 'is-active' : ''}`}
              aria-current={item.page === page ? 'page' : undefined}
              data-testid={`nav-${item.page}`}
            >
              <Icon name={item.icon} />
              <span>{item.label}</span>
            </a>
          ))}
        </nav>
        <div className="sidebar-footer">
          <span className={`dot dot-${footer.tone}`} />
          <div className="sidebar-node">
            <div className="sidebar-node-name">{status?.name ?? 'Connecting…'}</div>
            <div className="muted small">{footer.text}</div>
          </div>
        </div>
      </aside>
      <main className="main">
        <div className="main-inner">
          <ErrorBanner errors={errors} onDismiss={dismissErrors} />
          {connection.state === 'lost' && (
            <div className="banner banner-warn" role="status">
              <Icon name="alert" />
              <div className="banner-text">
                <strong>Lost the connection to the node.</strong> {asSentence(connection.message)} Trying again…
              </div>
            </div>
          )}
          {!status ? (
            <Connecting lost={connection.state === 'lost'} />
          ) : PageView ? (
            <>
              <PageView />
              <ReadyMark />
            </>
          ) : (
            <Loading what="the page" />
          )}
        </div>
      </main>
    </div>
  );
}

function Connecting({ lost }: { lost: boolean }) {
  return (
    <div className="center-page">
      <span className="spinner spinner-large" aria-hidden="true" />
      <p>{lost ? 'Waiting for the node to answer…' : 'Connecting to your node…'}</p>
    </div>
  );
}

/** The web UI opened without its token: it cannot talk to the node, so say where the right address comes from. */
export function NoToken() {
  return (
    <div className="full-page">
      <div className="full-page-card">
        <span className="brand-mark brand-mark-large">
          <Icon name="mesh" size={28} />
        </span>
        <h1>Open Mesh Compute from its address</h1>
        <p>
          This page needs the sign-in token that comes with the node's own link. Open the address that{' '}
          <code>meshctl ui</code> prints (or the one <code>npm start</code> printed); it ends in <code>#token=…</code>.
        </p>
        <pre className="code-block">meshctl ui --data-dir &lt;your node's data dir&gt;</pre>
        <p className="muted small">
          The token stays in this tab only. Opening the plain address again, or in another tab, asks for the link again.
        </p>
      </div>
    </div>
  );
}
