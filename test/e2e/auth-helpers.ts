/**
 * What the authentication end-to-end tests share: configured admin credentials (registered with
 * the secrets check), the admin API, tokens made through it (registered too), and the status of a
 * WebSocket upgrade.
 */
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { generateToken } from '../../src/auth/token.js';
import { randomSecret } from '../../src/auth/token.js';
import { registerSecret } from '../../src/testing/secrets.js';

export interface AdminCredentials {
  token: string;
  password: string;
  /** Environment that makes a server start with them (nothing random is generated then). */
  env: Record<string, string>;
}

export function adminCredentials(): AdminCredentials {
  const { token } = generateToken();
  const password = randomSecret(12);
  registerSecret(token, password);
  return { token, password, env: { LOGSENTINEL_AUTH_ADMIN_TOKEN: token, LOGSENTINEL_AUTH_ADMIN_PASSWORD: password } };
}

/** Calls the JSON API with a bearer token; resolves status and parsed body. */
export async function api(base: string, token: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> { // eslint-disable-line @typescript-eslint/no-explicit-any -- bodies are checked field by field
  const r = await fetch(base + path, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // plain text
  }
  return { status: r.status, body: parsed };
}

export interface MadeToken {
  id: string;
  token: string;
  expiresAt: string | null;
}

/** Creates a token through the admin API and registers it with the secrets check. */
export async function makeToken(base: string, adminToken: string, spec: { name: string; scopes: string[]; tenants: string[] | '*'; ttl?: string }): Promise<MadeToken> {
  const r = await api(base, adminToken, 'POST', '/api/v1/auth/tokens', spec);
  assert.equal(r.status, 201, JSON.stringify(r.body));
  registerSecret(r.body.token);
  return { id: r.body.id, token: r.body.token, expiresAt: r.body.expiresAt };
}

/** The HTTP status a WebSocket upgrade gets: 101 when it opened (then closed), else the refusal's. */
export function wsStatus(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url.replace(/^http/, 'ws'), { headers });
    ws.once('upgrade', () => {
      ws.close();
      resolve(101);
    });
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
      ws.terminate();
    });
    ws.on('error', (err) => reject(err));
  });
}
