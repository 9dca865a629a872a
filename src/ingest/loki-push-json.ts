/**
 * Loki's JSON push format, both generations (grafana/loki `pkg/loghttp/entry.go`, `push.go`):
 *
 *   v1:     {"streams":[{"stream":{"app":"api"},"values":[["<ns>","line"],["<ns>","line",{"trace_id":"x"}]]}]}
 *   legacy: {"streams":[{"labels":"{app=\"api\"}","entries":[{"ts":"2023-11-14T22:13:20.123Z","line":"..."}]}]}
 *
 * As in Loki, a v1 timestamp must be a *string* of nanoseconds (a JSON number would already have
 * lost digits) and the optional third element is structured metadata with string values.
 * Unlike Loki, a malformed stream or entry refuses only itself, not the whole request.
 */
import type { Metadata } from '../model/entry.js';
import { LogSentinelError } from '../errors.js';
import type { StreamGrouper, StreamHandle } from './common/stream-grouper.js';
import { parseNanosString, parseRfc3339 } from './common/timestamp.js';
import { MISSING_STREAMS_MSG, normalizeMetadataName } from './common/validate.js';
import { labelsToString } from '../model/labels.js';
import type { LokiPushStream } from './loki-push-proto.js';
import { scanLokiJson } from './loki-push-json-scan.js';

function invalid(cause: string): LogSentinelError {
  return new LogSentinelError('PUSH_INVALID', `cannot parse loki push request: ${cause}`);
}

/** Structured metadata from a v1 entry's third element, names normalised; a string on error. */
function readMetadata(v: unknown): Metadata | string {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return 'structured metadata must be an object of strings';
  const src = v as Record<string, unknown>;
  let out: Record<string, unknown> = src;
  for (const k in src) {
    if (typeof src[k] !== 'string') return `value of structured metadata ${JSON.stringify(k)} is not a string`;
    const n = normalizeMetadataName(k);
    if (n === '') return 'structured metadata name must not be empty';
    if (n !== k) {
      if (out === src) out = { ...src };
      delete out[k];
      out[n] = src[k];
    }
  }
  return out as Metadata;
}

function readV1Values(values: unknown[], g: StreamGrouper, h: StreamHandle): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Array.isArray(v) || v.length < 2 || v.length > 3) {
      g.rejectEntry(h, i, `cannot parse entry ${i} of stream '${h.target.key}': expected ["<unix epoch in nanoseconds>", "<log line>"] with optional structured metadata object`);
      continue;
    }
    const t = v[0];
    const line = v[1];
    if (typeof t !== 'string') {
      g.rejectEntry(h, i, `cannot parse entry ${i} of stream '${h.target.key}': timestamp must be a string of nanoseconds, got ${JSON.stringify(t)}`);
      continue;
    }
    if (typeof line !== 'string') {
      g.rejectEntry(h, i, `cannot parse entry ${i} of stream '${h.target.key}': log line must be a string`);
      continue;
    }
    let ts: bigint;
    try {
      ts = parseNanosString(t);
    } catch (err) {
      g.rejectEntry(h, i, `cannot parse entry ${i} of stream '${h.target.key}': ${(err as Error).message}`);
      continue;
    }
    let md: Metadata | undefined;
    if (v.length === 3) {
      const m = readMetadata(v[2]);
      if (typeof m === 'string') {
        g.rejectEntry(h, i, `cannot parse entry ${i} of stream '${h.target.key}': ${m}`);
        continue;
      }
      md = m;
    }
    g.add(h, ts, line, md, i);
  }
}

function readLegacyEntries(entries: unknown[], g: StreamGrouper, h: StreamHandle): void {
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i] as { ts?: unknown; timestamp?: unknown; line?: unknown } | null;
    if (e === null || typeof e !== 'object' || Array.isArray(e)) {
      g.rejectEntry(h, i, `cannot parse entry ${i} of stream '${h.target.key}': expected {"ts": "<RFC 3339>", "line": "<log line>"}`);
      continue;
    }
    const t = e.ts ?? e.timestamp;
    if (typeof t !== 'string' || typeof e.line !== 'string') {
      g.rejectEntry(h, i, `cannot parse entry ${i} of stream '${h.target.key}': "ts" and "line" must be strings`);
      continue;
    }
    let ts: bigint;
    try {
      ts = /^\+?\d+$/.test(t) ? parseNanosString(t) : parseRfc3339(t);
    } catch (err) {
      g.rejectEntry(h, i, `cannot parse entry ${i} of stream '${h.target.key}': ${(err as Error).message}`);
      continue;
    }
    g.add(h, ts, e.line, undefined, i);
  }
}

