/**
 * The UI's sign-in state (docs/specs/auth.md "The UI's API"), framework-free so the React hook
 * only subscribes and tests drive it with a fake fetch.
 *
 * - `boot` asks /api/v1/auth/me: `authEnabled: false` (or a server without the auth API, 404) is
 *   the open mode and the UI works without a login; 401 shows the login page.
 * - `login` posts the name and password as JSON; the password lives only in that request's body
 *   (never the URL, storage or a log line). The CSRF token of the answer is kept in memory.
 * - A 401 from any other API call ends the session (`expired`): the page shows the login form in
 *   place, so the URL, and with it where the user was, survives until they are back.
 * - `logout` posts to /api/v1/auth/logout; whatever its answer, the UI forgets the session.
 *
 * Transitions never overlap in a way that matters: a late /me answer after a login is ignored.
 */
import { ApiError, getJson, onUnauthenticated, sendJson, setCsrfToken, setTenant, storedTenant } from '../../api.js';
import { parseMe, type Me } from './me.js';
import { effectiveTenant } from './tenants.js';

export type AuthState =
  | { kind: 'loading' }
  /** Authentication is off: everything works as the anonymous user. */
  | { kind: 'open'; me: Me }
  | { kind: 'signed-in'; me: Me }
  /** `expired`: a call was refused with 401 while signed in; `logged-out`: the user logged out. */
  | { kind: 'signed-out'; reason?: 'expired' | 'logged-out' }
  /** /me could not be asked (server down, a proxy's page): the page says so and offers a retry. */
  | { kind: 'error'; message: string };

export class AuthStore {
  private state: AuthState = { kind: 'loading' };
  private listeners = new Set<() => void>();
  private generation = 0;
  private stopListening: () => void;

  constructor() {
    this.stopListening = onUnauthenticated(() => this.sessionEnded());
  }

  subscribe = (l: () => void): (() => void) => {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  };

  snapshot = (): AuthState => this.state;

  async boot(): Promise<void> {
    const gen = ++this.generation;
    this.set({ kind: 'loading' });
    try {
      const me = parseMe(await getJson<unknown>('/api/v1/auth/me'));
      if (gen === this.generation) this.signedIn(me);
    } catch (err) {
      if (gen !== this.generation) return;
      if (err instanceof ApiError && err.status === 401) this.set({ kind: 'signed-out' });
      // A server from before the auth API: the open mode it has always had.
      else if (err instanceof ApiError && err.status === 404) this.signedIn(parseMe({ authEnabled: false }));
      else this.set({ kind: 'error', message: (err as Error).message });
    }
  }

  /** Throws ApiError (401 wrong credentials, 429 throttled with `retryAfterS`) for the form to explain. */
  async login(username: string, password: string): Promise<void> {
    const gen = ++this.generation;
    const answer = await sendJson<{ user?: unknown; csrfToken?: unknown }>('POST', '/api/v1/auth/login', { username, password });
    if (gen !== this.generation) return;
    const me = parseMe(answer?.user);
    if (typeof answer?.csrfToken === 'string') me.csrfToken = answer.csrfToken;
    this.signedIn(me);
  }

  async logout(): Promise<void> {
    ++this.generation;
    try {
      await sendJson('POST', '/api/v1/auth/logout');
    } catch {
      // The session is forgotten here either way; an expired one is already gone on the server.
    }
    setCsrfToken(undefined);
    this.set({ kind: 'signed-out', reason: 'logged-out' });
  }

  /** Tears down the 401 listener (tests; the app's store lives as long as the page). */
  dispose(): void {
    this.stopListening();
    this.listeners.clear();
  }

  private sessionEnded(): void {
    if (this.state.kind !== 'signed-in') return;
    ++this.generation;
    setCsrfToken(undefined);
    this.set({ kind: 'signed-out', reason: 'expired' });
  }

  private signedIn(me: Me): void {
    setCsrfToken(me.csrfToken);
    setTenant(effectiveTenant(storedTenant(), me), false);
    this.set(me.authEnabled ? { kind: 'signed-in', me } : { kind: 'open', me });
  }

  private set(s: AuthState): void {
    this.state = s;
    for (const l of this.listeners) l();
  }
}
