/**
 * The UI talks only to LogSentinel's public HTTP APIs (Loki's, Prometheus-style rules/alerts,
 * and /api/v1/overview). Errors come back as `ApiError` carrying the server's own message.
 */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const TENANT_KEY = 'logsentinel.tenant';
export function getTenant(): string {
  return localStorage.getItem(TENANT_KEY) ?? '';
}
export function setTenant(t: string): void {
  if (t) localStorage.setItem(TENANT_KEY, t);
  else localStorage.removeItem(TENANT_KEY);
}

export function headers(): Record<string, string> {
  const t = getTenant();
  return t ? { 'X-Scope-OrgID': t } : {};
}

/** `extraHeaders`: e.g. `X-Loki-Response-Encoding-Flags: categorize-labels` for structured metadata. */
export async function getJson<T>(path: string, params?: Record<string, string | number | undefined>, signal?: AbortSignal, extraHeaders?: Record<string, string>): Promise<T> {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(params ?? {})) if (v !== undefined && v !== '') qs.set(k, String(v));
  const url = path + (qs.toString() ? '?' + qs.toString() : '');
  let res: Response;
  try {
    res = await fetch(url, { headers: { ...headers(), ...extraHeaders }, signal });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError(0, `cannot reach LogSentinel (${(err as Error).message}) — is the server running?`);
  }
  const text = await res.text();
  const html = (res.headers.get('content-type') ?? '').includes('text/html');
  if (!res.ok) {
    let msg = text.trim();
    try {
      const j = JSON.parse(text) as { error?: string; message?: string };
      msg = j.error ?? j.message ?? msg;
    } catch {
      // Loki's errors are plain text
    }
    // A proxy's error page is no message to show: name the status and where it came from.
    if (html) msg = `HTTP ${res.status} from ${path}: the answer is an HTML page, not LogSentinel's (is a proxy in between?)`;
    throw new ApiError(res.status, msg || `HTTP ${res.status}`);
  }
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new ApiError(res.status, `unexpected answer from ${path}: not JSON (${html ? 'an HTML page — is a proxy in between?' : text.slice(0, 80)})`);
  }
}

// ---- Loki response shapes ------------------------------------------------------------------

import type { Labels } from './types';
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
