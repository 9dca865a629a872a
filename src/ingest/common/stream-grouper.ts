/**
 * StreamGrouper: the one place where decoded (labels, entries) become a validated `WriteBatch`.
 * Every decoder feeds it raw streams and entries; it groups entries by canonical label set
 * (a stream named twice in one request becomes one `StreamEntries`), sorts labels, computes
 * stream ids, validates against `IngestLimits`, detects levels and records refusals.
 *
 * Contract: single use, not shared between requests; `result()` is called once at the end.
 * Entries are appended in request order within each stream; nothing is sorted by time.
 */
import type { LogEntry, Metadata, Nanos, StreamEntries } from '../../model/entry.js';
import { labelsToString, parseLabels, sortLabels, streamId, isValidLabelName, type Labels } from '../../model/labels.js';
import type { IngestLimits } from './limits.js';
import { detectLevel, explicitLevelOf } from './level.js';
import {
  MAX_REJECTION_RECORDS,
  checkLabels,
  countDiscard,
  invalidLabelsMsg,
  lineTooLongMsg,
  metadataSize,
  metadataTooLargeMsg,
  metadataTooManyMsg,
  streamLimitMsg,
  tooNewMsg,
  tooOldMsg,
  truncateUtf8,
  utf8LengthOver,
  type DecodeResult,
  type DiscardCounts,
  type DiscardReason,
  type Rejection,
} from './validate.js';

/** A stream opened in the grouper; pass it back to `add`. */
export interface StreamHandle {
  readonly target: StreamEntries;
  /** A level the stream's labels state (`level`, `severity`, ...), applied to each entry. */
  readonly explicitLevel: string | undefined;
}

export interface GrouperOptions {
  /**
   * Asked once per stream new to this request; `false` refuses the stream with Loki's
   * "Maximum active stream limit exceeded" text. Used by the per-tenant stream limiter.
   */
  admitStream?: (id: bigint, key: string) => boolean;
  /**
   * Count the bytes of accepted entries (`DecodeResult.acceptedBytes`: line plus structured
   * metadata, UTF-8) for the per-tenant rate limit. Off, nothing is measured.
   */
  countBytes?: boolean;
}

interface ParsedLabels {
  labels: Labels; // sorted
  names: string[]; // as sent, duplicates included
  key: string;
}

// Label sets repeat across requests (a client pushes the same streams again and again), so the
// parse of a label-set string and the id of a (tenant, key) are cached. Bounded: cleared when full.
const CACHE_MAX = 20_000;
const parsedCache = new Map<string, ParsedLabels | string>();
const idCache = new Map<string, bigint>();

function cacheSet<V>(m: Map<string, V>, k: string, v: V): void {
  if (m.size >= CACHE_MAX) m.clear();
  m.set(k, v);
}

/** Label names in a syntactically valid label-set string, in order, duplicates included. */
function namesInText(raw: string): string[] {
  const names: string[] = [];
  let i = raw.indexOf('{') + 1;
  const n = raw.length;
  while (i < n) {
    const c = raw[i];
    if (c === '}') break;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === ',') {
      i++;
      continue;
    }
    const start = i;
    while (i < n && raw[i] !== '=' && raw[i] !== ' ' && raw[i] !== '\t') i++;
    names.push(raw.slice(start, i));
    while (i < n && raw[i] !== '"' && raw[i] !== '`') i++;
    const q = raw[i++];
    while (i < n && raw[i] !== q) i += raw[i] === '\\' && q === '"' ? 2 : 1;
    i++;
  }
  return names;
}

function parseLabelText(raw: string): ParsedLabels | string {
  const hit = parsedCache.get(raw);
  if (hit !== undefined) return hit;
  let out: ParsedLabels | string;
  try {
    const parsed = raw.trim() === '' ? {} : parseLabels(raw);
    const labels = sortLabels(parsed);
    const keys = Object.keys(labels);
    const names = raw.split('=').length - 1 === keys.length ? keys : namesInText(raw);
    out = { labels, names, key: labelsToString(labels) };
  } catch (err) {
    out = invalidLabelsMsg(raw, (err as Error).message);
  }
  if (raw.length <= 4096) cacheSet(parsedCache, raw, out);
  return out;
}

