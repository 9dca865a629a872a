/**
 * A saved query (issue 16): a named LogQL query a tenant keeps on the server, shared by everyone
 * who may read the tenant. This file holds the record, its JSON form and the validation of what
 * the API receives; the store (saved-query-store.ts) keeps records, the routes
 * (src/api/routes/saved-queries.ts) check who asks.
 *
 * Bounds: a name is 1-100 characters after trimming, without control characters, unique per
 * tenant regardless of case (`Errors` and `errors` are one name); a query 1-16,384 characters that
 * LogQL parses; a description at most 2,000 characters. A range is `from`/`to` as Explore's URL
 * keeps them: `now`, `now-<duration>` (ms, s, m, h, d, w, combinable: `now-1h30m`) or an absolute
 * time (epoch milliseconds, or RFC 3339, stored as epoch milliseconds).
 */
import { LogSentinelError } from '../errors.js';
import { parseExpr } from '../logql/index.js';

export const MAX_NAME_LENGTH = 100;
export const MAX_QUERY_LENGTH = 16_384;
export const MAX_DESCRIPTION_LENGTH = 2_000;
/** Largest body the write routes read: the bounds above with room for JSON escaping. */
export const MAX_BODY_BYTES = 64 * 1024;

export interface TimeRange {
  from: string;
  to: string;
}

export interface SavedQuery {
  id: string;
  tenant: string;
  name: string;
  query: string;
  /** Empty when none. */
  description: string;
  /** Absent: opening the query keeps the range the viewer has. */
  range?: TimeRange;
  /** Milliseconds since the epoch. */
  createdAt: number;
  /** User or token name; absent when authentication is off. */
  createdBy?: string;
  updatedAt: number;
  updatedBy?: string;
}

/** What an update may change; `range: null` clears the range, `description: ''` the description. */
export interface SavedQueryPatch {
  name?: string;
  query?: string;
  description?: string;
  range?: TimeRange | null;
}

/** The key names are unique by: case and surrounding space do not make another name. */
export function nameKey(name: string): string {
  return name.normalize('NFC').trim().toLowerCase();
}

/** The API's JSON form: times in RFC 3339, `null` for what is not set. */
export function savedQueryJson(q: SavedQuery): Record<string, unknown> {
  return {
    id: q.id,
    tenant: q.tenant,
    name: q.name,
    query: q.query,
    description: q.description,
    range: q.range ?? null,
    createdAt: new Date(q.createdAt).toISOString(),
    createdBy: q.createdBy ?? null,
    updatedAt: new Date(q.updatedAt).toISOString(),
    updatedBy: q.updatedBy ?? null,
  };
}

function bad(what: string, why: string): LogSentinelError {
  return new LogSentinelError('BAD_REQUEST', `cannot ${what}: ${why}`);
}

// Control characters (C0, DEL, C1) have no place in a name shown in lists.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

function checkName(v: unknown, what: string): string {
  if (typeof v !== 'string') throw bad(what, 'name must be a string');
  const name = v.normalize('NFC').trim();
  if (name === '') throw bad(what, 'name must not be empty');
  if ([...name].length > MAX_NAME_LENGTH) throw bad(what, `name is longer than ${MAX_NAME_LENGTH} characters`);
  if (CONTROL.test(name)) throw bad(what, 'name must not contain control characters');
  return name;
}

function checkQuery(v: unknown, what: string): string {
  if (typeof v !== 'string' || v.trim() === '') throw bad(what, 'query must be a non-empty LogQL string');
  if (v.length > MAX_QUERY_LENGTH) throw bad(what, `query is longer than ${MAX_QUERY_LENGTH} characters`);
  const query = v.trim();
  try {
    parseExpr(query);
  } catch (err) {
    if (err instanceof LogSentinelError && err.status === 400) throw new LogSentinelError(err.code, `cannot ${what}: query is not valid LogQL: ${err.message}`);
    throw err;
  }
  return query;
}

function checkDescription(v: unknown, what: string): string {
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw bad(what, 'description must be a string');
  if ([...v].length > MAX_DESCRIPTION_LENGTH) throw bad(what, `description is longer than ${MAX_DESCRIPTION_LENGTH} characters`);
  return v.trim();
}

const RELATIVE = /^now(-(\d+(\.\d+)?(ms|s|m|h|d|w))+)?$/;
const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/i;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** The milliseconds `now-<duration>` goes back. */
function agoMs(t: string): number {
  let ms = 0;
  for (const m of t.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/g)) ms += Number(m[1]) * UNIT_MS[m[2]];
  return ms;
}

/** One end of a range, normalised (RFC 3339 → epoch ms), or a 400 naming it. */
function checkTime(v: unknown, end: 'from' | 'to', what: string): string {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return String(v);
  if (typeof v !== 'string') throw bad(what, `range.${end} must be now, now-<duration>, epoch milliseconds or an RFC 3339 time`);
  const t = v.trim();
  if (RELATIVE.test(t) || /^\d{1,15}$/.test(t)) return t;
  if (RFC3339.test(t) && !Number.isNaN(Date.parse(t))) return String(Date.parse(t));
  throw bad(what, `range.${end} ${JSON.stringify(v)} is neither now, now-<duration> (such as now-1h), epoch milliseconds nor an RFC 3339 time`);
}

function checkRange(v: unknown, what: string): TimeRange | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'object' || Array.isArray(v)) throw bad(what, 'range must be {"from": ..., "to": ...} or null');
  const r = v as Record<string, unknown>;
  const from = checkTime(r.from, 'from', what);
  const to = checkTime(r.to ?? 'now', 'to', what);
  // Resolved against one instant, `from` must come first (now-1h before now, 1000 before 2000).
  const now = Date.now();
  const at = (t: string): number => (t.startsWith('now') ? now - agoMs(t) : Number(t));
  if (at(from) >= at(to)) throw bad(what, `range.from ${JSON.stringify(from)} must be before range.to ${JSON.stringify(to)}`);
  return { from, to };
}

function body(v: unknown, what: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw bad(what, 'the body must be a JSON object such as {"name": "...", "query": "..."}');
  const b = v as Record<string, unknown>;
  const unknown = Object.keys(b).filter((k) => !['name', 'query', 'description', 'range'].includes(k));
  if (unknown.length > 0) throw bad(what, `unknown field ${JSON.stringify(unknown[0])} (known: name, query, description, range)`);
  return b;
}

/** The whole of a saved query, as POST and PUT take it: name and query required, the rest cleared when absent. */
export function parseSavedQueryInput(v: unknown, what: string): Required<SavedQueryPatch> {
  const b = body(v, what);
  return { name: checkName(b.name, what), query: checkQuery(b.query, what), description: checkDescription(b.description, what), range: checkRange(b.range, what) };
}

/** The fields PATCH changes (at least one). */
export function parseSavedQueryPatch(v: unknown, what: string): SavedQueryPatch {
  const b = body(v, what);
  const p: SavedQueryPatch = {};
  if (b.name !== undefined) p.name = checkName(b.name, what);
  if (b.query !== undefined) p.query = checkQuery(b.query, what);
  if (b.description !== undefined) p.description = checkDescription(b.description, what);
  if (b.range !== undefined) p.range = checkRange(b.range, what);
  if (Object.keys(p).length === 0) throw bad(what, 'the body changes nothing (give any of name, query, description, range)');
  return p;
}
