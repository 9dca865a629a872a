/**
 * The CLI's side of the admin API (docs/specs/auth.md): where the admin token comes from
 * (`--token`, else `LOGSENTINEL_TOKEN`, else the first-admin file `<dataDir>/initial-admin-credentials`),
 * and one request helper that turns the API's JSON errors into `cannot ...` messages.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CREDENTIALS_FILE, readCredentialsFile } from '../auth/bootstrap.js';

export interface ClientOptions {
  url: string;
  token?: string;
  dataDir?: string;
}

export class CliError extends Error {}

/** The admin token to send, and where it came from (for messages; never the token itself). */
export function adminToken(o: ClientOptions, env: NodeJS.ProcessEnv = process.env): { token: string; from: string } {
  if (o.token) return { token: o.token, from: '--token' };
  if (env.LOGSENTINEL_TOKEN) return { token: env.LOGSENTINEL_TOKEN, from: 'LOGSENTINEL_TOKEN' };
  const dir = o.dataDir ?? env.LOGSENTINEL_DATA_DIR ?? './data';
  const file = join(dir, CREDENTIALS_FILE);
  if (existsSync(file)) {
    const t = readCredentialsFile(file).token;
    if (t) return { token: t, from: file };
  }
  throw new CliError(`no admin token: pass --token, set LOGSENTINEL_TOKEN, or run where ${file} (written at the first start) is readable`);
}

export async function adminRequest<T>(o: ClientOptions, method: string, path: string, body?: unknown): Promise<T> {
  const { token, from } = adminToken(o);
  const url = o.url.replace(/\/+$/, '') + path;
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers: { Authorization: `Bearer ${token}`, ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (err) {
    throw new CliError(`cannot reach ${o.url}: ${(err as Error).cause instanceof Error ? ((err as Error).cause as Error).message : (err as Error).message}`);
  }
  const text = await res.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (!res.ok) {
    const msg = (json as { message?: string } | undefined)?.message ?? (text.trim() || `HTTP ${res.status}`);
    const hint = res.status === 401 ? ` (the admin token from ${from} was refused)` : '';
    throw new CliError(msg + hint);
  }
  return json as T;
}
