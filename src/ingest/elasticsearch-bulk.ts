/**
 * Elasticsearch bulk ingest (`POST /_bulk`, `POST /<index>/_bulk`): NDJSON pairs of an action
 * line and, for `index`/`create`/`update`, a source line. Spec:
 * https://www.elastic.co/guide/en/elasticsearch/reference/current/docs-bulk.html
 *
 * Field rules (also in docs/ingest-elasticsearch.md):
 *  - time:     `timestampField` (default `@timestamp`, flat or nested): RFC 3339 / ISO 8601
 *              (a missing zone means UTC, as Elasticsearch reads it) or epoch millis; like
 *              jsonlines, an epoch number's unit is chosen by its digit count. Absent → the time
 *              of the request plus the item's position in nanoseconds, so identical documents
 *              of one request are not taken for retries of each other.
 *  - message:  `messageField` (default `message`); a non-string is serialised as JSON. Absent →
 *              the source line as sent.
 *  - labels:   the index (`indexLabel`, default `index`) plus those of `ES_BULK_STREAM_FIELDS`
 *              that are present, named like metadata (`service.name` → `service_name`).
 *  - level:    `log.level`, `level`, `severity`, `lvl`, else detected from the message. The field
 *              stays in metadata, except a top-level `level` holding a level word (it would
 *              shadow the normalised level in query answers).
 *  - metadata: every other field, flattened as jsonlines does (`http.status` → `http_status`);
 *              an action's `_id` is kept as `_id`.
 *
 * Errors follow Elasticsearch: a body whose action lines cannot be read (pairing of actions and
 * sources is lost) is refused as a whole (`EsBulkRequestError`, 400); everything else is a
 * per-item error and the other items are stored. `delete` and `update` are per-item errors:
 * LogSentinel is an append-only log store.
 */
import { randomBytes } from 'node:crypto';
import { LogSentinelError } from '../errors.js';
import type { Metadata } from '../model/entry.js';
import { labelsToString, sortLabels, type Labels } from '../model/labels.js';
import { decompressBody, parseContentEncoding } from './common/body.js';
import { JSONLINES_DEFAULT_STREAM_FIELDS } from './jsonlines.js';
import type { IngestLimits } from './common/limits.js';
import { StreamGrouper, type GrouperOptions, type StreamHandle } from './common/stream-grouper.js';
import { parseAnyTimestamp } from './common/timestamp.js';
import { normalizeLevel } from './common/level.js';
import { flattenInto, safeJson, scalarString } from './common/json-fields.js';
import {
  MAX_REJECTION_RECORDS,
  checkLabels,
  countDiscard,
  normalizeMetadataName,
  streamLimitMsg,
  type DecodeResult,
  type DiscardCounts,
  type DiscardReason,
  type LabelsRefusal,
  type Rejection,
} from './common/validate.js';

const WHAT = 'elasticsearch bulk request';

/** Document fields that become stream labels when present (besides the index). */
export const ES_BULK_STREAM_FIELDS: readonly string[] = [
  ...JSONLINES_DEFAULT_STREAM_FIELDS,
  'service.name', 'host.name', 'kubernetes.namespace', 'kubernetes.pod.name', 'kubernetes.container.name',
];
export const ES_BULK_LEVEL_FIELDS: readonly string[] = ['log.level', 'level', 'severity', 'lvl'];
export const ES_BULK_ACTIONS: readonly string[] = ['create', 'delete', 'index', 'update'];

/** Limits of one bulk request beyond `IngestLimits`; Elasticsearch's own defaults where it has one. */
export const ES_BULK_DEFAULTS = Object.freeze({
  /** Items past this many are answered 429 per item, so clients resend them in a later request. */
  maxItems: 50_000,
  /** Elasticsearch `index.mapping.depth.limit`. */
  maxDepth: 20,
  /** Elasticsearch `index.mapping.total_fields.limit`, counted per document. */
  maxFields: 1000,
  /** Elasticsearch's limit on `_id`, in bytes. */
  maxIdBytes: 512,
});

