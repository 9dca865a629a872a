/**
 * Loki's query parameters, read from the query string or a form/JSON body, with Loki's defaults
 * and limits: `end` = now, `start` = end - `since` (default 1h), `limit` = 100,
 * `direction` = backward.
 */
import type { FastifyRequest } from 'fastify';
import { LogSentinelError } from '../errors.js';
import type { Nanos } from '../model/entry.js';
import { parseTime, nowNs } from '../query/time.js';
import { parseDuration } from '../logql/duration.js';
import type { Config } from '../config/load.js';

export type Params = Record<string, string | string[] | undefined>;

/** Query-string and body parameters merged (body wins), as Loki reads GET and POST alike. */
export function requestParams(req: FastifyRequest): Params {
  const out: Params = { ...(req.query as Params) };
  const body = req.body;
  if (body && typeof body === 'object' && !Buffer.isBuffer(body)) Object.assign(out, body as Params);
  return out;
}

export function one(p: Params, name: string): string | undefined {
  const v = p[name];
  return Array.isArray(v) ? v[v.length - 1] : v;
}

export function many(p: Params, name: string): string[] {
  const v = p[name];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

export function required(p: Params, name: string): string {
  const v = one(p, name);
  if (v === undefined || v === '') throw new LogSentinelError('INVALID_PARAMETER', `cannot run query: parameter ${name} is required`);
  return v;
}

export function durationNs(name: string, v: string): Nanos {
  if (/^\d+(\.\d+)?$/.test(v)) return BigInt(Math.round(parseFloat(v) * 1e9));
  try {
    return BigInt(parseDuration(v)) * 1_000_000n;
  } catch {
    throw new LogSentinelError('INVALID_PARAMETER', `cannot parse parameter ${name}: ${JSON.stringify(v)} is not a duration`);
  }
}

export interface RangeParams {
  start: Nanos;
  end: Nanos;
  limit: number;
  direction: 'backward' | 'forward';
}

export function rangeParams(p: Params, cfg: Config, opts: { defaultSince?: Nanos } = {}): RangeParams {
  const now = nowNs();
  const end = parseTime('end', one(p, 'end'), now);
  const sinceRaw = one(p, 'since');
  const since = sinceRaw ? durationNs('since', sinceRaw) : (opts.defaultSince ?? 3_600_000_000_000n);
  const start = parseTime('start', one(p, 'start'), end - since);
  if (end < start) throw new LogSentinelError('INVALID_PARAMETER', 'cannot run query: end timestamp must not be before start time');
  const maxLen = BigInt(cfg.query.maxQueryLengthMs) * 1_000_000n;
  if (maxLen > 0n && end - start > maxLen) {
    throw new LogSentinelError(
      'QUERY_LIMIT',
      `the query time range exceeds the limit (query length: ${fmtDur(end - start)}, limit: ${fmtDur(maxLen)})`,
    );
  }
  return { start, end, limit: limitParam(p, cfg), direction: directionParam(p) };
}

export function limitParam(p: Params, cfg: Config): number {
  const raw = one(p, 'limit');
  if (raw === undefined || raw === '') return cfg.query.defaultLimit;
  if (!/^\d+$/.test(raw)) throw new LogSentinelError('INVALID_PARAMETER', `cannot parse parameter limit: ${JSON.stringify(raw)} is not a non-negative integer`);
  const n = Number(raw);
  if (n === 0) throw new LogSentinelError('INVALID_PARAMETER', 'limit must be a positive value');
  if (n > cfg.query.maxEntriesLimit) {
    throw new LogSentinelError('QUERY_LIMIT', `max entries limit per query exceeded, limit > max_entries_limit (${n} > ${cfg.query.maxEntriesLimit})`);
  }
  return n;
}

export function directionParam(p: Params): 'backward' | 'forward' {
  const d = (one(p, 'direction') ?? 'backward').toLowerCase();
  if (d !== 'backward' && d !== 'forward') throw new LogSentinelError('INVALID_PARAMETER', `cannot parse parameter direction: ${JSON.stringify(d)} is not backward or forward`);
  return d;
}

/**
 * The `step` of a range query: a float number of seconds or a Prometheus duration; by default
 * Loki's `max(floor((end - start) / 250s), 1s)` (pkg/loghttp defaultQueryRangeStep).
 */
export function stepParam(p: Params, start: Nanos, end: Nanos): Nanos {
  const raw = one(p, 'step');
  if (raw === undefined || raw === '') {
    const secs = Math.max(Math.floor(Number(end - start) / 1e9 / 250), 1);
    return BigInt(secs) * 1_000_000_000n;
  }
  let step: Nanos;
  if (/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(raw)) step = BigInt(Math.round(parseFloat(raw) * 1e9));
  else {
    try {
      step = BigInt(parseDuration(raw)) * 1_000_000n;
    } catch {
      throw new LogSentinelError('INVALID_PARAMETER', `cannot parse parameter step: ${JSON.stringify(raw)} is not a valid duration`);
    }
  }
  if (step <= 0n) throw new LogSentinelError('INVALID_PARAMETER', 'zero or negative query resolution step widths are not accepted. Try a positive integer');
  return step;
}

function fmtDur(ns: Nanos): string {
  let s = Number(ns / 1_000_000_000n);
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  return `${h}h${m}m${s}s`;
}
