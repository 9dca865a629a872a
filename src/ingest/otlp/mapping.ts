/**
 * OTLP log records → LogSentinel streams and entries (the rules are documented for users in
 * docs/ingest-otlp.md; keep the two in step):
 *
 *  - labels:   resource attributes named by `ingest.otlp.resourceLabels` (`attribute[=label]`);
 *              a resource without `service.name` gets `service="unknown_service"` (under
 *              `service.name`'s configured label; `service` when it maps to none and the
 *              resource has no other label).
 *  - metadata: every other resource attribute, the scope's attributes, the record's attributes
 *              (later ones win on a name clash), then `scope_name`, `scope_version`,
 *              `severity_text`, `severity_number`, `flags`, `trace_id`, `span_id`, `event_name`
 *              when set. Kvlists are flattened with `_` (`http: {status: 200}` → `http_status`),
 *              arrays and kvlists past depth 5 are JSON; names are normalised as jsonlines does.
 *  - level:    severity_number by OTLP's ranges (1-4 trace, 5-8 debug, 9-12 info, 13-16 warn,
 *              17-20 error, 21-24 critical), else severity_text when it names a level, else the
 *              usual detection (a `level` attribute, then the line).
 *  - line:     a string body as is; any other body as JSON (scalars as their text); none → ''.
 *  - time:     time_unix_nano, else observed_time_unix_nano, else the time of the request.
 */
import type { Metadata } from '../../model/entry.js';
import type { Level } from '../../model/level.js';
import { normalizeLevel } from '../common/level.js';
import type { StreamGrouper, StreamHandle } from '../common/stream-grouper.js';
import { normalizeMetadataName } from '../common/validate.js';
import { OTLP_WHAT, OtlpKvList, type OtlpKeyValue, type OtlpResourceLogs, type OtlpValue } from './model.js';

/** An all-zero trace or span id is invalid in W3C Trace Context: it means "no id". */
const ZERO_ID = /^0+$/;

/** Past this nesting, a kvlist attribute is stored as JSON instead of being flattened. */
const MAX_FLATTEN_DEPTH = 5;

export const UNKNOWN_SERVICE_LABELS: Readonly<Record<string, string>> = Object.freeze({ service: 'unknown_service' });

/**
 * Parses `ingest.otlp.resourceLabels` entries (`attribute[=label]`) into attribute → label.
 * The label defaults to the attribute with `.` (and any other invalid character) as `_`;
 * entries with an empty attribute are ignored.
 */
export function parseResourceLabels(entries: readonly string[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const raw of entries) {
    const e = raw.trim();
    if (e === '') continue;
    const eq = e.indexOf('=');
    const attr = (eq < 0 ? e : e.slice(0, eq)).trim();
    const named = eq < 0 ? '' : e.slice(eq + 1).trim();
    const label = normalizeMetadataName(named === '' ? attr : named);
    if (attr !== '' && label !== '') m.set(attr, label);
  }
  return m;
}

/** The level stated by an OTLP severity number (1-24), per the spec's ranges. */
export function levelOfSeverityNumber(n: number): Level | undefined {
  if (n < 1 || n > 24) return undefined;
  if (n <= 4) return 'trace';
  if (n <= 8) return 'debug';
  if (n <= 12) return 'info';
  if (n <= 16) return 'warn';
  if (n <= 20) return 'error';
  return 'critical';
}

function bytesText(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64');
}

/** A value as plain JSON data: kvlists as objects, int64 as a number when exact, else a string. */
function toJsonData(v: OtlpValue): unknown {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'bigint') return v >= -9007199254740991n && v <= 9007199254740991n ? Number(v) : v.toString();
  if (typeof v === 'number') return Number.isFinite(v) ? v : String(v);
  if (v instanceof Uint8Array) return bytesText(v);
  if (Array.isArray(v)) return v.map(toJsonData);
  // No prototype: a key named `__proto__` is data here, not a prototype to set.
  const o = Object.create(null) as Record<string, unknown>;
  for (const kv of v.values) o[kv.key] = toJsonData(kv.value);
  return o;
}

