/**
 * Validation of streams and entries against `IngestLimits`, with Loki's own error texts so that
 * clients and dashboards keyed on them keep working. Texts follow grafana/loki
 * `pkg/validation/validate.go` and `pkg/distributor/validator.go`; rejections are joined as
 * Loki's `util.GroupedErrors` does (`N errors like: ...; M errors like: ...`).
 *
 * The checks run in Loki's order. Stream: no labels → too many labels (`service_name` not
 * counted) → per label, sorted: name too long, value too long, duplicate name. Entry: too old →
 * too new → line too long → structured metadata too large → too many structured metadata entries.
 */
import type { Labels } from '../../model/labels.js';
import type { Metadata, Nanos, WriteBatch } from '../../model/entry.js';
import type { IngestLimits } from './limits.js';
import { formatRfc3339 } from './timestamp.js';

/** One refused stream or entry. */
export interface Rejection {
  /** The stream's labels as Loki prints them, when known. */
  stream?: string;
  /**
   * Position of the refused entry in the request: 0-based within its stream for Loki push,
   * the 1-based line number for jsonlines. Absent when a whole stream was refused.
   */
  index?: number;
  /** Loki's error text where Loki has one, else `cannot <verb> <object>: <cause>`. */
  reason: string;
}

/**
 * Why entries were refused, with Loki's `reason` label values (pkg/validation/validate.go), as
 * `logs_rejected_total{reason}` counts them; `invalid` is an entry that could not be decoded at
 * all (Loki answers those 400 without counting a reason).
 */
export type DiscardReason =
  | 'invalid'
  | 'missing_labels'
  | 'invalid_labels'
  | 'max_label_names_per_series'
  | 'label_name_too_long'
  | 'label_value_too_long'
  | 'duplicate_label_names'
  | 'greater_than_max_sample_age'
  | 'too_far_in_future'
  | 'line_too_long'
  | 'structured_metadata_too_large'
  | 'structured_metadata_too_many'
  | 'stream_limit'
  | 'rate_limited'
  /** Elasticsearch bulk items past `ingest.elasticsearch.maxItems` (answered 429 each). */
  | 'too_many_items';

/** Refused entries by reason; only reasons that occurred are present. */
export type DiscardCounts = Partial<Record<DiscardReason, number>>;

/** Adds `n` refusals for `reason` to `counts` (created on first use, so a clean request allocates nothing). */
export function countDiscard(counts: DiscardCounts | undefined, reason: DiscardReason, n: number): DiscardCounts {
  const c = counts ?? {};
  c[reason] = (c[reason] ?? 0) + n;
  return c;
}

/**
 * What a decoder returns. Valid entries are in `batch` even when others were refused (Loki's
 * rule: accept what is valid, answer 400 naming the rest). Producers hand `batch` over as is.
 */
export interface DecodeResult {
  batch: WriteBatch;
  /** Entries in `batch`. */
  accepted: number;
  /** Refusals, at most `MAX_REJECTION_RECORDS` of them (`rejectedEntries` has the full count). */
  rejected: Rejection[];
  /** Entries refused, counting every entry of a refused stream. */
  rejectedEntries: number;
  /** `rejectedEntries` by reason; absent when nothing was refused. */
  reasons?: DiscardCounts;
  /**
   * Bytes of the accepted entries as Loki's rate limit counts them (line plus structured
   * metadata names and values, UTF-8); counted only when the decoder was asked to (`countBytes`).
   */
  acceptedBytes: number;
}

export const MAX_REJECTION_RECORDS = 1000;

// ---- Loki's error texts -------------------------------------------------------------------

export const MISSING_STREAMS_MSG = 'error at least one valid stream is required for ingestion';
export const MISSING_LABELS_MSG = 'error at least one label pair is required per stream';

export function invalidLabelsMsg(labels: string, cause: string): string {
  return `Error parsing labels '${labels}' with error: ${cause}`;
}
export function tooManyLabelsMsg(stream: string, n: number, limit: number): string {
  return `entry for stream '${stream}' has ${n} label names; limit ${limit}`;
}
export function labelNameTooLongMsg(stream: string, name: string): string {
  return `stream '${stream}' has label name too long: '${name}'`;
}
export function labelValueTooLongMsg(stream: string, value: string): string {
  return `stream '${stream}' has label value too long: '${value}'`;
}
export function duplicateLabelMsg(stream: string, name: string): string {
  return `stream '${stream}' has duplicate label name: '${name}'`;
}
export function tooOldMsg(stream: string, ts: Nanos, oldest: Nanos): string {
  return `entry for stream '${stream}' has timestamp too old: ${formatRfc3339(ts)}, oldest acceptable timestamp is: ${formatRfc3339(oldest)}`;
}
export function tooNewMsg(stream: string, ts: Nanos): string {
  return `entry for stream '${stream}' has timestamp too new: ${formatRfc3339(ts)}`;
}
export function lineTooLongMsg(limit: number, stream: string, length: number): string {
  return `Max entry size '${limit}' bytes exceeded for stream '${stream}' while adding an entry with length '${length}' bytes`;
}
export function metadataTooLargeMsg(stream: string, size: number, limit: number): string {
  return `stream '${stream}' has structured metadata too large: '${size}' bytes, limit: '${limit}' bytes. Please see \`limits_config.max_structured_metadata_size\` or contact your Loki administrator to increase it.`;
}
export function metadataTooManyMsg(stream: string, n: number, limit: number): string {
  return `stream '${stream}' has too many structured metadata labels: '${n}', limit: '${limit}'. Please see \`limits_config.max_structured_metadata_entries_count\` or contact your Loki administrator to increase it.`;
}
export function streamLimitMsg(stream: string, tenant: string): string {
  return `Maximum active stream limit exceeded when trying to create stream ${stream}, reduce the number of active streams (reduce labels or reduce label values), or contact your Loki administrator to see if the limit can be increased, user: '${tenant}'`;
}
export function rateLimitedMsg(tenant: string, limitBytesPerSecond: number, lines: number, bytes: number): string {
  return `Ingestion rate limit exceeded for user ${tenant} (limit: ${Math.trunc(limitBytesPerSecond)} bytes/sec) while attempting to ingest '${lines}' lines totaling '${bytes}' bytes, reduce log volume or contact your Loki administrator to see if the limit can be increased`;
}
export function bodyTooLargeMsg(size: number, limit: number): string {
  return `request body too large: ${size} bytes, limit: ${limit} bytes`;
}

