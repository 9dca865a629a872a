/**
 * The admin page's data: users and API tokens as /api/v1/auth/{users,tokens} list them, their
 * status, and the create requests built from the forms, checked before they are sent
 * (docs/specs/auth.md "Credentials"). Pure: no DOM, tested under node.
 */
import { SCOPES } from '../auth/me.js';
import { formatAgo } from '../overview/format.js';

export interface UserRecord {
  name: string;
  scopes: string[];
  tenants: string[] | '*';
  defaultTenant?: string;
  disabled: boolean;
  /** Epoch ms. */
  expiresAt?: number;
  createdAt?: number;
  lastUsedAt?: number;
}

export interface TokenRecord {
  /** The lookup id (`lst_<id>_…`), never the secret. */
  id: string;
  name: string;
  scopes: string[];
  tenants: string[] | '*';
  defaultTenant?: string;
  createdBy?: string;
  createdAt?: number;
  expiresAt?: number;
  revokedAt?: number;
  lastUsedAt?: number;
}

/** Epoch ms from an RFC 3339 string or a number of epoch ms; undefined for null, absent or garbage. */
export function timeOf(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) && v > 0 ? v : undefined;
  if (typeof v !== 'string' || v === '') return undefined;
  const ms = Date.parse(v);
  return Number.isNaN(ms) || ms <= 0 ? undefined : ms;
}

function listOf(v: unknown, key: string): Record<string, unknown>[] {
  const arr = Array.isArray(v) ? v : typeof v === 'object' && v !== null ? ((v as Record<string, unknown>)[key] ?? (v as Record<string, unknown>).data) : undefined;
  if (!Array.isArray(arr)) throw new Error(`cannot read the ${key} list: the answer has no "${key}" array`);
  return arr.filter((x): x is Record<string, unknown> => typeof x === 'object' && x !== null);
}

const strings = (x: unknown): string[] => (Array.isArray(x) ? x.filter((s): s is string => typeof s === 'string') : []);
const tenantsOf = (x: unknown): string[] | '*' => (x === '*' ? '*' : strings(x));
const str = (x: unknown): string | undefined => (typeof x === 'string' && x !== '' ? x : undefined);

/** `GET /api/v1/auth/users`: `{"users": [...]}` (a bare array is read too). */
export function parseUsers(v: unknown): UserRecord[] {
  return listOf(v, 'users').map((u) => ({
    name: String(u.name ?? ''),
    scopes: strings(u.scopes),
    tenants: tenantsOf(u.tenants),
    defaultTenant: str(u.defaultTenant),
    disabled: u.disabled === true,
    expiresAt: timeOf(u.expiresAt),
    createdAt: timeOf(u.createdAt),
    lastUsedAt: timeOf(u.lastUsedAt),
  }));
}

/** `GET /api/v1/auth/tokens`: `{"tokens": [...]}` (a bare array is read too). */
export function parseTokens(v: unknown): TokenRecord[] {
  return listOf(v, 'tokens').map((t) => ({
    id: String(t.id ?? ''),
    name: String(t.name ?? ''),
    scopes: strings(t.scopes),
    tenants: tenantsOf(t.tenants),
    defaultTenant: str(t.defaultTenant),
    createdBy: str(t.createdBy),
    createdAt: timeOf(t.createdAt),
    expiresAt: timeOf(t.expiresAt),
    revokedAt: timeOf(t.revokedAt),
    lastUsedAt: timeOf(t.lastUsedAt),
  }));
}

export type CredentialStatus = 'active' | 'disabled' | 'expired' | 'revoked';

export function userStatus(u: UserRecord, nowMs: number): CredentialStatus {
  if (u.disabled) return 'disabled';
  if (u.expiresAt !== undefined && u.expiresAt <= nowMs) return 'expired';
  return 'active';
}

export function tokenStatus(t: TokenRecord, nowMs: number): CredentialStatus {
  if (t.revokedAt !== undefined) return 'revoked';
  if (t.expiresAt !== undefined && t.expiresAt <= nowMs) return 'expired';
  return 'active';
}

/** Active tokens first, newest first within each group. */
export function sortTokens(tokens: TokenRecord[], nowMs: number): TokenRecord[] {
  const rank = (t: TokenRecord): number => (tokenStatus(t, nowMs) === 'active' ? 0 : 1);
  return [...tokens].sort((a, b) => rank(a) - rank(b) || (b.createdAt ?? 0) - (a.createdAt ?? 0) || a.name.localeCompare(b.name));
}