export interface EsBulkOptions extends GrouperOptions {
  timestampField?: string;
  messageField?: string;
  indexLabel?: string;
  /** The `<index>` of `/<index>/_bulk`: the index of actions that name none. */
  pathIndex?: string;
  maxItems?: number;
  maxDepth?: number;
  maxFields?: number;
  /** Makes ids for actions without `_id` (tests pass a deterministic one). */
  newId?: () => string;
}

/** An Elasticsearch error object, as it appears in an item or a top-level error. */
export interface EsError {
  type: string;
  reason: string;
}

/** The outcome of one action, in request order. */
export interface BulkItem {
  /** The action as sent: `index`, `create`, `update` or `delete`. */
  op: string;
  index: string;
  id: string;
  /** 201 when stored. */
  status: number;
  error?: EsError;
}

export interface EsBulkResult extends DecodeResult {
  items: BulkItem[];
}

/** A body that cannot be read as a bulk request at all; answered 400 with Elasticsearch's error shape. */
export class EsBulkRequestError extends LogSentinelError {
  constructor(
    readonly esType: string,
    message: string,
  ) {
    super('PUSH_INVALID', message);
  }
}

// Random bytes are drawn in blocks: one crypto call per id cost a fifth of the decode time.
const ID_BYTES = 15;
const ID_POOL = 256;
let idPool = Buffer.alloc(0);
let idAt = 0;

/** Elasticsearch's auto ids are 20 characters of URL-safe base64 (15 random bytes here). */
export function newBulkId(): string {
  if (idAt >= idPool.length) {
    idPool = randomBytes(ID_BYTES * ID_POOL);
    idAt = 0;
  }
  idAt += ID_BYTES;
  return idPool.toString('base64url', idAt - ID_BYTES, idAt);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** `path` in `o`: a flat key (`"service.name"`) or nested objects (`{"service":{"name":..}}`), as Elasticsearch treats both. */
function lookup(o: Record<string, unknown>, path: string): unknown {
  const flat = o[path];
  if (flat !== undefined || !path.includes('.')) return flat;
  const parts = path.split('.');
  // Try every split point, so `{"log":{"level":..}}` and `{"kubernetes":{"pod.name":..}}` both work.
  for (let i = 1; i < parts.length; i++) {
    const head = o[parts.slice(0, i).join('.')];
    if (isObject(head)) {
      const v = lookup(head, parts.slice(i).join('.'));
      if (v !== undefined) return v;
    }
  }
  return undefined;
}

/**
 * Depth and leaf count of a parsed document, walked without recursion. Returns an error text
 * when a limit is passed, else `null`. Arrays count as one field (as a mapping does).
 */
function checkShape(doc: Record<string, unknown>, maxDepth: number, maxFields: number): EsError | null {
  const stack: Array<[unknown, number, string]> = [[doc, 1, '']];
  let fields = 0;
  while (stack.length > 0) {
    const [v, depth, path] = stack.pop()!;
    if (depth > maxDepth) {
      return { type: 'document_parsing_exception', reason: `Limit of mapping depth [${maxDepth}] has been exceeded due to object field [${path.slice(0, 200)}]` };
    }
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        const x: unknown = v[i];
        if (x !== null && typeof x === 'object') stack.push([x, depth + 1, path]);
      }
    } else if (v !== null && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      for (const k in o) {
        const x = o[k];
        if (x !== null && typeof x === 'object' && !Array.isArray(x)) {
          stack.push([x, depth + 1, path === '' ? k : path + '.' + k]);
          continue;
        }
        if (++fields > maxFields) {
          return { type: 'illegal_argument_exception', reason: `Limit of total fields [${maxFields}] has been exceeded while adding new fields` };
        }
        if (Array.isArray(x)) stack.push([x, depth, path === '' ? k : path + '.' + k]);
      }
    }
  }
  return null;
}

