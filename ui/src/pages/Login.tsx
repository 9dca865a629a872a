/**
 * The login page, shown in place of any page while the UI has no session, so the address (and
 * with it where the user was) is kept and the page opens once they are logged in.
 *
 * The password is posted as JSON by auth-store.ts and lives only in this form's state: never in
 * the URL (the form's own method is POST, should it ever submit natively), storage or the console.
 */
import { useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { ApiError } from '../api';
import type { AuthStore } from '../components/auth/auth-store';
import { formatWait, loginFailure, type LoginFailure } from '../components/auth/login-error';
import '../login.css';

const NOTICE = {
  expired: 'Your session has ended. Log in again to continue where you were.',
  'logged-out': 'You are logged out.',
};

export function LoginPage({ store, reason, themeToggle }: { store: AuthStore; reason?: 'expired' | 'logged-out'; themeToggle: ReactNode }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<LoginFailure | undefined>();
  const [nowMs, setNowMs] = useState(Date.now);
  const userRef = useRef<HTMLInputElement>(null);
  const passRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    document.title = 'Log in · LogSentinel';
    userRef.current?.focus();
    return () => {
      document.title = 'LogSentinel';
    };
  }, []);

  // Count the throttling wait down, once a second, until it is over.
  const retryAtMs = failure?.retryAtMs;
  useEffect(() => {
    if (retryAtMs === undefined) return;
    const id = window.setInterval(() => {
      setNowMs(Date.now());
      if (Date.now() >= retryAtMs) window.clearInterval(id);
    }, 1000);
    return () => window.clearInterval(id);
  }, [retryAtMs]);
  const waiting = retryAtMs !== undefined && nowMs < retryAtMs;

  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    if (busy || waiting) return;
    if (!username.trim() || !password) {
      setFailure({ message: !username.trim() ? 'Enter your user name.' : 'Enter your password.' });
      (!username.trim() ? userRef : passRef).current?.focus();
      return;
    }
    setBusy(true);
    setFailure(undefined);
    try {
      await store.login(username.trim(), password);
      // Signed in: the app replaces this page.
    } catch (err) {
      const api = err instanceof ApiError ? err : new ApiError(0, (err as Error).message);
      setNowMs(Date.now());
      setFailure(loginFailure(api.status, api.message, api.retryAfterS, Date.now()));
      setPassword('');
      setBusy(false);
      passRef.current?.focus();
    }
  };

  let message = failure?.message;
  if (failure?.retryAtMs !== undefined) message = waiting ? `Too many failed logins. Try again in ${formatWait((failure.retryAtMs - nowMs) / 1000)}.` : 'You can try again now.';

  return (
    <div className="login-screen">
      <div className="login-theme">{themeToggle}</div>
      <form className="login-card" method="post" action="/api/v1/auth/login" onSubmit={(e) => void submit(e)} aria-labelledby="login-title" noValidate>
        <div className="login-brand">LogSentinel</div>
        <h1 id="login-title">Log in</h1>
        {reason && !failure && (
          <p className="login-notice" role="status">
            {NOTICE[reason]}
          </p>
        )}
        {message && (
          <p className="login-error" role="alert">
            {message}
          </p>
        )}
        <label>
          <span>User name</span>
          <input ref={userRef} name="username" autoComplete="username" autoCapitalize="none" spellCheck={false} value={username} onChange={(e) => setUsername(e.target.value)} />
        </label>
        <label>
          <span>Password</span>
          <input ref={passRef} name="password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} />
        </label>
        <button type="submit" className="primary" disabled={busy || waiting}>
          {busy ? 'Logging in…' : 'Log in'}
        </button>
        <p className="login-hint dim">Agents and scripts use API tokens instead (an administrator creates them on the Admin page).</p>
      </form>
    </div>
  );
}
