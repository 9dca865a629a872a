/** Sets a user's new password (typed twice), inline in their row. */
import { useState, type FormEvent } from 'react';
import { failureMessage, passwordProblem } from './admin-model';
import { updateUser } from './admin-api';

/** `self`: the signed-in user's own password; the server then ends their sessions, so they log in again. */
export function PasswordForm({ name, self, onDone }: { name: string; self: boolean; onDone: (changed: boolean) => void }) {
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    const bad = passwordProblem(password, confirm);
    if (bad) {
      setError(bad);
      return;
    }
    setBusy(true);
    try {
      await updateUser(name, { password });
      onDone(true);
    } catch (err) {
      setError(failureMessage(`change the password of ${name}`, err));
      setBusy(false);
    }
  };
  return (
    <form className="password-form" method="post" onSubmit={(e) => void submit(e)} aria-label={`New password for ${name}`} noValidate>
      {/* For password managers: whose password this is. */}
      <input type="text" autoComplete="username" value={name} readOnly hidden />
      <input type="password" aria-label="New password" placeholder="New password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} autoFocus />
      <input type="password" aria-label="Repeat the new password" placeholder="Repeat" autoComplete="new-password" value={confirm} onChange={(e) => setConfirm(e.target.value)} />
      <button type="submit" className="primary" disabled={busy}>
        Set password
      </button>
      <button type="button" onClick={() => onDone(false)} disabled={busy}>
        Cancel
      </button>
      {self && <span className="dim small">A new password ends your sessions: you will log in again.</span>}
      {error && (
        <span className="form-error" role="alert">
          {error}
        </span>
      )}
    </form>
  );
}