export class StreamGrouper {
  private readonly byKey = new Map<string, StreamHandle>();
  private readonly streams: StreamEntries[] = [];
  private readonly rejections: Rejection[] = [];
  private rejectedEntries = 0;
  private reasons: DiscardCounts | undefined;
  private accepted = 0;
  private acceptedBytes = 0;
  private readonly countBytes: boolean;
  private readonly maxTs: Nanos;
  private readonly minTs: Nanos | null;

  constructor(
    readonly tenant: string,
    readonly limits: IngestLimits,
    readonly nowNs: Nanos,
    private readonly opts: GrouperOptions = {},
  ) {
    this.maxTs = nowNs + limits.creationGracePeriodNs;
    this.minTs = limits.rejectOlderThanNs === null ? null : nowNs - limits.rejectOlderThanNs;
    this.countBytes = opts.countBytes === true;
  }

  /**
   * Opens a stream named by a Loki label-set string (`{app="api", env="prod"}`), as the protobuf
   * push and the legacy JSON push send it. Returns `null` when the stream is refused; its
   * `entryCount` entries are then counted as rejected.
   */
  openText(raw: string, entryCount: number): StreamHandle | null {
    const p = parseLabelText(raw);
    if (typeof p === 'string') return this.refuseStream(undefined, p, entryCount, 'invalid_labels');
    return this.open(p, raw, entryCount);
  }