/**
 * Decodes Loki JSON text into `g`. Throws PUSH_INVALID when the text is not JSON or not a push
 * request at all; everything finer is a per-stream or per-entry refusal in `g`.
 */
export function decodeLokiJsonInto(text: string, g: StreamGrouper): void {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw invalid((err as Error).message);
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw invalid('expected a JSON object with a "streams" array');
  const streams = (doc as { streams?: unknown }).streams;
  if (streams === undefined || streams === null || (Array.isArray(streams) && streams.length === 0)) {
    throw new LogSentinelError('PUSH_INVALID', MISSING_STREAMS_MSG);
  }
  if (!Array.isArray(streams)) throw invalid('"streams" must be an array');
  for (let si = 0; si < streams.length; si++) {
    const s = streams[si] as Record<string, unknown> | null;
    if (s === null || typeof s !== 'object' || Array.isArray(s)) {
      g.rejectLine(si, `cannot parse stream ${si} of loki push request: expected an object`);
      continue;
    }
    if (s.values !== undefined || s.stream !== undefined) {
      const values = s.values;
      if (!Array.isArray(values)) {
        g.rejectLine(si, `cannot parse stream ${si} of loki push request: "values" must be an array`);
        continue;
      }
      if (values.length === 0) continue; // Loki skips streams without entries
      const h = g.openObject(s.stream ?? {}, values.length);
      if (h !== null) readV1Values(values, g, h);
    } else if (s.entries !== undefined || s.labels !== undefined) {
      const entries = s.entries;
      if (!Array.isArray(entries) || typeof s.labels !== 'string') {
        g.rejectLine(si, `cannot parse stream ${si} of loki push request: legacy streams need a "labels" string and an "entries" array`);
        continue;
      }
      if (entries.length === 0) continue;
      const h = g.openText(s.labels, entries.length);
      if (h !== null) readLegacyEntries(entries, g, h);
    } else {
      g.rejectLine(si, `cannot parse stream ${si} of loki push request: expected "stream" and "values"`);
    }
  }
}

/**
 * Decodes a Loki JSON body from its bytes: the common v1 shape by the scanner of
 * loki-push-json-scan.ts, anything else by `decodeLokiJsonInto`, with the same results.
 */
export function decodeLokiJsonBufferInto(body: Buffer, g: StreamGrouper): void {
  const streams = scanLokiJson(body);
  if (streams === undefined) {
    decodeLokiJsonInto(body.toString('utf8'), g);
    return;
  }
  for (const s of streams) {
    if (s.values.length === 0) continue; // Loki skips streams without entries
    const h = g.openObject(s.labels, s.values.length);
    if (h !== null) readV1Values(s.values, g, h);
  }
}

/** Loki v1 push JSON for `streams` (timestamps as ns strings, metadata as third element). */
export function encodeLokiPushJson(streams: readonly LokiPushStream[]): string {
  let out = '{"streams":[';
  for (let i = 0; i < streams.length; i++) {
    const s = streams[i];
    if (i > 0) out += ',';
    out += '{"stream":' + JSON.stringify(s.stream) + ',"values":[';
    for (let j = 0; j < s.values.length; j++) {
      const [ts, line, md] = s.values[j];
      if (j > 0) out += ',';
      out += '["' + ts.toString() + '",' + JSON.stringify(line);
      if (md !== undefined) out += ',' + JSON.stringify(md);
      out += ']';
    }
    out += ']}';
  }
  return out + ']}';
}

/** The legacy form (`labels` string, `entries` with RFC 3339 `ts`), for compatibility tests. */
export function encodeLokiPushJsonLegacy(streams: ReadonlyArray<{ labels: Record<string, string>; entries: Array<{ ts: string; line: string }> }>): string {
  return JSON.stringify({ streams: streams.map((s) => ({ labels: labelsToString(s.labels), entries: s.entries })) });
}
