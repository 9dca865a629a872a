import { useEffect, useState, type ReactNode } from 'react';
import { PAGES, href, navigate, useLocation } from './router';
import { useTheme } from './theme';
import { getTenant, setTenant } from './api';
import { useAuth } from './components/auth/use-auth';
import { hasScope, type Me } from './components/auth/me';
import { effectiveTenant } from './components/auth/tenants';
import { TenantPicker } from './components/auth/TenantPicker';
import { UserMenu } from './components/auth/UserMenu';
import { ExplorePage } from './pages/Explore';
import { TailPage } from './pages/Tail';
import { AlertsPage } from './pages/Alerts';
import { AlertRulePage } from './pages/AlertRule';
import { isRulePath } from './components/alerts/rule-page';
import { OverviewPage } from './pages/Overview';
import { AdminPage } from './pages/Admin';
import { LoginPage } from './pages/Login';

export function App() {
  const [theme, toggleTheme] = useTheme();
  const [auth, store] = useAuth();
  const themeToggle = (
    <button type="button" className="icon-button" onClick={toggleTheme} aria-label={theme === 'dark' ? 'Switch to light theme' : 'Switch to dark theme'} title="Toggle theme">
      {theme === 'dark' ? '☀' : '☾'}
    </button>
  );

  switch (auth.kind) {
    case 'loading':
      return <div className="empty" role="status">Loading…</div>;
    case 'error':
      return (
        <div className="error-box" role="alert">
          Cannot start the LogSentinel UI: {auth.message}{' '}
          <button type="button" onClick={() => void store.boot()}>
            Retry
          </button>
        </div>
      );
    case 'signed-out':
      return <LoginPage store={store} reason={auth.reason} themeToggle={themeToggle} />;
    case 'open':
    case 'signed-in':
      // Keyed by user: a new login starts from a clean slate.
      return <Shell key={auth.me.name} me={auth.me} onLogout={() => store.logout()} themeToggle={themeToggle} />;
  }
}

function Shell({ me, onLogout, themeToggle }: { me: Me; onLogout: () => Promise<void>; themeToggle: ReactNode }) {
  const loc = useLocation();
  const [tenant, setTenantState] = useState(getTenant);
  useEffect(() => {
    document.title = 'LogSentinel';
  }, []);
  const chooseTenant = (typed: string): void => {
    setTenant(typed);
    const t = effectiveTenant(typed, me);
    setTenant(t, false);
    setTenantState(t);
  };
  // Without authentication there is nothing to administer.
  const pages = PAGES.filter((p) => !p.scope || (me.authEnabled && hasScope(me, p.scope)));
  // Remounting pages on a tenant change drops every cached answer of the previous tenant.
  const key = tenant;
  return (
    <div className="app">
      <header className="topbar">
        <a className="brand" href="/explore" onClick={(e) => { e.preventDefault(); navigate('/explore'); }}>
          LogSentinel
        </a>
        <nav aria-label="Pages">
          {pages.map((p) => (
            <a
              key={p.name}
              href={href(p.path)}
              aria-current={loc.page === p.name ? 'page' : undefined}
              onClick={(e) => {
                if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
                e.preventDefault();
                navigate(p.path);
              }}
            >
              {p.title}
            </a>
          ))}
        </nav>
        <div className="topbar-right">
          {loc.page !== 'admin' && <TenantPicker me={me} tenant={tenant} onChange={chooseTenant} />}
          {me.authEnabled && <UserMenu me={me} onLogout={onLogout} />}
          {themeToggle}
        </div>
      </header>
      <main className="page" key={key}>
        {loc.page === 'explore' && <ExplorePage />}
        {loc.page === 'tail' && <TailPage />}
        {loc.page === 'alerts' && (isRulePath(loc.pathname) ? <AlertRulePage /> : <AlertsPage />)}
        {loc.page === 'overview' && <OverviewPage />}
        {loc.page === 'admin' && <AdminPage me={me} />}
      </main>
    </div>
  );
}