const DATE_ONLY_RE = /^\d{4}-\d{2}-\d{2}$/;
const NO_ZONE_RE = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?$/;
const NO_SECONDS_RE = /^(\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2})((?:[Zz]|[+-]\d{2}:?\d{2})?)$/;

/** Elasticsearch's `strict_date_optional_time||epoch_millis`, read into nanoseconds. */
function parseEsTime(v: unknown, raw: string, field: string): bigint {
  if (typeof v === 'string') {
    let s = v.trim();
    if (DATE_ONLY_RE.test(s)) s += 'T00:00:00Z';
    else if (NO_ZONE_RE.test(s)) s += 'Z';
    const m = NO_SECONDS_RE.exec(s);
    if (m !== null) s = m[1] + ':00' + m[2];
    return parseAnyTimestamp(s);
  }
  if (typeof v === 'number' && !Number.isSafeInteger(v)) {
    // keep the digits of a big number as the client wrote them
    const at = raw.indexOf('"' + field + '"');
    const m = at < 0 ? null : /^\s*:\s*(\d+(?:\.\d+)?)/.exec(raw.slice(at + field.length + 2, at + field.length + 64));
    return parseAnyTimestamp(v, m === null ? undefined : m[1]);
  }
  return parseAnyTimestamp(v);
}

const INVALID_INDEX_CHARS = /[\\/*?"<>| ,#:]/;

/** Elasticsearch's index name rules; returns why `name` is invalid, or `null`. */
export function invalidIndexName(name: string): string | null {
  if (name === '') return 'must not be empty';
  if (name !== name.toLowerCase()) return 'must be lowercase';
  const bad = INVALID_INDEX_CHARS.exec(name);
  if (bad !== null) return `must not contain '${bad[0]}'`;
  if (/^[-_+]/.test(name)) return "must not start with '_', '-', or '+'";
  if (name === '.' || name === '..') return "must not be '.' or '..'";
  if (Buffer.byteLength(name, 'utf8') > 255) return 'index name is too long, (' + Buffer.byteLength(name, 'utf8') + ' > 255)';
  return null;
}

function preview(s: string): string {
  return s.length > 120 ? s.slice(0, 120) + '…' : s;
}

function tokenName(v: unknown): string {
  if (v === null) return 'VALUE_NULL';
  if (Array.isArray(v)) return 'START_ARRAY';
  switch (typeof v) {
    case 'string':
      return 'VALUE_STRING';
    case 'number':
      return 'VALUE_NUMBER';
    case 'boolean':
      return 'VALUE_BOOLEAN';
    default:
      return 'START_OBJECT';
  }
}

interface Action {
  op: string;
  index: string | undefined;
  id: string | undefined;
  line: number;
}

/** Reads one action line; throws `EsBulkRequestError` when it is not one (pairing is lost from there on). */
function parseAction(raw: string, lineNo: number): Action {
  const malformed = (cause: string): never => {
    throw new EsBulkRequestError('illegal_argument_exception', `Malformed action/metadata line [${lineNo}], ${cause}`);
  };
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch (err) {
    throw new EsBulkRequestError('parse_exception', `Malformed action/metadata line [${lineNo}], cannot parse JSON: ${(err as Error).message}`);
  }
  if (!isObject(v)) return malformed(`expected START_OBJECT but found [${tokenName(v)}]`);
  const keys = Object.keys(v);
  if (keys.length !== 1) return malformed(keys.length === 0 ? 'expected FIELD_NAME but found [END_OBJECT]' : 'expected END_OBJECT but found [FIELD_NAME]');
  const op = keys[0];
  if (!ES_BULK_ACTIONS.includes(op)) return malformed(`expected one of [create, delete, index, update] but found [${preview(op)}]`);
  const meta = v[op];
  if (!isObject(meta)) return malformed(`expected START_OBJECT but found [${tokenName(meta)}]`);
  let index: string | undefined;
  let id: string | undefined;
  if (meta._index !== undefined && meta._index !== null) {
    if (typeof meta._index !== 'string') return malformed(`field [_index] must be a string but found [${tokenName(meta._index)}]`);
    index = meta._index;
  }
  if (meta._id !== undefined && meta._id !== null) {
    if (typeof meta._id !== 'string' && typeof meta._id !== 'number') return malformed(`field [_id] must be a string but found [${tokenName(meta._id)}]`);
    id = String(meta._id);
  }
  // Other parameters (routing, pipeline, require_alias, dynamic_templates, _type of 7.x
  // clients, ...) have no meaning here and are accepted and ignored.
  return { op, index, id, line: lineNo };
}

/**
 * Pass 1 of decoding: pairs each action line with its source line (`delete` has none). A
 * malformed action line refuses the whole request before anything is decoded, as Elasticsearch
 * does. Cheap next to decoding the documents.
 */
function pairActions(data: Buffer): Array<{ action: Action; source: string | undefined; sourceLine: number }> {
  let text = data.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // a byte order mark some editors write
  const pairs: Array<{ action: Action; source: string | undefined; sourceLine: number }> = [];
  let start = 0;
  let lineNo = 0;
  let pending: Action | undefined;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    lineNo++;
    const raw = text.slice(start, end).trim();
    start = end + 1;
    if (raw === '') continue;
    if (pending !== undefined) {
      pairs.push({ action: pending, source: raw, sourceLine: lineNo });
      pending = undefined;
      continue;
    }
    const a = parseAction(raw, lineNo);
    if (a.op === 'delete') pairs.push({ action: a, source: undefined, sourceLine: 0 });
    else pending = a;
  }
  if (pending !== undefined) pairs.push({ action: pending, source: undefined, sourceLine: 0 });
  if (pairs.length === 0) throw new EsBulkRequestError('action_request_validation_exception', 'Validation Failed: 1: no requests added;');
  return pairs;
}

