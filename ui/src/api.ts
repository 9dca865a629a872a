/**
 * The UI talks only to LogSentinel's public HTTP APIs (Loki's, Prometheus-style rules/alerts,
 * /api/v1/overview, /api/v1/saved-queries and /api/v1/auth). Errors come back as `ApiError` carrying the server's own message.
 *
 * Authentication (docs/specs/auth.md): the session cookie travels with every same-origin request;
 * requests that change state carry `X-CSRF-Token` (held in memory only, never in storage); a 401
 * from any call but the login itself tells the listeners of `onUnauthenticated`, which show the
 * login page.
 */
import { apiErrorMessage } from './components/auth/error-message.js';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** `Retry-After` of a 429 or 503, in seconds, when the server sent one. */
    readonly retryAfterS?: number,
  ) {
    super(message);
  }
}

const TENANT_KEY = 'logsentinel.tenant';
/** The tenant every call is made for; empty = the server's default. Read lazily, so pure modules importing this file load under node. */
let tenant: string | undefined;

export function getTenant(): string {
  tenant ??= storedTenant();
  return tenant;
}
/**
 * The tenant calls are made for. `remember`: the user chose it in the top bar, so the browser
 * keeps it (not a secret); the default chosen for them after a login is not remembered.
 */
export function setTenant(t: string, remember = true): void {
  tenant = t;
  if (!remember) return;
  if (t) localStorage.setItem(TENANT_KEY, t);
  else localStorage.removeItem(TENANT_KEY);
}
/** What the user last chose, before checking it against what they may use. */
export function storedTenant(): string {
  return localStorage.getItem(TENANT_KEY) ?? '';
}

let csrfToken: string | undefined;
/** The session's CSRF token, from the login answer or /api/v1/auth/me; undefined after logout. */
export function setCsrfToken(t: string | undefined): void {
  csrfToken = t;
}

const unauthenticatedListeners = new Set<(path: string) => void>();
/** Calls `l` with the path of any API call answered 401 (the session ended or never was). */
export function onUnauthenticated(l: (path: string) => void): () => void {
  unauthenticatedListeners.add(l);
  return () => unauthenticatedListeners.delete(l);
}
/** Paths whose 401 is an answer, not a lost session. */
const OWN_401 = ['/api/v1/auth/login', '/api/v1/auth/me'];
function noteStatus(path: string, status: number): void {
  if (status !== 401 || OWN_401.includes(path)) return;
  for (const l of unauthenticatedListeners) l(path);
}

export function headers(): Record<string, string> {
  const t = getTenant();
  return t ? { 'X-Scope-OrgID': t } : {};
}

function retryAfterOf(res: Response): number | undefined {
  const h = res.headers.get('retry-after');
  if (h === null) return undefined;
  const n = Number(h);
  if (Number.isFinite(n) && n >= 0) return n;
  const at = Date.parse(h);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

async function call(method: string, url: string, path: string, init: { headers: Record<string, string>; body?: string; signal?: AbortSignal }): Promise<{ res: Response; text: string; html: boolean }> {
  let res: Response;
  try {
    // same-origin is fetch's default; spelled out because the session cookie depends on it.
    res = await fetch(url, { method, headers: init.headers, body: init.body, signal: init.signal, credentials: 'same-origin' });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError(0, `cannot reach LogSentinel (${(err as Error).message}) — is the server running?`);
  }
  const text = await res.text();
  const html = (res.headers.get('content-type') ?? '').includes('text/html');
  if (!res.ok) {
    noteStatus(path, res.status);
    // A proxy's error page is no message to show: name the status and where it came from.
    const msg = html ? `HTTP ${res.status} from ${path}: the answer is an HTML page, not LogSentinel's (is a proxy in between?)` : apiErrorMessage(text);
    throw new ApiError(res.status, msg || `HTTP ${res.status}`, retryAfterOf(res));
  }
  return { res, text, html };
}

function parse<T>(path: string, status: number, text: string, html: boolean): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new ApiError(status, `unexpected answer from ${path}: not JSON (${html ? 'an HTML page — is a proxy in between?' : text.slice(0, 80)})`);
  }
}

/** `extraHeaders`: e.g. `X-Loki-Response-Encoding-Flags: categorize-labels` for structured metadata. */
export async function getJson<T>(path: string, params?: Record<string, string | number | undefined>, signal?: AbortSignal, extraHeaders?: Record<string, string>): Promise<T> {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(params ?? {})) if (v !== undefined && v !== '') qs.set(k, String(v));
  const url = path + (qs.toString() ? '?' + qs.toString() : '');
  const { res, text, html } = await call('GET', url, path, { headers: { ...headers(), ...extraHeaders }, signal });
  return parse<T>(path, res.status, text, html);
}

/**
 * A state-changing call (POST, PATCH, DELETE) with a JSON body (never a "simple" content type,
 * which the server refuses) and the CSRF token. Answers without a body (204) give undefined.
 */
export async function sendJson<T>(method: 'POST' | 'PATCH' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T | undefined> {
  const send = (): Promise<{ res: Response; text: string; html: boolean }> => {
    const h: Record<string, string> = { ...headers() };
    if (csrfToken) h['X-CSRF-Token'] = csrfToken;
    if (body !== undefined) h['Content-Type'] = 'application/json';
    return call(method, path, path, { headers: h, body: body === undefined ? undefined : JSON.stringify(body) });
  };
  let answer: { res: Response; text: string; html: boolean };
  try {
    answer = await send();
  } catch (err) {
    // A login in another tab replaces the session cookie, and with it the CSRF token this tab
    // holds: ask /me for the current one and try once more.
    if (!(err instanceof ApiError && err.status === 403 && /csrf/i.test(err.message) && csrfToken)) throw err;
    const me = await getJson<{ csrfToken?: unknown }>('/api/v1/auth/me');
    if (typeof me.csrfToken !== 'string' || me.csrfToken === csrfToken) throw err;
    csrfToken = me.csrfToken;
    answer = await send();
  }
  const { res, text, html } = answer;
  if (res.status === 204 || text.trim() === '') return undefined;
  return parse<T>(path, res.status, text, html);
}

/** GET `url` for its status only (why a WebSocket upgrade was refused); a 401 still ends the session. */
export async function probe(url: string): Promise<{ status: number; text: string }> {
  const res = await fetch(url, { credentials: 'same-origin' });
  const text = await res.text();
  noteStatus(new URL(url, window.location.origin).pathname, res.status);
  return { status: res.status, text };
}

// ---- Loki response shapes ------------------------------------------------------------------

import type { Labels } from './types.js';
export type { Labels };

export interface StreamResult {
  stream: Labels;
  /** [ns timestamp, line] or [ns, line, {structuredMetadata, parsed}] with categorize-labels. */
  values: [string, string, { structuredMetadata?: Labels; parsed?: Labels }?][];
}
export interface MatrixResult {
  metric: Labels;
  values: [number, string][];
}
export interface VectorResult {
  metric: Labels;
  value: [number, string];
}
export interface QueryStats {
  summary?: { execTime?: number; totalLinesProcessed?: number; totalBytesProcessed?: number; totalEntriesReturned?: number };
  [k: string]: unknown;
}
export type QueryData =
  | { resultType: 'streams'; result: StreamResult[]; stats?: QueryStats }
  | { resultType: 'matrix'; result: MatrixResult[]; stats?: QueryStats }
  | { resultType: 'vector'; result: VectorResult[]; stats?: QueryStats }
  | { resultType: 'scalar'; result: [number, string]; stats?: QueryStats };
export interface QueryResponse {
  status: string;
  data: QueryData;
}
