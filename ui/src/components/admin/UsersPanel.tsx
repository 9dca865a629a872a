/** Users: the list with status and last use; create, change password, disable or enable, delete. */
import { useCallback, useState } from 'react';
import type { Me } from '../auth/me';
import { usePolling } from '../overview/use-polling';
import { failureMessage, formatScopes, formatTenants, formatWhen, userStatus, type UserRecord } from './admin-model';
import { deleteUser, listUsers, updateUser } from './admin-api';
import { ConfirmButton } from './ConfirmButton';
import { CreateUserForm } from './CreateUserForm';
import { PasswordForm } from './PasswordForm';

export function UsersPanel({ me }: { me: Me }) {
  const fetcher = useCallback((signal: AbortSignal) => listUsers(signal), []);
  const { data, error, loading, refresh, updatedAt } = usePolling(fetcher, 'users', 0);
  const [creating, setCreating] = useState(false);
  const [passwordFor, setPasswordFor] = useState<string | undefined>();
  const [actionError, setActionError] = useState<string | undefined>();
  const [notice, setNotice] = useState<string | undefined>();
  const nowMs = updatedAt ?? Date.now();

  const act = async (what: string, f: () => Promise<void>, done: string): Promise<void> => {
    setActionError(undefined);
    setNotice(undefined);
    try {
      await f();
      setNotice(done);
    } catch (err) {
      setActionError(failureMessage(what, err));
    }
    refresh();
  };

  const row = (u: UserRecord) => {
    const status = userStatus(u, nowMs);
    const self = u.name === me.name;
    return (
      <tr key={u.name} data-testid={`user-${u.name}`}>
        <td>
          <strong>{u.name}</strong>
          {self && <span className="dim"> (you)</span>}
        </td>
        <td className="scopes">{formatScopes(u.scopes)}</td>
        <td>{formatTenants(u.tenants, u.defaultTenant)}</td>
        <td>
          <span className={`status status-${status}`}>{status}</span>
          {u.expiresAt !== undefined && status !== 'expired' && <div className="dim small">expires {formatWhen(u.expiresAt, nowMs)}</div>}
        </td>
        <td className="when">{formatWhen(u.createdAt, nowMs, '—')}</td>
        <td className="when">{formatWhen(u.lastUsedAt, nowMs)}</td>
        <td className="actions">
          {passwordFor === u.name ? (
            <PasswordForm
              name={u.name}
              self={self}
              onDone={(changed) => {
                setPasswordFor(undefined);
                if (changed) setNotice(`The password of ${u.name} is changed.`);
              }}
            />
          ) : (
            <>
              <button type="button" onClick={() => setPasswordFor(u.name)}>
                Change password
              </button>
              <button
                type="button"
                disabled={self}
                title={self ? 'You cannot disable yourself' : undefined}
                onClick={() => void act(`${u.disabled ? 'enable' : 'disable'} user ${u.name}`, () => updateUser(u.name, { disabled: !u.disabled }), `User ${u.name} is ${u.disabled ? 'enabled' : 'disabled'}.`)}
              >
                {u.disabled ? 'Enable' : 'Disable'}
              </button>
              <ConfirmButton
                label="Delete…"
                question={`Delete user ${u.name}? Their sessions end at once.`}
                confirmLabel="Delete"
                disabled={self}
                title={self ? 'You cannot delete yourself' : undefined}
                onConfirm={() => act(`delete user ${u.name}`, () => deleteUser(u.name), `User ${u.name} is deleted.`)}
              />
            </>
          )}
        </td>
      </tr>
    );
  };

  return (
    <section className="panel" aria-labelledby="users-title">
      <div className="panel-head">
        <h2 id="users-title">Users</h2>
        {!creating && (
          <button type="button" onClick={() => setCreating(true)}>
            New user
          </button>
        )}
      </div>
      <p className="dim small">People who log in to this UI. Agents and scripts should use API tokens instead.</p>
      {creating && (
        <CreateUserForm
          onCreated={(name) => {
            setCreating(false);
            setNotice(`User ${name} is created.`);
            refresh();
          }}
          onCancel={() => setCreating(false)}
        />
      )}
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
          Cannot load the users: {error.message}
        </div>
      )}
      {loading && !error && <p className="dim">Loading users…</p>}
      {data && data.length === 0 && (
        <div className="empty-state" role="status">
          <p>
            <strong>No users yet.</strong> Create one for each person who uses this UI.
          </p>
        </div>
      )}
      {data && data.length > 0 && (
        <div className="table-scroll">
          <table className="data-table admin-table" aria-label="Users">
            <thead>
              <tr>
                <th>Name</th>
                <th>Scopes</th>
                <th>Tenants</th>
                <th>Status</th>
                <th>Created</th>
                <th>Last used</th>
                <th>
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>{[...data].sort((a, b) => a.name.localeCompare(b.name)).map(row)}</tbody>
          </table>
        </div>
      )}
    </section>
  );
}
