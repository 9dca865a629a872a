/** API tokens: create (the secret shown once), the list with created, expires, last used and revoked, revoke. */
import { useCallback, useMemo, useState } from 'react';
import { usePolling } from '../overview/use-polling';
import { failureMessage, formatScopes, formatTenants, formatWhen, sortTokens, tokenStatus, type TokenRecord } from './admin-model';
import { listTokens, revokeToken } from './admin-api';
import { ConfirmButton } from './ConfirmButton';
import { CreateTokenForm } from './CreateTokenForm';
import { NewToken } from './NewToken';

export function TokensPanel() {
  const fetcher = useCallback((signal: AbortSignal) => listTokens(signal), []);
  const { data, error, loading, refresh, updatedAt } = usePolling(fetcher, 'tokens', 0);
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<{ name: string; token: string } | undefined>();
  const [actionError, setActionError] = useState<string | undefined>();
  const [notice, setNotice] = useState<string | undefined>();
  const nowMs = updatedAt ?? Date.now();
  const tokens = useMemo(() => sortTokens(data ?? [], nowMs), [data, nowMs]);

  const revoke = async (t: TokenRecord): Promise<void> => {
    setActionError(undefined);
    setNotice(undefined);
    try {
      await revokeToken(t.id);
      setNotice(`Token ${t.name} is revoked: clients using it are refused from now on.`);
    } catch (err) {
      setActionError(failureMessage(`revoke token ${t.name}`, err));
    }
    refresh();
  };

  const row = (t: TokenRecord) => {
    const status = tokenStatus(t, nowMs);
    return (
      <tr key={t.id} data-testid={`token-${t.id}`} className={status === 'active' ? undefined : 'inactive'}>
        <td>
          <strong>{t.name}</strong>
          <div className="dim small mono" title="The token's id: its first part after lst_, never the secret">
            {t.id}
          </div>
        </td>
        <td className="scopes">{formatScopes(t.scopes)}</td>
        <td>{formatTenants(t.tenants, t.defaultTenant)}</td>
        <td className="when">
          {formatWhen(t.createdAt, nowMs, '—')}
          {t.createdBy && <div className="dim small">by {t.createdBy}</div>}
        </td>
        <td className="when">{formatWhen(t.expiresAt, nowMs)}</td>
        <td className="when">{formatWhen(t.lastUsedAt, nowMs)}</td>
        <td>
          <span className={`status status-${status}`}>{status}</span>
          {t.revokedAt !== undefined && <div className="dim small">{formatWhen(t.revokedAt, nowMs)}</div>}
        </td>
        <td className="actions">
          {status !== 'revoked' && <ConfirmButton label="Revoke…" question={`Revoke ${t.name}? Clients using it are refused at once.`} confirmLabel="Revoke" onConfirm={() => revoke(t)} />}
        </td>
      </tr>
    );
  };

  return (
    <section className="panel" aria-labelledby="tokens-title">
      <div className="panel-head">
        <h2 id="tokens-title">API tokens</h2>
        {!creating && (
          <button type="button" onClick={() => setCreating(true)}>
            New token
          </button>
        )}
      </div>
      <p className="dim small">
        For agents and clients: <code>Authorization: Bearer &lt;token&gt;</code>, or basic auth with the tenant as user and the token as password (Grafana, Promtail, Alloy, Fluent Bit).
      </p>
      {creating && (
        <CreateTokenForm
          onCreated={(name, token) => {
            setCreating(false);
            setNotice(undefined);
            setCreated({ name, token });
            refresh();
          }}
          onCancel={() => setCreating(false)}
        />
      )}
      {created && <NewToken name={created.name} token={created.token} onDone={() => setCreated(undefined)} />}
      {notice && (
        <p className="form-notice" role="status">
          {notice}
        </p>
      )}
      {actionError && (
        <div className="error-box" role="alert">
          {actionError}
        </div>
      )}
      {error && (
        <div className="error-box" role="alert">
          Cannot load the tokens: {error.message}
        </div>
      )}
      {loading && !error && <p className="dim">Loading tokens…</p>}
      {data && data.length === 0 && (
        <div className="empty-state" role="status">
          <p>
            <strong>No API tokens yet.</strong> Create one for each agent or client that pushes or queries logs, with only the scopes and tenants it needs.
          </p>
        </div>
      )}
      {tokens.length > 0 && (
        <div className="table-scroll">
          <table className="data-table admin-table" aria-label="API tokens">
            <thead>
              <tr>
                <th>Name / id</th>
                <th>Scopes</th>
                <th>Tenants</th>
                <th>Created</th>
                <th>Expires</th>
                <th>Last used</th>
                <th>Status</th>
                <th>
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>{tokens.map(row)}</tbody>
          </table>
        </div>
      )}
    </section>
  );
}