  /** Opens a stream named by a label object (`{"app":"api"}`), as Loki JSON and jsonlines send it. */
  openObject(obj: unknown, entryCount: number): StreamHandle | null {
    if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
      return this.refuseStream(undefined, invalidLabelsMsg(JSON.stringify(obj) ?? String(obj), 'stream labels must be an object of strings'), entryCount, 'invalid_labels');
    }
    const src = obj as Record<string, unknown>;
    const names = Object.keys(src);
    for (const k of names) {
      const v = src[k];
      if (typeof v !== 'string') {
        return this.refuseStream(undefined, invalidLabelsMsg(safeStringify(src), `value of label ${JSON.stringify(k)} is not a string`), entryCount, 'invalid_labels');
      }
      if (!isValidLabelName(k)) {
        return this.refuseStream(undefined, invalidLabelsMsg(safeStringify(src), `invalid label name ${JSON.stringify(k)}`), entryCount, 'invalid_labels');
      }
    }
    const labels = sortLabels(src as Labels);
    const key = labelsToString(labels);
    return this.open({ labels, names, key }, key, entryCount);
  }

  private open(p: ParsedLabels, raw: string, entryCount: number): StreamHandle | null {
    const existing = this.byKey.get(p.key);
    if (existing !== undefined) return existing;
    const err = checkLabels(p.labels, p.names, raw, this.limits);
    if (err !== null) return this.refuseStream(raw, err.reason, entryCount, err.code);
    const idKey = this.tenant + '\x00' + p.key;
    let id = idCache.get(idKey);
    if (id === undefined) {
      id = streamId(this.tenant, p.labels);
      cacheSet(idCache, idKey, id);
    }
    if (this.opts.admitStream !== undefined && !this.opts.admitStream(id, p.key)) {
      return this.refuseStream(p.key, streamLimitMsg(p.key, this.tenant), entryCount, 'stream_limit');
    }
    const target: StreamEntries = { labels: p.labels, key: p.key, id, entries: [] };
    const h: StreamHandle = { target, explicitLevel: explicitLevelOf(p.labels) };
    this.byKey.set(p.key, h);
    this.streams.push(target);
    return h;
  }

  private refuseStream(stream: string | undefined, reason: string, entryCount: number, code: DiscardReason): null {
    this.rejectedEntries += entryCount;
    if (entryCount > 0) this.reasons = countDiscard(this.reasons, code, entryCount);
    this.record(stream === undefined ? { reason } : { stream, reason });
    return null;
  }

  private record(r: Rejection): void {
    if (this.rejections.length < MAX_REJECTION_RECORDS) this.rejections.push(r);
  }

  /** Refuses one entry that could not even be decoded (bad timestamp, wrong type, ...). */
  rejectEntry(h: StreamHandle | null, index: number, reason: string): void {
    this.rejectedEntries++;
    this.reasons = countDiscard(this.reasons, 'invalid', 1);
    this.record(h === null ? { index, reason } : { stream: h.target.key, index, reason });
  }

  /** Refuses something that belongs to no stream (a jsonlines line that is not JSON). */
  rejectLine(index: number, reason: string): void {
    this.rejectedEntries++;
    this.reasons = countDiscard(this.reasons, 'invalid', 1);
    this.record({ index, reason });
  }

  /**
   * Validates one entry and appends it to its stream. `metadata` is owned by the grouper from
   * here on (names must already be normalised). `explicitLevel` is a level the payload states for
   * this entry (a jsonlines field); otherwise the stream's level label, then a metadata level
   * key, then the line itself decide. Returns whether the entry was accepted.
   */
  add(h: StreamHandle, ts: Nanos, line: string, metadata: Metadata | undefined, index: number, explicitLevel?: string): boolean {
    const lim = this.limits;
    if (this.minTs !== null && ts < this.minTs) return this.refuse(h, index, tooOldMsg(h.target.key, ts, this.minTs), 'greater_than_max_sample_age');
    if (ts > this.maxTs) return this.refuse(h, index, tooNewMsg(h.target.key, ts), 'too_far_in_future');
    if (lim.maxLineSize > 0) {
      const len = utf8LengthOver(line, lim.maxLineSize);
      if (len >= 0) {
        if (!lim.maxLineSizeTruncate) return this.refuse(h, index, lineTooLongMsg(lim.maxLineSize, h.target.key, len), 'line_too_long');
        line = truncateUtf8(line, lim.maxLineSize);
      }
    }
    let level = explicitLevel ?? h.explicitLevel;
    let mdBytes = -1;
    if (metadata !== undefined) {
      let count = 0;
      for (const _k in metadata) count++;
      if (count === 0) {
        metadata = undefined;
      } else {
        if (lim.maxStructuredMetadataSize > 0) {
          mdBytes = metadataSize(metadata);
          if (mdBytes > lim.maxStructuredMetadataSize) return this.refuse(h, index, metadataTooLargeMsg(h.target.key, mdBytes, lim.maxStructuredMetadataSize), 'structured_metadata_too_large');
        }
        if (lim.maxStructuredMetadataEntries > 0 && count > lim.maxStructuredMetadataEntries) {
          return this.refuse(h, index, metadataTooManyMsg(h.target.key, count, lim.maxStructuredMetadataEntries), 'structured_metadata_too_many');
        }
        if (level === undefined) level = explicitLevelOf(metadata);
      }
    }
    const e: LogEntry =
      metadata === undefined ? { ts, line, level: detectLevel(line, level) } : { ts, line, level: detectLevel(line, level), metadata };
    h.target.entries.push(e);
    this.accepted++;
    if (this.countBytes) {
      // Loki's rate limit counts the line and the structured metadata (names and values).
      this.acceptedBytes += Buffer.byteLength(line, 'utf8');
      if (metadata !== undefined) this.acceptedBytes += mdBytes >= 0 ? mdBytes : metadataSize(metadata);
    }
    return true;
  }

  private refuse(h: StreamHandle, index: number, reason: string, code: DiscardReason): false {
    this.rejectedEntries++;
    this.reasons = countDiscard(this.reasons, code, 1);
    this.record({ stream: h.target.key, index, reason });
    return false;
  }

  /** The batch (streams with at least one accepted entry) and the refusals. */
  result(): DecodeResult {
    const streams = this.streams.filter((s) => s.entries.length > 0);
    return {
      batch: { tenant: this.tenant, streams },
      accepted: this.accepted,
      rejected: this.rejections,
      rejectedEntries: this.rejectedEntries,
      ...(this.reasons === undefined ? {} : { reasons: this.reasons }),
      acceptedBytes: this.acceptedBytes,
    };
  }
}

function safeStringify(v: unknown): string {
  try {
    const s = JSON.stringify(v) ?? String(v);
    return s.length > 256 ? s.slice(0, 256) + '…' : s;
  } catch {
    return '[unprintable]';
  }
}