// ---- checks ---------------------------------------------------------------------------------

/** UTF-8 byte length, computed only when the UTF-16 length cannot already decide `<= limit`. */
export function utf8LengthOver(s: string, limit: number): number {
  if (s.length * 3 <= limit) return -1;
  if (s.length > limit) return Buffer.byteLength(s, 'utf8');
  const n = Buffer.byteLength(s, 'utf8');
  return n > limit ? n : -1;
}

/** `s` cut to at most `maxBytes` bytes of UTF-8, never inside a character. */
export function truncateUtf8(s: string, maxBytes: number): string {
  const buf = Buffer.from(s, 'utf8');
  if (buf.length <= maxBytes) return s;
  let end = maxBytes;
  while (end > 0 && (buf[end] & 0xc0) === 0x80) end--;
  return buf.toString('utf8', 0, end);
}

/** A refused stream: Loki's text and reason. */
export interface LabelsRefusal {
  reason: string;
  code: DiscardReason;
}

/**
 * Checks a stream's labels against the limits. `names` are the label names as the client sent
 * them, duplicates included; `rawText` is the label set as sent (Loki names the stream that way
 * in these errors). Returns Loki's error text and reason, or `null` when the labels are acceptable.
 */
export function checkLabels(labels: Labels, names: readonly string[], rawText: string, limits: IngestLimits): LabelsRefusal | null {
  if (names.length === 0) return { reason: MISSING_LABELS_MSG, code: 'missing_labels' };
  let count = names.length;
  if (labels.service_name !== undefined) count--;
  if (count > limits.maxLabelNamesPerSeries) return { reason: tooManyLabelsMsg(rawText, count, limits.maxLabelNamesPerSeries), code: 'max_label_names_per_series' };
  const sorted = names.length > 1 ? [...names].sort() : names;
  let last = '';
  for (const name of sorted) {
    if (name.length > limits.maxLabelNameLength) return { reason: labelNameTooLongMsg(rawText, name), code: 'label_name_too_long' };
    const v = labels[name];
    if (utf8LengthOver(v, limits.maxLabelValueLength) >= 0) return { reason: labelValueTooLongMsg(rawText, v), code: 'label_value_too_long' };
    if (name === last) return { reason: duplicateLabelMsg(rawText, name), code: 'duplicate_label_names' };
    last = name;
  }
  return null;
}

/** Byte size of structured metadata as Loki counts it: names plus values. */
export function metadataSize(md: Metadata): number {
  let n = 0;
  for (const k in md) n += Buffer.byteLength(k, 'utf8') + Buffer.byteLength(md[k], 'utf8');
  return n;
}

const INVALID_NAME_CHARS = /[^a-zA-Z0-9_]/g;

/**
 * A structured metadata name made a valid label name the way Loki does (OTLP translator's
 * normalisation): invalid characters become `_`, a leading digit gets a `key_` prefix.
 * Returns `''` for an empty name, which callers refuse.
 */
export function normalizeMetadataName(name: string): string {
  if (name.length === 0) return '';
  let n = name;
  for (let i = 0; i < n.length; i++) {
    const c = n.charCodeAt(i);
    if (!((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95)) {
      n = n.replace(INVALID_NAME_CHARS, '_');
      break;
    }
  }
  const c0 = n.charCodeAt(0);
  if (c0 >= 48 && c0 <= 57) n = 'key_' + n;
  return n;
}

/**
 * All rejections as one message, grouped by text like Loki's `GroupedErrors`
 * (`3 errors like: ...; 1 errors like: ...`), first-seen order, at most `maxDistinct` texts.
 */
export function formatRejections(rejected: readonly Rejection[], maxDistinct = 20): string {
  const counts = new Map<string, number>();
  for (const r of rejected) counts.set(r.reason, (counts.get(r.reason) ?? 0) + 1);
  const parts: string[] = [];
  const many = counts.size > 1;
  let omitted = 0;
  for (const [reason, n] of counts) {
    if (parts.length >= maxDistinct) {
      omitted += n;
      continue;
    }
    parts.push(many || n > 1 ? `${n} errors like: ${reason}` : reason);
  }
  let s = parts.join('; ');
  if (omitted > 0) s += ` (and ${omitted} more errors)`;
  return s;
}
