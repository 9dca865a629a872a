/** What the login form says when the server refuses a login. Pure. */

/** 90 → "1 min 30 s", 3600 → "1 h". */
export function formatWait(seconds: number): string {
  const s = Math.max(1, Math.ceil(seconds));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  const rest = s % 60;
  if (m < 60) return rest ? `${m} min ${rest} s` : `${m} min`;
  const h = Math.floor(m / 60);
  return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
}

export interface LoginFailure {
  message: string;
  /** Epoch ms before which another attempt is pointless (throttled). */
  retryAtMs?: number;
}

/**
 * `status` 0 = unreachable. The server says "invalid credentials" for every wrong name, password,
 * disabled or expired account alike, so the form does too.
 */
export function loginFailure(status: number, serverMessage: string, retryAfterS: number | undefined, nowMs: number): LoginFailure {
  if (status === 401) return { message: 'Wrong user name or password.' };
  if (status === 429) {
    const wait = retryAfterS ?? 60;
    return { message: `Too many failed logins. Try again in ${formatWait(wait)}.`, retryAtMs: nowMs + wait * 1000 };
  }
  if (status === 0) return { message: serverMessage.charAt(0).toUpperCase() + serverMessage.slice(1) };
  return { message: `Cannot log in: ${serverMessage || `HTTP ${status}`}` };
}
