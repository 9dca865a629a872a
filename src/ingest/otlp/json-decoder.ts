/**
 * Decodes an OTLP/JSON `ExportLogsServiceRequest` into the shared model (model.ts), following
 * the OTLP/HTTP JSON rules (https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding):
 * field names in lowerCamelCase (the proto snake_case names are accepted too); trace and span
 * ids as hex strings, not base64; enums as integers (the enum names are accepted too); 64-bit
 * integers as decimal strings or numbers (without losing digits past 2^53); bytes values as
 * base64; unknown fields ignored.
 *
 * A value of the wrong type is malformed: the whole request fails with a 400 naming its path
 * (`resourceLogs[0].scopeLogs[1].logRecords[2].timeUnixNano: ...`). Limits refuse the record,
 * scope or resource instead, as in the protobuf decoder.
 */
import { LogSentinelError } from '../../errors.js';
import { utf8LengthOver } from '../common/validate.js';
import {
  OTLP_WHAT,
  OtlpKvList,
  stringTooLongMsg,
  tooDeepMsg,
  tooManyAttributesMsg,
  tooManyRecordsMsg,
  tooManyValuesMsg,
  type OtlpKeyValue,
  type OtlpLimits,
  type OtlpLogRecord,
  type OtlpResourceLogs,
  type OtlpScopeLogs,
  type OtlpValue,
} from './model.js';

type Obj = Record<string, unknown>;

interface Unit {
  what: string;
  refused?: string;
  /** AnyValues decoded so far (see `OtlpLimits.maxValues`). */
  values: number;
}

function malformed(path: string, cause: string): LogSentinelError {
  return new LogSentinelError('PUSH_INVALID', `cannot parse ${OTLP_WHAT}: ${path}: ${cause}`);
}

