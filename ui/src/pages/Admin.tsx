/**
 * Admin (scope `admin` only; the nav hides it from others): users and API tokens over
 * /api/v1/auth/{users,tokens} (docs/specs/auth.md). Not tenant-scoped, so the top bar hides the
 * tenant picker here.
 */
import { useEffect } from 'react';
import { hasScope, type Me } from '../components/auth/me';
import { UsersPanel } from '../components/admin/UsersPanel';
import { TokensPanel } from '../components/admin/TokensPanel';
import '../pages.css';
import '../admin.css';

export function AdminPage({ me }: { me: Me }) {
  useEffect(() => {
    document.title = 'Admin · LogSentinel';
    return () => {
      document.title = 'LogSentinel';
    };
  }, []);
  if (!me.authEnabled) {
    return (
      <section className="dash" aria-labelledby="admin-title">
        <h1 id="admin-title">Admin</h1>
        <div className="empty-state" role="status">
          <p>
            <strong>Authentication is off</strong> (<code>auth.enabled=false</code>): there are no users or tokens to manage, and every client may read and write every tenant.
          </p>
        </div>
      </section>
    );
  }
  if (!hasScope(me, 'admin')) {
    return (
      <section className="dash" aria-labelledby="admin-title">
        <h1 id="admin-title">Admin</h1>
        <div className="error-box" role="alert">
          The admin page needs the scope admin; {me.name} has {me.scopes.join(', ') || 'none'}.
        </div>
      </section>
    );
  }
  return (
    <section className="dash" aria-labelledby="admin-title">
      <div className="dash-head">
        <h1 id="admin-title">Admin</h1>
        <span className="dim">Users and API tokens. Changes reach every LogSentinel process within seconds; every action is recorded in the _audit tenant.</span>
      </div>
      <UsersPanel me={me} />
      <TokensPanel />
    </section>
  );
}
