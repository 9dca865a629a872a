/** The "New user" form: name, password twice, scopes, tenants, default tenant. */
import { useState, type FormEvent } from 'react';
import { AccessFields } from './AccessFields';
import { failureMessage, userRequest, type UserForm } from './admin-model';
import { createUser } from './admin-api';

const EMPTY: UserForm = { name: '', password: '', confirm: '', scopes: ['logs:read', 'rules:read'], tenants: '', defaultTenant: '' };

export function CreateUserForm({ onCreated, onCancel }: { onCreated: (name: string) => void; onCancel: () => void }) {
  const [form, setForm] = useState<UserForm>(EMPTY);
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    const req = userRequest(form);
    if ('error' in req) {
      setError(req.error);
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      await createUser(req.body);
      setForm(EMPTY);
      onCreated(req.body.name);
    } catch (err) {
      setError(failureMessage(`create user ${req.body.name}`, err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="admin-form" method="post" onSubmit={(e) => void submit(e)} aria-label="New user" noValidate>
      <div className="form-row">
        <label htmlFor="new-user-name">User name</label>
        <input id="new-user-name" value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} autoComplete="off" spellCheck={false} autoFocus />
      </div>
      <div className="form-row">
        <label htmlFor="new-user-password">Password</label>
        <input id="new-user-password" type="password" autoComplete="new-password" value={form.password} onChange={(e) => setForm({ ...form, password: e.target.value })} />
      </div>
      <div className="form-row">
        <label htmlFor="new-user-confirm">Repeat password</label>
        <input id="new-user-confirm" type="password" autoComplete="new-password" value={form.confirm} onChange={(e) => setForm({ ...form, confirm: e.target.value })} />
      </div>
      <AccessFields idPrefix="new-user" value={form} onChange={(v) => setForm({ ...form, ...v })} />
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <div className="form-actions">
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Creating…' : 'Create user'}
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
