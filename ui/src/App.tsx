import { useState } from 'react';
import { PAGES, href, navigate, useLocation } from './router';
import { useTheme } from './theme';
import { getTenant, setTenant } from './api';
import { ExplorePage } from './pages/Explore';
import { TailPage } from './pages/Tail';
import { AlertsPage } from './pages/Alerts';
import { OverviewPage } from './pages/Overview';

export function App() {
  const loc = useLocation();
  const [theme, toggleTheme] = useTheme();
  const [tenant, setTenantState] = useState(getTenant);
  // Remounting pages on a tenant change drops every cached answer of the previous tenant.
  const key = tenant;
  return (
    <div className="app">
      <header className="topbar">
        <a className="brand" href="/explore" onClick={(e) => { e.preventDefault(); navigate('/explore'); }}>
          LogSentinel
        </a>
        <nav aria-label="Pages">
          {PAGES.map((p) => (
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
          <label className="tenant">
            <span>Tenant</span>
            <input
              aria-label="Tenant (X-Scope-OrgID)"
              placeholder="default"
              defaultValue={tenant}
              onBlur={(e) => {
                setTenant(e.target.value.trim());
                setTenantState(e.target.value.trim());
              }}
              onKeyDown={(e) => {
                if (e.key === 'Enter') (e.target as HTMLInputElement).blur();
              }}
            />
          </label>
          <button type="button" className="icon-button" onClick={toggleTheme} aria-label={theme === 'dark' ? 'Switch to light theme' : 'Switch to dark theme'} title="Toggle theme">
            {theme === 'dark' ? '☀' : '☾'}
          </button>
        </div>
      </header>
      <main className="page" key={key}>
        {loc.page === 'explore' && <ExplorePage />}
        {loc.page === 'tail' && <TailPage />}
        {loc.page === 'alerts' && <AlertsPage />}
        {loc.page === 'overview' && <OverviewPage />}
      </main>
    </div>
  );
}
