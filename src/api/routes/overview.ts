/**
 * `GET /api/v1/overview` — what the dashboard's overview page shows, in one answer: lines per
 * second over time, lines and errors by service, the most frequent error messages, the store's
 * size and the ingest queue's depth. Parameters: `since` (default 1h) or `start`/`end`, as
 * Loki's query API takes them; `X-Scope-OrgID` picks the tenant(s).
 *
 * Counting happens in the store (`countBuckets` without metadata). Error messages are grouped
 * by their shape — numbers, hex ids, UUIDs, IP addresses and timestamps replaced by
 * placeholders — over the newest `ERROR_SAMPLE` error and critical lines of the range; the answer
 * says how many lines that sample held.
 */
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.js';
import { requestTenants } from '../auth-resolver.js';
import { rangeParams, type Params } from '../params.js';
import { storageOf, withQueryLimits } from './query.js';
import type { Labels } from '../../model/labels.js';
import type { Nanos } from '../../model/entry.js';
import type { StreamInfo } from '../../storage/storage.js';
import { formatRfc3339Nano } from '../../query/time.js';

/** Labels that name a stream's service, in order of preference. */
export const SERVICE_LABELS = ['service', 'service_name', 'app', 'job', 'container', 'index'] as const;
const ERROR_SAMPLE = 5000;
const TOP_ERRORS = 10;
const MAX_POINTS = 120;
const NICE_STEPS_S = [10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];

export interface ServiceRef {
  /** The label that names the service (`service`, else `service_name`, `app`, …). */
  label: string;
  value: string;
}

export function serviceOf(labels: Labels): ServiceRef {
  for (const l of SERVICE_LABELS) {
    const v = labels[l];
    if (v !== undefined && v !== '') return { label: l, value: v };
  }
  return { label: '', value: 'unknown' };
}

/** A LogQL selector for a service (a stream with none of the service labels: all its labels). */
function selectorOf(ref: ServiceRef, labels: Labels): string {
  if (ref.label) return `{${ref.label}=${JSON.stringify(ref.value)}}`;
  const pairs = Object.entries(labels).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
  return `{${pairs.join(', ')}}`;
}

/** Fields that hold a structured line's message, in the order they are looked for. */
const MESSAGE_KEYS = ['msg', 'message', 'error', 'err', 'error_message', 'event'];
const LOGFMT_MESSAGE = MESSAGE_KEYS.map((k) => new RegExp(`(?:^|\\s)${k}=("(?:[^"\\\\]|\\\\.)*"|[^\\s"]+)`));

/**
 * The message of a structured line: the first of MESSAGE_KEYS holding a non-empty string in a
 * JSON object line, or a logfmt pair of that name; undefined for other lines.
 */
export function messageOf(line: string): string | undefined {
  const t = line.trimStart();
  if (t.startsWith('{')) {
    if (t.length > 64 * 1024) return undefined;
    try {
      const o = JSON.parse(t) as unknown;
      if (o === null || typeof o !== 'object' || Array.isArray(o)) return undefined;
      for (const k of MESSAGE_KEYS) {
        const v = (o as Record<string, unknown>)[k];
        if (typeof v === 'string' && v.trim() !== '') return v;
      }
    } catch {
      // Not JSON after all: shaped as raw text.
    }
    return undefined;
  }
  for (const re of LOGFMT_MESSAGE) {
    const m = re.exec(line.length > 4096 ? line.slice(0, 4096) : line);
    if (!m) continue;
    const v = m[1];
    if (!v.startsWith('"')) return v;
    try {
      return JSON.parse(v) as string;
    } catch {
      return v.slice(1, -1);
    }
  }
  return undefined;
}

/**
 * The shape of an error message, so repeats of one error group together: the message field of a
 * JSON or logfmt line (else the line), with variable parts replaced — UUIDs, addresses, times,
 * hexadecimal ids (with a letter; an epoch is a number) and numbers.
 */
export function messageShape(line: string): string {
  return (messageOf(line) ?? line)
    .slice(0, 500)
    .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<uuid>')
    .replace(/\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b/g, '<ip>')
    .replace(/\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?/g, '<time>')
    .replace(/\b(?=[0-9a-f]*[a-f])(?=[0-9a-f]*\d)[0-9a-f]{8,}\b/gi, '<hex>')
    .replace(/\d+(?:\.\d+)?/g, '<n>')
    .replace(/\s+/g, ' ')
    .trim();
}

function stepFor(rangeNs: bigint): number {
  const rangeS = Number(rangeNs / 1_000_000_000n);
  return NICE_STEPS_S.find((s) => rangeS / s <= MAX_POINTS) ?? Math.ceil(rangeS / MAX_POINTS);
}

interface ServiceRow {
  service: string;
  label: string;
  selector: string;
  lines: number;
  errors: number;
  bytes: number;
}

interface ErrorGroup {
  pattern: string;
  /** The newest line of the group. */
  example: string;
  /** Its message as written (the message field of a JSON or logfmt line, else the line). */
  sample: string;
  count: number;
  service: string;
  selector: string;
  lastSeen: Nanos;
}