/** "2025-11-22 14:03 (3 d ago)" in the browser's zone, `never` for no time; future times say "in …". */
export function formatWhen(ms: number | undefined, nowMs: number, never = 'never'): string {
  if (ms === undefined) return never;
  const d = new Date(ms);
  const p = (n: number): string => String(n).padStart(2, '0');
  const stamp = `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
  return `${stamp} (${ms > nowMs ? formatIn(ms - nowMs) : formatAgo(ms, nowMs)})`;
}

/** A time ahead, rounded to its largest unit: an expiry 30 days out reads "in 30 d" a second after it was set. */
function formatIn(ms: number): string {
  const s = ms / 1000;
  if (s < 60) return 'in less than a minute';
  if (s < 3600) return `in ${Math.round(s / 60)} min`;
  if (s < 86_400) return `in ${Math.round(s / 3600)} h`;
  return `in ${Math.round(s / 86_400)} d`;
}

/** Scopes in one order everywhere (logs before rules, read before write, admin last); unknown ones at the end. */
export function formatScopes(scopes: string[]): string {
  const rank = (s: string): number => {
    const i = (SCOPES as readonly string[]).indexOf(s);
    return i < 0 ? SCOPES.length : i;
  };
  return [...scopes].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b)).join(', ') || '—';
}

export function formatTenants(tenants: string[] | '*', defaultTenant?: string): string {
  if (tenants === '*') return defaultTenant && defaultTenant !== 'default' ? `every tenant (default ${defaultTenant})` : 'every tenant';
  if (tenants.length === 0) return 'none';
  return tenants.map((t) => (t === defaultTenant && tenants.length > 1 ? `${t} (default)` : t)).join(', ');
}

/**
 * A refused action for people: the server's messages already read `cannot <verb> <object>: <cause>`
 * (capitalised here); anything else gets that frame.
 */
export function failureMessage(what: string, err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  if (/^cannot /i.test(msg)) return msg.charAt(0).toUpperCase() + msg.slice(1);
  return `Cannot ${what}: ${msg}`;
}

// ---- forms ----------------------------------------------------------------------------------

const USER_NAME_RE = /^[a-zA-Z0-9._@-]{1,64}$/;
const TENANT_RE = /^[a-zA-Z0-9!\-_.*'()]{1,150}$/;

/** Why `name` cannot be a user name, or undefined. */
export function userNameProblem(name: string): string | undefined {
  if (name === '') return 'Enter a user name.';
  if (!USER_NAME_RE.test(name)) return 'A user name has 1 to 64 letters, digits and . _ @ -.';
  return undefined;
}

/** The tenants field: `*` for every tenant, else names separated by commas or spaces. */
export function parseTenantsInput(text: string): { tenants: string[] | '*' } | { error: string } {
  const parts = text.split(/[\s,]+/).filter(Boolean);
  if (parts.length === 0) return { error: 'Enter at least one tenant, or * for every tenant.' };
  if (parts.includes('*')) return parts.length === 1 ? { tenants: '*' } : { error: '* already means every tenant; give it alone.' };
  const bad = parts.find((t) => !TENANT_RE.test(t) || t === '.' || t === '..');
  if (bad !== undefined) return { error: `"${bad}" is not a tenant name (up to 150 letters, digits and !-_.'()).` };
  if (parts.includes('_audit')) return { error: 'The _audit tenant is reserved: admins read it with the admin scope.' };
  return { tenants: [...new Set(parts)] };
}

export interface AccessForm {
  scopes: string[];
  tenants: string;
  /** Empty = the server's choice (the first tenant, or `default` with `*`). */
  defaultTenant: string;
}

type Access = { scopes: string[]; tenants: string[] | '*'; defaultTenant?: string };

function accessOf(f: AccessForm): Access | { error: string } {
  const scopes = f.scopes.filter((s) => (SCOPES as readonly string[]).includes(s));
  if (scopes.length === 0) return { error: 'Choose at least one scope.' };
  const t = parseTenantsInput(f.tenants);
  if ('error' in t) return t;
  const def = f.defaultTenant.trim();
  if (def && t.tenants !== '*' && !t.tenants.includes(def)) return { error: `The default tenant ${def} must be one of the tenants.` };
  if (def && !TENANT_RE.test(def)) return { error: `"${def}" is not a tenant name.` };
  return { scopes, tenants: t.tenants, ...(def ? { defaultTenant: def } : {}) };
}

export interface UserForm extends AccessForm {
  name: string;
  password: string;
  confirm: string;
}

export type CreateUserBody = Access & { name: string; password: string };

export function userRequest(f: UserForm): { body: CreateUserBody } | { error: string } {
  const name = f.name.trim();
  const bad = userNameProblem(name);
  if (bad) return { error: bad };
  const pw = passwordProblem(f.password, f.confirm);
  if (pw) return { error: pw };
  const access = accessOf(f);
  if ('error' in access) return access;
  return { body: { name, password: f.password, ...access } };
}

/** Why a new password cannot be sent, or undefined (the server has the last word on strength). */
export function passwordProblem(password: string, confirm: string): string | undefined {
  if (password === '') return 'Enter a password.';
  if (password !== confirm) return 'The passwords do not match.';
  return undefined;
}

/** Token lifetimes offered; `ttl` is sent as is, `date` sends `expiresAt`, `never` neither. */
export const EXPIRY_CHOICES = [
  { value: '7d', label: '7 days' },
  { value: '30d', label: '30 days' },
  { value: '90d', label: '90 days' },
  { value: '365d', label: '1 year' },
  { value: 'never', label: 'Never' },
  { value: 'date', label: 'On a date…' },
] as const;
export type ExpiryChoice = (typeof EXPIRY_CHOICES)[number]['value'];

export interface TokenForm extends AccessForm {
  name: string;
  expiry: ExpiryChoice;
  /** `YYYY-MM-DD` from a date input, with `expiry: 'date'`: the token expires at the end of that local day. */
  expiryDate: string;
}

export type CreateTokenBody = Access & { name: string; ttl?: string; expiresAt?: string };

export function tokenRequest(f: TokenForm, nowMs: number): { body: CreateTokenBody } | { error: string } {
  const name = f.name.trim();
  if (name === '') return { error: 'Name the token after what uses it (say, "vector-prod").' };
  if (!USER_NAME_RE.test(name)) return { error: 'A token name has 1 to 64 letters, digits and . _ @ -.' };
  const access = accessOf(f);
  if ('error' in access) return access;
  const body: CreateTokenBody = { name, ...access };
  if (f.expiry === 'date') {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(f.expiryDate);
    if (!m) return { error: 'Choose the day the token expires.' };
    const end = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]), 23, 59, 59).getTime();
    if (!(end > nowMs)) return { error: 'The expiry day is in the past.' };
    body.expiresAt = new Date(end).toISOString();
  } else if (f.expiry !== 'never') {
    body.ttl = f.expiry;
  }
  return { body };
}