/**
 * The per-item answers of a bulk request refused as a whole before its documents were decoded
 * (overload): each action gets `status` with `error`, as Elasticsearch answers a rejected write.
 * Throws as decoding does when the actions cannot be read (or the body is empty).
 */
export function refuseBulkItems(data: Buffer, pathIndex: string | undefined, status: number, error: EsError): BulkItem[] {
  return pairActions(data).map(({ action }) => ({ op: action.op, index: action.index ?? pathIndex ?? '', id: action.id ?? newBulkId(), status, error }));
}

/**
 * Decodes a bulk body for `tenant`. Throws `LogSentinelError` when the body as a whole cannot be
 * read (Content-Encoding, decompression, size; `EsBulkRequestError` for a malformed action
 * line or an empty body); every document problem is an error of its item.
 */
export function decodeEsBulk(
  body: Buffer,
  contentEncoding: string | undefined,
  tenant: string,
  limits: IngestLimits,
  nowNs: bigint,
  opts: EsBulkOptions = {},
): EsBulkResult {
  const data = decompressBody(body, parseContentEncoding(contentEncoding, WHAT), limits, WHAT);
  const tsField = opts.timestampField || '@timestamp';
  const msgField = opts.messageField || 'message';
  const indexLabel = normalizeMetadataName(opts.indexLabel || 'index') || 'index';
  const maxItems = opts.maxItems ?? ES_BULK_DEFAULTS.maxItems;
  const maxDepth = opts.maxDepth ?? ES_BULK_DEFAULTS.maxDepth;
  const maxFields = opts.maxFields ?? ES_BULK_DEFAULTS.maxFields;
  const newId = opts.newId ?? newBulkId;
  const labelFields = ES_BULK_STREAM_FIELDS.filter((f) => f !== tsField && f !== msgField);
  const labelNames = labelFields.map((f) => normalizeMetadataName(f));

  const pairs = pairActions(data);

  // Pass 2: decode the documents.
  const g = new StreamGrouper(tenant, limits, nowNs, opts);
  const handles = new Map<string, StreamHandle | null>();
  const refusals = new Map<string, LabelsRefusal>();
  const items: BulkItem[] = [];
  const ownRejections: Rejection[] = [];
  let ownRejected = 0;
  let reasons: DiscardCounts | undefined;
  const refusedByGrouper: number[] = []; // items the grouper refused (limits), by position

  for (let i = 0; i < pairs.length; i++) {
    const { action, source, sourceLine } = pairs[i];
    const index = action.index ?? opts.pathIndex ?? '';
    const item: BulkItem = { op: action.op, index, id: action.id ?? newId(), status: 201 };
    items.push(item);
    const err = decodeItem(i, item, action, source, sourceLine);
    if (err !== null) {
      item.status = err.status;
      item.error = { type: err.type, reason: err.reason };
      ownRejected++;
      reasons = countDiscard(reasons, err.code ?? 'invalid', 1);
      if (ownRejections.length < MAX_REJECTION_RECORDS) ownRejections.push({ index: i, reason: err.reason });
    }
  }

  const res = g.result();
  if (refusedByGrouper.length > 0) {
    const reasons = new Map<number, string>();
    for (const r of res.rejected) if (r.index !== undefined) reasons.set(r.index, r.reason);
    for (const i of refusedByGrouper) {
      items[i].status = 400;
      // past MAX_REJECTION_RECORDS refusals the grouper keeps no text
      items[i].error = { type: 'illegal_argument_exception', reason: reasons.get(i) ?? 'cannot index document: refused by the ingest limits' };
    }
  }
  for (const [k, n] of Object.entries(res.reasons ?? {})) reasons = countDiscard(reasons, k as DiscardReason, n);
  return {
    batch: res.batch,
    accepted: res.accepted,
    rejected: [...ownRejections, ...res.rejected].slice(0, MAX_REJECTION_RECORDS),
    rejectedEntries: ownRejected + res.rejectedEntries,
    ...(reasons === undefined ? {} : { reasons }),
    acceptedBytes: res.acceptedBytes,
    items,
  };

  function decodeItem(i: number, item: BulkItem, action: Action, source: string | undefined, sourceLine: number): (EsError & { status: number; code?: DiscardReason }) | null {
    const docId = item.id;
    if (action.op === 'delete' || action.op === 'update') {
      return {
        status: 400,
        type: 'illegal_argument_exception',
        reason: `cannot ${action.op} document [${preview(docId)}] in index [${preview(item.index)}]: LogSentinel stores logs append-only, only index and create actions are supported`,
      };
    }
    if (source === undefined) {
      return { status: 400, type: 'action_request_validation_exception', reason: `Validation Failed: 1: source is missing for the ${action.op} action on line ${action.line};` };
    }
    if (item.index === '') return { status: 400, type: 'action_request_validation_exception', reason: 'Validation Failed: 1: index is missing;' };
    const bad = invalidIndexName(item.index);
    if (bad !== null) return { status: 400, type: 'invalid_index_name_exception', reason: `Invalid index name [${preview(item.index)}], ${bad}` };
    if (action.id !== undefined) {
      const n = Buffer.byteLength(action.id, 'utf8');
      if (n > ES_BULK_DEFAULTS.maxIdBytes || n === 0) {
        return { status: 400, type: 'action_request_validation_exception', reason: `Validation Failed: 1: id [${preview(action.id)}] is ${n === 0 ? 'empty' : `too long, must be no longer than ${ES_BULK_DEFAULTS.maxIdBytes} bytes but was: ${n}`};` };
      }
    }
    if (i >= maxItems) {
      return { status: 429, type: 'es_rejected_execution_exception', reason: `cannot index document: this bulk request has more than ${maxItems} items; send the rest again in another request`, code: 'too_many_items' };
    }

    let doc: unknown;
    try {
      doc = JSON.parse(source);
    } catch (err) {
      return { status: 400, type: 'document_parsing_exception', reason: `[${sourceLine}:1] failed to parse: ${(err as Error).message}` };
    }
    if (!isObject(doc)) return { status: 400, type: 'document_parsing_exception', reason: `[${sourceLine}:1] failed to parse: the document must be a JSON object, found [${tokenName(doc)}]` };
    const shape = checkShape(doc, maxDepth, maxFields);
    if (shape !== null) return { status: 400, ...shape };

    // labels
    const labels: Labels = { [indexLabel]: item.index };
    let sig = item.index + '\x00';
    const consumed = new Set<string>();
    for (let k = 0; k < labelFields.length; k++) {
      const name = labelNames[k];
      if (name === '' || name === indexLabel || labels[name] !== undefined) continue;
      const v = scalarString(lookup(doc, labelFields[k]));
      if (v === undefined || v === '') continue;
      labels[name] = v;
      consumed.add(labelFields[k]);
      sig += name + '\x00' + v + '\x00';
    }

    // time
    let ts = nowNs + BigInt(i);
    const tv = lookup(doc, tsField);
    if (tv !== undefined && tv !== null && tv !== '') {
      try {
        ts = parseEsTime(tv, source, tsField);
      } catch (err) {
        return {
          status: 400,
          type: 'document_parsing_exception',
          reason: `[${sourceLine}:1] failed to parse field [${tsField}] of type [date] in document with id '${preview(docId)}': ${(err as Error).message}`,
        };
      }
    }
    consumed.add(tsField);

    // message
    const mv = lookup(doc, msgField);
    let line: string;
    if (mv === undefined || mv === null) {
      line = source;
    } else {
      line = typeof mv === 'string' ? mv : safeJson(mv);
      consumed.add(msgField);
    }

    // level: the field stays in metadata too, as in jsonlines, except a recognised top-level
    // `level`: in query answers a metadata `level` would shadow the entry's normalised level.
    let level: string | undefined;
    for (const f of ES_BULK_LEVEL_FIELDS) {
      level = scalarString(lookup(doc, f));
      if (level === undefined) continue;
      if (f === 'level' && normalizeLevel(level) !== undefined) consumed.add('level');
      break;
    }

    let md: Metadata | undefined;
    for (const k in doc) {
      md ??= {};
      flattenInto(md, k, doc[k], 0, consumed);
    }
    if (action.id !== undefined) {
      md ??= {};
      md._id = action.id;
    }

    let h = handles.get(sig);
    if (h === undefined) {
      h = g.openObject(labels, 0);
      handles.set(sig, h);
      if (h === null) refusals.set(sig, streamRefusal(labels));
    }
    if (h === null) {
      const r = refusals.get(sig) ?? { reason: 'cannot index document: stream refused', code: 'invalid_labels' };
      // Over the active stream limit: 429, as Loki answers it, so shippers resend the item later.
      if (r.code === 'stream_limit') return { status: 429, type: 'es_rejected_execution_exception', reason: r.reason, code: r.code };
      return { status: 400, type: 'illegal_argument_exception', reason: r.reason, code: r.code };
    }
    if (!g.add(h, ts, line, md, i, level)) refusedByGrouper.push(i);
    return null;
  }

  /** The grouper's reason for refusing a stream, recomputed (it records stream refusals without an item). */
  function streamRefusal(labels: Labels): LabelsRefusal {
    const sorted = sortLabels(labels);
    const key = labelsToString(sorted);
    return checkLabels(sorted, Object.keys(sorted), key, limits) ?? { reason: streamLimitMsg(key, tenant), code: 'stream_limit' };
  }
}