export async function overviewRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.get('/api/v1/overview', async (req, reply) => {
    const storage = storageOf(ctx);
    const range = rangeParams(req.query as Params, ctx.config);
    const tenants = requestTenants(req);
    const stepS = stepFor(range.end - range.start);
    const width = BigInt(stepS) * 1_000_000_000n;
    // Buckets [start + k·step, start + (k+1)·step): origin one nanosecond before start.
    const origin = range.start - 1n;
    const nBuckets = Math.ceil(Number(range.end - range.start) / Number(width)) || 1;

    const result = await withQueryLimits(ctx, reply, async (signal) => {
      const lines = new Array<number>(nBuckets).fill(0);
      const errors = new Array<number>(nBuckets).fill(0);
      const services = new Map<string, ServiceRow>();
      const groups = new Map<string, ErrorGroup>();
      let streamsSeen = 0;
      let sampled = 0;
      for (const tenant of tenants) {
        const streams = await storage.streams(tenant, range.start, range.end);
        streamsSeen += streams.length;
        if (streams.length === 0) continue;
        const byId = new Map<bigint, StreamInfo>(streams.map((s) => [s.id, s]));
        const streamIds = streams.map((s) => s.id);
        const rows = await storage.countBuckets({ tenant, streamIds, start: range.start, end: range.end, origin, width, metadataKeys: [], signal });
        for (const r of rows) {
          const stream = byId.get(r.streamId);
          if (!stream || r.bucket < 0 || r.bucket >= nBuckets) continue;
          const isError = r.level === 'error' || r.level === 'critical';
          lines[r.bucket] += r.count;
          if (isError) errors[r.bucket] += r.count;
          const ref = serviceOf(stream.labels);
          const key = `${ref.label}\x00${ref.value}`;
          let row = services.get(key);
          if (!row) {
            row = { service: ref.value, label: ref.label, selector: selectorOf(ref, stream.labels), lines: 0, errors: 0, bytes: 0 };
            services.set(key, row);
          }
          row.lines += r.count;
          row.bytes += r.bytes;
          if (isError) row.errors += r.count;
        }
        // The newest error lines, grouped by shape.
        const left = ERROR_SAMPLE - sampled;
        if (left <= 0) continue;
        for await (const chunk of storage.select({ tenant, streamIds, start: range.start, end: range.end, direction: 'backward', levels: ['error', 'critical'], limit: left, signal })) {
          for (const r of chunk) {
            sampled++;
            const stream = byId.get(r.streamId);
            const ref = serviceOf(stream?.labels ?? {});
            const pattern = messageShape(r.line);
            const key = `${ref.value}\x00${pattern}`;
            const g = groups.get(key);
            if (g) {
              g.count++;
              if (r.ts > g.lastSeen) {
                g.lastSeen = r.ts;
                g.example = r.line;
                g.sample = messageOf(r.line) ?? r.line;
              }
            } else {
              groups.set(key, { pattern, example: r.line, sample: messageOf(r.line) ?? r.line, count: 1, service: ref.value, selector: selectorOf(ref, stream?.labels ?? {}), lastSeen: r.ts });
            }
          }
        }
      }
      return { lines, errors, services, groups, streamsSeen, sampled };
    }, tenants);

    const bytes = await storage.sizeBytes();
    // PostgreSQL with TimescaleDB: how much of it is compressed, and what that part was before.
    const compression = storage.compressionStats ? await storage.compressionStats() : undefined;
    const depth = ctx.queue ? ctx.queue.depth() : null;
    const startS = Number(range.start / 1_000_000n) / 1000;
    const totals = { lines: 0, errors: 0, bytes: 0, streams: result.streamsSeen, services: result.services.size };
    for (const s of result.services.values()) {
      totals.lines += s.lines;
      totals.errors += s.errors;
      totals.bytes += s.bytes;
    }
    return {
      start: formatRfc3339Nano(range.start),
      end: formatRfc3339Nano(range.end),
      stepSeconds: stepS,
      totals,
      /** [unix seconds of the bucket start, lines per second, error lines per second]. */
      ingestRate: result.lines.map((n, k) => [startS + k * stepS, n / stepS, result.errors[k] / stepS]),
      services: [...result.services.values()].sort((a, b) => b.lines - a.lines || (a.service < b.service ? -1 : 1)),
      topErrors: [...result.groups.values()]
        .sort((a, b) => b.count - a.count || (a.lastSeen < b.lastSeen ? 1 : -1))
        .slice(0, TOP_ERRORS)
        .map((g) => ({ ...g, lastSeen: formatRfc3339Nano(g.lastSeen) })),
      errorSample: { lines: result.sampled, limit: ERROR_SAMPLE },
      storage: { backend: storage.name, bytes, ...(compression ? { compression } : {}) },
      /** Entries accepted and not yet committed in this process (null: this role has no ingest queue). */
      queue: { depth },
    };
  });
}