function isObj(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** `o[camel]`, else `o[snake]`; `undefined` and `null` both mean absent (proto3 JSON). */
function field(o: Obj, camel: string, snake: string): unknown {
  const v = o[camel];
  if (v !== undefined && v !== null) return v;
  const w = o[snake];
  return w === null ? undefined : w;
}

function list(o: Obj, camel: string, snake: string, path: string): unknown[] {
  const v = field(o, camel, snake);
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw malformed(path === '' ? camel : `${path}.${camel}`, 'expected an array');
  return v;
}

function object(o: Obj, camel: string, snake: string, path: string): Obj | undefined {
  const v = field(o, camel, snake);
  if (v === undefined) return undefined;
  if (!isObj(v)) throw malformed(`${path}.${camel}`, 'expected an object');
  return v;
}

function string(o: Obj, camel: string, snake: string, path: string): string {
  const v = field(o, camel, snake);
  if (v === undefined) return '';
  if (typeof v !== 'string') throw malformed(`${path}.${camel}`, 'expected a string');
  return v;
}

const INT_RE = /^-?\d{1,20}$/;
const U64_MAX = (1n << 64n) - 1n;
const I64_MIN = -(1n << 63n);

/** An int64/uint64/fixed64 given as a decimal string or a JSON number. */
function int64(v: unknown, path: string, unsigned: boolean): bigint {
  let n: bigint;
  if (typeof v === 'string' && INT_RE.test(v)) n = BigInt(v);
  else if (typeof v === 'number' && Number.isInteger(v)) n = BigInt(v);
  else throw malformed(path, `expected an integer or a decimal string, got ${short(v)}`);
  if (unsigned ? n < 0n || n > U64_MAX : n < I64_MIN || n >= -I64_MIN) throw malformed(path, `integer ${n} out of range`);
  return n;
}

function uint32(v: unknown, path: string): number {
  if (v === undefined) return 0;
  const n = int64(v, path, true);
  if (n > 0xffffffffn) throw malformed(path, `integer ${n} out of range`);
  return Number(n);
}

const SEVERITY_NAME_RE = /^SEVERITY_NUMBER_(UNSPECIFIED|TRACE|DEBUG|INFO|WARN|ERROR|FATAL)([234])?$/;
const SEVERITY_BASE: Record<string, number> = { UNSPECIFIED: 0, TRACE: 1, DEBUG: 5, INFO: 9, WARN: 13, ERROR: 17, FATAL: 21 };

function severityNumber(v: unknown, path: string): number {
  if (v === undefined) return 0;
  if (typeof v === 'string') {
    const m = SEVERITY_NAME_RE.exec(v);
    if (m !== null && !(m[1] === 'UNSPECIFIED' && m[2] !== undefined)) return SEVERITY_BASE[m[1]] + (m[2] === undefined ? 0 : Number(m[2]) - 1);
  }
  const n = int64(v, path, false);
  if (n < -2147483648n || n > 2147483647n) throw malformed(path, `enum value ${n} out of range`);
  return Number(n);
}

const HEX_RE = /^[0-9a-fA-F]*$/;

function hexId(v: unknown, bytes: number, path: string): string {
  if (v === undefined || v === '') return '';
  if (typeof v !== 'string' || v.length !== bytes * 2 || !HEX_RE.test(v)) {
    throw malformed(path, `expected ${bytes * 2} hex digits, got ${short(v)}`);
  }
  return v.toLowerCase();
}

const BASE64_RE = /^[A-Za-z0-9+/_-]*={0,2}$/;

function short(v: unknown): string {
  let s: string;
  try {
    s = JSON.stringify(v) ?? String(v);
  } catch {
    s = String(v);
  }
  return s.length > 64 ? s.slice(0, 64) + '…' : s;
}

class JsonWalker {
  records = 0;
  constructor(readonly lim: OtlpLimits) {}

  str(s: string, u: Unit): string {
    const m = this.lim.maxStringBytes;
    if (m > 0) {
      const n = utf8LengthOver(s, m);
      if (n >= 0) {
        u.refused ??= stringTooLongMsg(u.what, n, m);
        return '';
      }
    }
    return s;
  }

  attributes(arr: unknown[], path: string, u: Unit, depth: number, limited: boolean): OtlpKeyValue[] {
    if (arr.length > this.lim.maxAttributes) {
      u.refused ??= tooManyAttributesMsg(depth === 0 ? u.what : u.what + ' (a kvlist value)', arr.length, this.lim.maxAttributes);
      return [];
    }
    const out: OtlpKeyValue[] = [];
    for (let i = 0; i < arr.length; i++) {
      const p = `${path}[${i}]`;
      const kv = arr[i];
      if (!isObj(kv)) throw malformed(p, 'expected a key/value object');
      const key = this.str(string(kv, 'key', 'key', p), u);
      const v = field(kv, 'value', 'value');
      out.push({ key, value: v === undefined ? null : this.anyValue(v, p + '.value', u, depth, limited) });
    }
    return out;
  }

  /** See the protobuf decoder: `depth` counts enclosing arrays/kvlists. */
  anyValue(v: unknown, path: string, u: Unit, depth: number, limited: boolean): OtlpValue {
    if (!isObj(v)) throw malformed(path, 'expected an AnyValue object');
    if (++u.values > this.lim.maxValues) {
      u.refused ??= tooManyValuesMsg(u.what, this.lim.maxValues);
      return null;
    }
    let x: unknown;
    if ((x = field(v, 'stringValue', 'string_value')) !== undefined) {
      if (typeof x !== 'string') throw malformed(path + '.stringValue', 'expected a string');
      return limited ? this.str(x, u) : x;
    }
    if ((x = field(v, 'boolValue', 'bool_value')) !== undefined) {
      if (typeof x !== 'boolean') throw malformed(path + '.boolValue', 'expected true or false');
      return x;
    }
    if ((x = field(v, 'intValue', 'int_value')) !== undefined) return int64(x, path + '.intValue', false);
    if ((x = field(v, 'doubleValue', 'double_value')) !== undefined) {
      if (typeof x === 'number') return x;
      if (typeof x === 'string') {
        if (x === 'NaN') return NaN;
        if (x === 'Infinity') return Infinity;
        if (x === '-Infinity') return -Infinity;
        const n = Number(x);
        if (x.trim() !== '' && !Number.isNaN(n)) return n;
      }
      throw malformed(path + '.doubleValue', `expected a number, got ${short(x)}`);
    }
    if ((x = field(v, 'bytesValue', 'bytes_value')) !== undefined) {
      if (typeof x !== 'string' || !BASE64_RE.test(x)) throw malformed(path + '.bytesValue', 'expected a base64 string');
      return new Uint8Array(Buffer.from(x, x.includes('-') || x.includes('_') ? 'base64url' : 'base64'));
    }
    const arr = field(v, 'arrayValue', 'array_value');
    const kvl = arr === undefined ? field(v, 'kvlistValue', 'kvlist_value') : undefined;
    if (arr === undefined && kvl === undefined) return null;
    const isArray = arr !== undefined;
    const p = path + (isArray ? '.arrayValue' : '.kvlistValue');
    const holder = isArray ? arr : kvl;
    if (!isObj(holder)) throw malformed(p, 'expected an object');
    if (depth + 1 > this.lim.maxDepth) {
      u.refused ??= tooDeepMsg(u.what, this.lim.maxDepth);
      return null;
    }
    const values = list(holder, 'values', 'values', p);
    if (!isArray) return new OtlpKvList(this.attributes(values, p + '.values', u, depth + 1, limited));
    const out: OtlpValue[] = [];
    for (let i = 0; i < values.length; i++) out.push(this.anyValue(values[i], `${p}.values[${i}]`, u, depth + 1, limited));
    return out;
  }

  record(o: unknown, path: string): OtlpLogRecord {
    if (!isObj(o)) throw malformed(path, 'expected a log record object');
    const u: Unit = { what: path, values: 0 };
    const t = field(o, 'timeUnixNano', 'time_unix_nano');
    const ot = field(o, 'observedTimeUnixNano', 'observed_time_unix_nano');
    const body = field(o, 'body', 'body');
    const rec: OtlpLogRecord = {
      timeUnixNano: t === undefined ? 0n : int64(t, path + '.timeUnixNano', true),
      observedTimeUnixNano: ot === undefined ? 0n : int64(ot, path + '.observedTimeUnixNano', true),
      severityNumber: severityNumber(field(o, 'severityNumber', 'severity_number'), path + '.severityNumber'),
      severityText: this.str(string(o, 'severityText', 'severity_text', path), u),
      body: body === undefined ? null : this.anyValue(body, path + '.body', u, 0, false),
      attributes: this.attributes(list(o, 'attributes', 'attributes', path), path + '.attributes', u, 0, true),
      flags: uint32(field(o, 'flags', 'flags'), path + '.flags'),
      traceId: hexId(field(o, 'traceId', 'trace_id'), 16, path + '.traceId'),
      spanId: hexId(field(o, 'spanId', 'span_id'), 8, path + '.spanId'),
      eventName: this.str(string(o, 'eventName', 'event_name', path), u),
    };
    if (u.refused !== undefined) rec.refused = u.refused;
    return rec;
  }

  scopeLogs(o: unknown, path: string): OtlpScopeLogs {
    if (!isObj(o)) throw malformed(path, 'expected a scope logs object');
    const u: Unit = { what: path + ' scope', values: 0 };
    const scope = object(o, 'scope', 'scope', path);
    const s: OtlpScopeLogs = { name: '', version: '', attributes: [], records: [] };
    if (scope !== undefined) {
      s.name = this.str(string(scope, 'name', 'name', path + '.scope'), u);
      s.version = this.str(string(scope, 'version', 'version', path + '.scope'), u);
      s.attributes = this.attributes(list(scope, 'attributes', 'attributes', path + '.scope'), path + '.scope.attributes', u, 0, true);
    }
    const recs = list(o, 'logRecords', 'log_records', path);
    this.records += recs.length;
    if (this.records > this.lim.maxRecordsPerRequest) throw new LogSentinelError('PUSH_INVALID', tooManyRecordsMsg(this.lim.maxRecordsPerRequest));
    for (let i = 0; i < recs.length; i++) s.records.push(this.record(recs[i], `${path}.logRecords[${i}]`));
    if (u.refused !== undefined) s.refused = u.refused;
    return s;
  }

  resourceLogs(o: unknown, path: string): OtlpResourceLogs {
    if (!isObj(o)) throw malformed(path, 'expected a resource logs object');
    const u: Unit = { what: path + ' resource', values: 0 };
    const resource = object(o, 'resource', 'resource', path);
    const res: OtlpResourceLogs = { attributes: [], scopes: [] };
    if (resource !== undefined) res.attributes = this.attributes(list(resource, 'attributes', 'attributes', path + '.resource'), path + '.resource.attributes', u, 0, true);
    const scopes = list(o, 'scopeLogs', 'scope_logs', path);
    for (let i = 0; i < scopes.length; i++) res.scopes.push(this.scopeLogs(scopes[i], `${path}.scopeLogs[${i}]`));
    if (u.refused !== undefined) res.refused = u.refused;
    return res;
  }
}

// A 64-bit integer sent as a bare JSON number loses digits past 2^53 in JSON.parse (a ns
// timestamp has 19). Before parsing, such numbers of the int64 fields are quoted, so no digit a
// client sent is lost. Only keys are followed by `:`, and a quote inside a string is escaped,
// so this cannot match inside a string value.
const LONG_INT_RE = /("(?:timeUnixNano|observedTimeUnixNano|time_unix_nano|observed_time_unix_nano|intValue|int_value)"\s*:\s*)(-?\d{16,})(?=\s*[,}\]])/g;
const LONG_INT_HINT_RE = /:\s*-?\d{16}/;

/** Decodes OTLP/JSON text. Throws LogSentinelError PUSH_INVALID for malformed JSON or shapes. */
export function decodeOtlpJson(text: string, lim: OtlpLimits): OtlpResourceLogs[] {
  if (LONG_INT_HINT_RE.test(text)) text = text.replace(LONG_INT_RE, '$1"$2"');
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new LogSentinelError('PUSH_INVALID', `cannot parse ${OTLP_WHAT}: invalid JSON: ${(err as Error).message}`);
  }
  if (!isObj(doc)) throw malformed('body', 'expected a JSON object with resourceLogs');
  const w = new JsonWalker(lim);
  const rls = list(doc, 'resourceLogs', 'resource_logs', '');
  const out: OtlpResourceLogs[] = [];
  for (let i = 0; i < rls.length; i++) out.push(w.resourceLogs(rls[i], `resourceLogs[${i}]`));
  return out;
}