/** The text of a value: strings as is, scalars as their text, arrays and kvlists as JSON. */
export function valueText(v: OtlpValue): string {
  if (v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean' || typeof v === 'bigint' || typeof v === 'number') return String(v);
  if (v instanceof Uint8Array) return bytesText(v);
  return JSON.stringify(toJsonData(v));
}

function flattenInto(md: Metadata, prefix: string, v: OtlpValue, depth: number): void {
  if (v === null) return;
  if (v instanceof OtlpKvList && depth < MAX_FLATTEN_DEPTH) {
    for (const kv of v.values) flattenInto(md, prefix + '.' + kv.key, kv.value, depth + 1);
    return;
  }
  const n = normalizeMetadataName(prefix);
  if (n !== '') md[n] = valueText(v);
}

/** Flattens attributes into `md` (normalised names; later attributes win). */
export function attributesToMetadata(attrs: readonly OtlpKeyValue[], md: Metadata): void {
  for (const kv of attrs) flattenInto(md, kv.key, kv.value, 0);
}

/**
 * Feeds decoded resource logs into `g`. Records refused by a limit are rejections naming their
 * position (`resourceLogs[0].scopeLogs[0].logRecords[3]`); record indexes are 0-based over the
 * whole request.
 */
export function mapOtlpLogs(resources: readonly OtlpResourceLogs[], g: StreamGrouper, labelMap: ReadonlyMap<string, string>): void {
  let index = 0;
  for (const res of resources) {
    let count = 0;
    for (const s of res.scopes) count += s.records.length;
    if (count === 0) continue;

    const labels: Record<string, string> = {};
    const resMd: Metadata = {};
    let nLabels = 0;
    for (const kv of res.attributes) {
      const label = labelMap.get(kv.key);
      if (label === undefined) {
        flattenInto(resMd, kv.key, kv.value, 0);
        continue;
      }
      const text = valueText(kv.value);
      if (text === '') continue;
      labels[label] = text;
      nLabels++;
    }
    // Streams name their service, as Loki's service name discovery does: when `service.name` is
    // a label and the resource has none, that label is `unknown_service`; a resource with no
    // label at all gets `service="unknown_service"`.
    const serviceLabel = labelMap.get('service.name') ?? (nLabels === 0 ? 'service' : undefined);
    if (serviceLabel !== undefined && labels[serviceLabel] === undefined) {
      labels[serviceLabel] = UNKNOWN_SERVICE_LABELS.service;
    }
    const h: StreamHandle | null = g.openObject(labels, count);
    if (h === null) {
      index += count;
      continue;
    }

    for (const s of res.scopes) {
      const scopeMd: Metadata = { ...resMd };
      attributesToMetadata(s.attributes, scopeMd);
      for (const rec of s.records) {
        const i = index++;
        const refused = rec.refused ?? s.refused ?? res.refused;
        if (refused !== undefined) {
          g.rejectEntry(h, i, `cannot accept log record ${i} of ${OTLP_WHAT}: ${refused}`);
          continue;
        }
        const md: Metadata = { ...scopeMd };
        attributesToMetadata(rec.attributes, md);
        if (s.name !== '') md.scope_name = s.name;
        if (s.version !== '') md.scope_version = s.version;
        if (rec.severityText !== '') md.severity_text = rec.severityText;
        if (rec.severityNumber !== 0) md.severity_number = String(rec.severityNumber);
        if (rec.flags !== 0) md.flags = String(rec.flags);
        if (rec.traceId !== '' && !ZERO_ID.test(rec.traceId)) md.trace_id = rec.traceId;
        if (rec.spanId !== '' && !ZERO_ID.test(rec.spanId)) md.span_id = rec.spanId;
        if (rec.eventName !== '') md.event_name = rec.eventName;

        let level: string | undefined = levelOfSeverityNumber(rec.severityNumber);
        if (level === undefined && rec.severityText !== '' && normalizeLevel(rec.severityText) !== undefined) level = rec.severityText;
        const ts = rec.timeUnixNano !== 0n ? rec.timeUnixNano : rec.observedTimeUnixNano !== 0n ? rec.observedTimeUnixNano : g.nowNs;
        g.add(h, ts, valueText(rec.body), md, i, level);
      }
    }
  }
}
