/**
 * JSON lines ingest (`application/x-ndjson`, `application/jsonlines`): one JSON object per line,
 * optionally gzip/deflate/snappy encoded. Field rules (also in docs/ingest.md):
 *
 *  - time:    the first of `_time`, `timestamp`, `@timestamp`, `time`, `ts` that is present:
 *             RFC 3339, or an epoch number / numeric string in s, ms, µs or ns (chosen by digit
 *             count; numbers past 2^53 are read from the line's text so no digit is lost).
 *             Absent, null or "" → the time of the request.
 *  - message: the first string of `_msg`, `message`, `msg`, `log`, `line` (a non-string value is
 *             serialised as JSON); when none is present the whole line, as sent, is the message.
 *  - level:   `level`, `severity`, `lvl`, `log.level` (flat or nested), else detected from the
 *             message. The field also stays in structured metadata.
 *  - labels:  the fields named by `opts.streamFields` (VictoriaLogs' `_stream_fields`), else the
 *             default list `service`, `service_name`, `app`, `job`, `env`, `host`, `namespace`,
 *             `pod`, `container` — those present become stream labels. A line with none of them
 *             gets `service_name="unknown_service"`, as Loki's service name discovery does.
 *  - metadata: every other field. Scalars as strings (null dropped), arrays as JSON, nested
 *             objects flattened: `{"http":{"status":200}}` → `http_status="200"` (names are
 *             normalised to label-name characters, so `.` becomes `_`); past depth 5, JSON.
 *
 * A line that is not a JSON object, or has an unreadable time, is refused with its 1-based line
 * number (`cannot parse line 3 of jsonlines request: ...`); the other lines are accepted.
 */
import type { Metadata } from '../model/entry.js';
import { decompressBody, parseContentEncoding } from './common/body.js';
import type { IngestLimits } from './common/limits.js';
import { StreamGrouper, type GrouperOptions, type StreamHandle } from './common/stream-grouper.js';
import { parseAnyTimestamp } from './common/timestamp.js';
import { normalizeMetadataName, type DecodeResult } from './common/validate.js';
import { flattenInto, safeJson, scalarString } from './common/json-fields.js';

const WHAT = 'jsonlines request';

export const JSONLINES_TIME_FIELDS: readonly string[] = ['_time', 'timestamp', '@timestamp', 'time', 'ts'];
export const JSONLINES_MESSAGE_FIELDS: readonly string[] = ['_msg', 'message', 'msg', 'log', 'line'];
export const JSONLINES_LEVEL_FIELDS: readonly string[] = ['level', 'severity', 'lvl', 'log.level'];
export const JSONLINES_DEFAULT_STREAM_FIELDS: readonly string[] = [
  'service', 'service_name', 'app', 'job', 'env', 'host', 'namespace', 'pod', 'container',
];

export interface JsonLinesOptions extends GrouperOptions {
  /** Fields that become stream labels (the `_stream_fields` query parameter or header). */
  streamFields?: string[];
}

/** The raw text of a numeric field in `text`, to keep digits a JS number dropped. */
function rawNumber(text: string, field: string): string | undefined {
  const at = text.indexOf('"' + field + '"');
  if (at < 0) return undefined;
  const m = /^\s*:\s*(\d+(?:\.\d+)?)/.exec(text.slice(at + field.length + 2, at + field.length + 64));
  return m === null ? undefined : m[1];
}

function nestedLevel(o: Record<string, unknown>): unknown {
  const log = o.log;
  if (log !== null && typeof log === 'object' && !Array.isArray(log)) return (log as Record<string, unknown>).level;
  return undefined;
}

/**
 * Decodes a JSON lines body for `tenant`. Throws `LogSentinelError` only when the body as a whole
 * cannot be read (Content-Encoding, decompression, size); bad lines are refusals in the result.
 */
export function decodeJsonLines(
  body: Buffer,
  contentEncoding: string | undefined,
  tenant: string,
  limits: IngestLimits,
  nowNs: bigint,
  opts: JsonLinesOptions = {},
): DecodeResult {
  const data = decompressBody(body, parseContentEncoding(contentEncoding, WHAT), limits, WHAT, true);
  const g = new StreamGrouper(tenant, limits, nowNs, opts);
  const streamFields = opts.streamFields !== undefined && opts.streamFields.length > 0 ? opts.streamFields : JSONLINES_DEFAULT_STREAM_FIELDS;
  const labelNames = streamFields.map((f) => normalizeMetadataName(f));
  const skip = new Set<string>([...streamFields]);
  const handles = new Map<string, StreamHandle | null>();
  const text = data.toString('utf8');
  let start = 0;
  let lineNo = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    lineNo++;
    const raw = text.slice(start, end).trim();
    start = end + 1;
    if (raw === '') continue;
    decodeLine(raw, lineNo);
  }
  return g.result();

  function decodeLine(raw: string, lineNo: number): void {
    const fail = (cause: string): void => g.rejectLine(lineNo, `cannot parse line ${lineNo} of ${WHAT}: ${cause}`);
    let doc: unknown;
    try {
      doc = JSON.parse(raw);
    } catch (err) {
      return fail((err as Error).message);
    }
    if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return fail('expected a JSON object');
    const o = doc as Record<string, unknown>;

    // stream labels
    const labels: Record<string, string> = {};
    let sig = '';
    for (let i = 0; i < streamFields.length; i++) {
      const v = scalarString(o[streamFields[i]]);
      if (v === undefined || v === '' || labelNames[i] === '') continue;
      labels[labelNames[i]] = v;
      sig += labelNames[i] + '\x00' + v + '\x00';
    }
    if (sig === '') {
      labels.service_name = 'unknown_service';
      sig = 'service_name\x00unknown_service\x00';
    }

    // time
    let ts = nowNs;
    let timeField: string | undefined;
    for (const f of JSONLINES_TIME_FIELDS) {
      const v = o[f];
      if (v === undefined) continue;
      timeField = f;
      if (v === null || v === '') break;
      try {
        ts = parseAnyTimestamp(v, typeof v === 'number' && !Number.isSafeInteger(v) ? rawNumber(raw, f) : undefined);
      } catch (err) {
        return fail(`field ${JSON.stringify(f)}: ${(err as Error).message}`);
      }
      break;
    }

    // message
    let line: string | undefined;
    let msgField: string | undefined;
    for (const f of JSONLINES_MESSAGE_FIELDS) {
      const v = o[f];
      if (v === undefined || v === null) continue;
      msgField = f;
      line = typeof v === 'string' ? v : safeJson(v);
      break;
    }
    if (line === undefined) line = raw;

    // level
    let level: string | undefined;
    for (const f of JSONLINES_LEVEL_FIELDS) {
      const v = scalarString(o[f]);
      if (v !== undefined) {
        level = v;
        break;
      }
    }
    if (level === undefined) level = scalarString(nestedLevel(o));

    // metadata: everything else
    let md: Metadata | undefined;
    for (const k in o) {
      if (k === timeField || k === msgField || skip.has(k)) continue;
      md ??= {};
      flattenInto(md, k, o[k]);
    }

    let h = handles.get(sig);
    if (h === undefined) {
      h = g.openObject(labels, 1);
      handles.set(sig, h);
    } else if (h === null) {
      g.openObject(labels, 1); // records the refusal for this line too
    }
    if (h === null) return;
    g.add(h, ts, line, md, lineNo, level);
  }
}
