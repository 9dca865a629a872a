/** The admin API (docs/specs/auth.md "The UI's API"): users and tokens, scope `admin`. */
import { getJson, sendJson } from '../../api';
import { parseTokens, parseUsers, type CreateTokenBody, type CreateUserBody, type TokenRecord, type UserRecord } from './admin-model';

const USERS = '/api/v1/auth/users';
const TOKENS = '/api/v1/auth/tokens';

export async function listUsers(signal?: AbortSignal): Promise<UserRecord[]> {
  return parseUsers(await getJson<unknown>(USERS, undefined, signal));
}

export async function createUser(body: CreateUserBody): Promise<void> {
  await sendJson('POST', USERS, body);
}

/** `{password}` changes the password, `{disabled}` disables or enables the user. */
export async function updateUser(name: string, patch: { password?: string; disabled?: boolean }): Promise<void> {
  await sendJson('PATCH', `${USERS}/${encodeURIComponent(name)}`, patch);
}

export async function deleteUser(name: string): Promise<void> {
  await sendJson('DELETE', `${USERS}/${encodeURIComponent(name)}`);
}

export async function listTokens(signal?: AbortSignal): Promise<TokenRecord[]> {
  return parseTokens(await getJson<unknown>(TOKENS, undefined, signal));
}

/** The answer's `token` is the secret, shown this once. */
export async function createToken(body: CreateTokenBody): Promise<{ token: string; id?: string }> {
  const r = await sendJson<{ token?: unknown; id?: unknown }>('POST', TOKENS, body);
  if (typeof r?.token !== 'string') throw new Error('cannot create token: the answer has no token');
  return { token: r.token, id: typeof r.id === 'string' ? r.id : undefined };
}

export async function revokeToken(id: string): Promise<void> {
  await sendJson('DELETE', `${TOKENS}/${encodeURIComponent(id)}`);
}
