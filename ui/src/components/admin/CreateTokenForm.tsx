/** The "New token" form: name, scopes, tenants, default tenant, expiry. */
import { useState, type FormEvent } from 'react';
import { AccessFields } from './AccessFields';
import { failureMessage, EXPIRY_CHOICES, tokenRequest, type ExpiryChoice, type TokenForm } from './admin-model';
import { createToken } from './admin-api';

const EMPTY: TokenForm = { name: '', scopes: ['logs:write'], tenants: '', defaultTenant: '', expiry: '90d', expiryDate: '' };

export function CreateTokenForm({ onCreated, onCancel }: { onCreated: (name: string, token: string) => void; onCancel: () => void }) {
  const [form, setForm] = useState<TokenForm>(EMPTY);
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    const req = tokenRequest(form, Date.now());
    if ('error' in req) {
      setError(req.error);
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      const { token } = await createToken(req.body);
      setForm(EMPTY);
      onCreated(req.body.name, token);
    } catch (err) {
      setError(failureMessage(`create token ${req.body.name}`, err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="admin-form" method="post" onSubmit={(e) => void submit(e)} aria-label="New token" noValidate>
      <div className="form-row">
        <label htmlFor="new-token-name">Name</label>
        <input id="new-token-name" value={form.name} placeholder="what uses it: vector-prod, grafana…" onChange={(e) => setForm({ ...form, name: e.target.value })} autoComplete="off" spellCheck={false} autoFocus />
      </div>
      <AccessFields idPrefix="new-token" value={form} onChange={(v) => setForm({ ...form, ...v })} />
      <div className="form-row">
        <label htmlFor="new-token-expiry">Expires</label>
        <select id="new-token-expiry" value={form.expiry} onChange={(e) => setForm({ ...form, expiry: e.target.value as ExpiryChoice })}>
          {EXPIRY_CHOICES.map((c) => (
            <option key={c.value} value={c.value}>
              {c.value === 'never' || c.value === 'date' ? c.label : `in ${c.label}`}
            </option>
          ))}
        </select>
        {form.expiry === 'date' && <input type="date" aria-label="Expiry day" value={form.expiryDate} onChange={(e) => setForm({ ...form, expiryDate: e.target.value })} />}
      </div>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <div className="form-actions">
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Creating…' : 'Create token'}
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
