/**
 * Decodes a binary `ExportLogsServiceRequest` (schema.ts) by walking the wire with protobufjs'
 * Reader into the shared model (model.ts). Every length-delimited field is checked against its
 * parent's end, so truncated or overlapping bytes fail with a cause instead of being misread.
 *
 * Choices, per the protobuf encoding spec (https://protobuf.dev/programming-guides/encoding/):
 * unknown fields are skipped; a known field with an unexpected wire type is skipped like an
 * unknown one; groups (wire types 3/4, not used by proto3) and field number 0 are malformed.
 * Nesting of AnyValue is bounded by `OtlpLimits.maxDepth`: deeper values are skipped in O(1)
 * (their length is known) and the record is refused, so hostile nesting cannot overflow the stack.
 */
import protobuf from 'protobufjs';
import { LogSentinelError } from '../../errors.js';
import {
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
import { F } from './schema.js';

const VARINT = 0;
const I64 = 1;
const LEN = 2;
const I32 = 5;

/** A malformed message; the caller turns it into a 400 naming the cause. */
export class WireError extends Error {}

/** Collects the first limit a unit (record, scope, resource) breaks. */
interface Unit {
  what: string;
  refused?: string;
  /** AnyValues decoded so far (see `OtlpLimits.maxValues`). */
  values: number;
}

class Walker {
  readonly r: protobuf.Reader;
  records = 0;

  constructor(
    readonly buf: Buffer,
    readonly lim: OtlpLimits,
  ) {
    this.r = protobuf.Reader.create(buf);
  }

  /** Reads a tag; returns [field, wireType]. */
  tag(): [number, number] {
    const t = this.r.uint32();
    const field = t >>> 3;
    if (field === 0) throw new WireError(`invalid field number 0 at offset ${this.r.pos}`);
    return [field, t & 7];
  }

  skip(wt: number, end: number): void {
    const r = this.r;
    switch (wt) {
      case VARINT:
        r.skip();
        break;
      case I64:
        r.skip(8);
        break;
      case LEN: {
        const len = r.uint32();
        if (r.pos + len > end) throw new WireError(`field of ${len} bytes overruns its message at offset ${r.pos}`);
        r.pos += len;
        break;
      }
      case I32:
        r.skip(4);
        break;
      default:
        throw new WireError(`unsupported wire type ${wt} at offset ${this.r.pos}`);
    }
  }

  /** The end offset of a length-delimited field starting at the reader's position. */
  sub(end: number, what: string): number {
    const len = this.r.uint32();
    const e = this.r.pos + len;
    if (e > end) throw new WireError(`${what} overruns its parent at offset ${this.r.pos}`);
    return e;
  }

  /** Checks a message ended exactly at `end`. */
  done(end: number, what: string): void {
    if (this.r.pos !== end) throw new WireError(`${what} overruns its end at offset ${end}`);
  }

  str(end: number, u: Unit, limited: boolean): string {
    const e = this.sub(end, 'string');
    const len = e - this.r.pos;
    if (limited && this.lim.maxStringBytes > 0 && len > this.lim.maxStringBytes) {
      u.refused ??= stringTooLongMsg(u.what, len, this.lim.maxStringBytes);
      this.r.pos = e;
      return '';
    }
    const s = this.buf.toString('utf8', this.r.pos, e);
    this.r.pos = e;
    return s;
  }

  hex(end: number): string {
    const e = this.sub(end, 'bytes');
    const s = this.buf.toString('hex', this.r.pos, e);
    this.r.pos = e;
    return s;
  }

  fixed64(end: number): bigint {
    const p = this.r.pos;
    if (p + 8 > end) throw new WireError(`fixed64 overruns its message at offset ${p}`);
    this.r.pos = p + 8;
    return this.buf.readBigUInt64LE(p);
  }

  fixed32(end: number): number {
    const p = this.r.pos;
    if (p + 4 > end) throw new WireError(`fixed32 overruns its message at offset ${p}`);
    this.r.pos = p + 4;
    return this.buf.readUInt32LE(p);
  }

  /** A varint as a signed 64-bit integer (int64 semantics). */
  int64(end: number): bigint {
    const buf = this.buf;
    let v = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.r.pos >= end) throw new WireError(`varint overruns its message at offset ${this.r.pos}`);
      const b = buf[this.r.pos++];
      v |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return BigInt.asIntN(64, v);
      shift += 7n;
    }
    throw new WireError(`varint longer than 10 bytes at offset ${this.r.pos}`);
  }

  keyValues(end: number, into: OtlpKeyValue[], u: Unit, depth: number, limited: boolean): void {
    const e = this.sub(end, 'attribute');
    into.push(this.keyValue(e, u, depth, limited));
  }

  keyValue(end: number, u: Unit, depth: number, limited: boolean): OtlpKeyValue {
    let key = '';
    let value: OtlpValue = null;
    while (this.r.pos < end) {
      const [f, wt] = this.tag();
      if (f === F.keyValue.key && wt === LEN) key = this.str(end, u, true);
      else if (f === F.keyValue.value && wt === LEN) value = this.anyValue(this.sub(end, 'attribute value'), u, depth, limited);
      else this.skip(wt, end);
    }
    this.done(end, 'attribute');
    return { key, value };
  }

  /**
   * An AnyValue occupying [pos, end); `depth` counts the arrays and kvlists around it (0 for an
   * attribute's or the body's own value); `limited` applies maxStringBytes to its strings.
   */
  anyValue(end: number, u: Unit, depth: number, limited: boolean): OtlpValue {
    if (++u.values > this.lim.maxValues) {
      u.refused ??= tooManyValuesMsg(u.what, this.lim.maxValues);
      this.r.pos = end;
      return null;
    }
    let v: OtlpValue = null;
    while (this.r.pos < end) {
      const [f, wt] = this.tag();
      switch (f) {
        case F.anyValue.string:
          if (wt !== LEN) break;
          v = this.str(end, u, limited);
          continue;
        case F.anyValue.bool:
          if (wt !== VARINT) break;
          v = this.r.uint32() !== 0;
          continue;
        case F.anyValue.int:
          if (wt !== VARINT) break;
          v = this.int64(end);
          continue;
        case F.anyValue.double:
          if (wt !== I64) break;
          if (this.r.pos + 8 > end) throw new WireError(`double overruns its value at offset ${this.r.pos}`);
          v = this.buf.readDoubleLE(this.r.pos);
          this.r.pos += 8;
          continue;
        case F.anyValue.bytes: {
          if (wt !== LEN) break;
          const e = this.sub(end, 'bytes value');
          v = Uint8Array.prototype.slice.call(this.buf, this.r.pos, e);
          this.r.pos = e;
          continue;
        }
        case F.anyValue.array:
        case F.anyValue.kvlist: {
          if (wt !== LEN) break;
          const e = this.sub(end, f === F.anyValue.array ? 'array value' : 'kvlist value');
          if (depth + 1 > this.lim.maxDepth) {
            u.refused ??= tooDeepMsg(u.what, this.lim.maxDepth);
            this.r.pos = e;
            v = null;
            continue;
          }
          v = f === F.anyValue.array ? this.array(e, u, depth + 1, limited) : this.kvlist(e, u, depth + 1, limited);
          continue;
        }
      }
      this.skip(wt, end);
    }
    this.done(end, 'value');
    return v;
  }

  array(end: number, u: Unit, depth: number, limited: boolean): OtlpValue[] {
    const out: OtlpValue[] = [];
    while (this.r.pos < end) {
      const [f, wt] = this.tag();
      if (f === F.arrayValue.values && wt === LEN) out.push(this.anyValue(this.sub(end, 'array element'), u, depth, limited));
      else this.skip(wt, end);
    }
    this.done(end, 'array value');
    return out;
  }

  kvlist(end: number, u: Unit, depth: number, limited: boolean): OtlpKvList {
    const out: OtlpKeyValue[] = [];
    while (this.r.pos < end) {
      const [f, wt] = this.tag();
      if (f === F.kvList.values && wt === LEN) {
        this.keyValues(end, out, u, depth, limited);
        if (out.length > this.lim.maxAttributes) {
          u.refused ??= tooManyAttributesMsg(u.what + ' (a kvlist value)', out.length, this.lim.maxAttributes);
          out.length = 0;
        }
      } else {
        this.skip(wt, end);
      }
    }
    this.done(end, 'kvlist value');
    return new OtlpKvList(out);
  }

  /** Appends one attribute, refusing the unit past `maxAttributes` (the attribute is dropped). */
  attribute(end: number, into: OtlpKeyValue[], u: Unit): void {
    if (into.length >= this.lim.maxAttributes) {
      u.refused ??= tooManyAttributesMsg(u.what, this.lim.maxAttributes + 1, this.lim.maxAttributes);
      this.skip(LEN, end);
      return;
    }
    this.keyValues(end, into, u, 0, true);
  }

  record(end: number, what: string): OtlpLogRecord {
    const rec: OtlpLogRecord = {
      timeUnixNano: 0n, observedTimeUnixNano: 0n, severityNumber: 0, severityText: '', body: null,
      attributes: [], flags: 0, traceId: '', spanId: '', eventName: '',
    };
    const u: Unit = { what, values: 0 };
    const n = F.record;
    while (this.r.pos < end) {
      const [f, wt] = this.tag();
      if (f === n.timeUnixNano && wt === I64) rec.timeUnixNano = this.fixed64(end);
      else if (f === n.observedTimeUnixNano && wt === I64) rec.observedTimeUnixNano = this.fixed64(end);
      else if (f === n.severityNumber && wt === VARINT) rec.severityNumber = this.r.int32();
      else if (f === n.severityText && wt === LEN) rec.severityText = this.str(end, u, true);
      else if (f === n.body && wt === LEN) rec.body = this.anyValue(this.sub(end, 'body'), u, 0, false);
      else if (f === n.attributes && wt === LEN) this.attribute(end, rec.attributes, u);
      else if (f === n.flags && wt === I32) rec.flags = this.fixed32(end);
      else if (f === n.traceId && wt === LEN) rec.traceId = this.hex(end);
      else if (f === n.spanId && wt === LEN) rec.spanId = this.hex(end);
      else if (f === n.eventName && wt === LEN) rec.eventName = this.str(end, u, true);
      else this.skip(wt, end);
    }
    this.done(end, what);
    if (rec.traceId !== '' && rec.traceId.length !== 32) throw new WireError(`${what}: trace_id must be 16 bytes, got ${rec.traceId.length / 2}`);
    if (rec.spanId !== '' && rec.spanId.length !== 16) throw new WireError(`${what}: span_id must be 8 bytes, got ${rec.spanId.length / 2}`);
    if (u.refused !== undefined) rec.refused = u.refused;
    return rec;
  }

  scopeLogs(end: number, what: string): OtlpScopeLogs {
    const s: OtlpScopeLogs = { name: '', version: '', attributes: [], records: [] };
    const u: Unit = { what: what + ' scope', values: 0 };
    while (this.r.pos < end) {
      const [f, wt] = this.tag();
      if (f === F.scopeLogs.scope && wt === LEN) {
        const e = this.sub(end, 'scope');
        while (this.r.pos < e) {
          const [g, gwt] = this.tag();
          if (g === F.scope.name && gwt === LEN) s.name = this.str(e, u, true);
          else if (g === F.scope.version && gwt === LEN) s.version = this.str(e, u, true);
          else if (g === F.scope.attributes && gwt === LEN) this.attribute(e, s.attributes, u);
          else this.skip(gwt, e);
        }
        this.done(e, 'scope');
      } else if (f === F.scopeLogs.logRecords && wt === LEN) {
        const e = this.sub(end, 'log record');
        if (++this.records > this.lim.maxRecordsPerRequest) throw new LogSentinelError('PUSH_INVALID', tooManyRecordsMsg(this.lim.maxRecordsPerRequest));
        s.records.push(this.record(e, `${what}.logRecords[${s.records.length}]`));
      } else {
        this.skip(wt, end);
      }
    }
    this.done(end, what);
    if (u.refused !== undefined) s.refused = u.refused;
    return s;
  }

  resourceLogs(end: number, what: string): OtlpResourceLogs {
    const res: OtlpResourceLogs = { attributes: [], scopes: [] };
    const u: Unit = { what: what + ' resource', values: 0 };
    while (this.r.pos < end) {
      const [f, wt] = this.tag();
      if (f === F.resourceLogs.resource && wt === LEN) {
        const e = this.sub(end, 'resource');
        while (this.r.pos < e) {
          const [g, gwt] = this.tag();
          if (g === F.resource.attributes && gwt === LEN) this.attribute(e, res.attributes, u);
          else this.skip(gwt, e);
        }
        this.done(e, 'resource');
      } else if (f === F.resourceLogs.scopeLogs && wt === LEN) {
        const e = this.sub(end, 'scope logs');
        res.scopes.push(this.scopeLogs(e, `${what}.scopeLogs[${res.scopes.length}]`));
      } else {
        this.skip(wt, end);
      }
    }
    this.done(end, what);
    if (u.refused !== undefined) res.refused = u.refused;
    return res;
  }

  request(): OtlpResourceLogs[] {
    const out: OtlpResourceLogs[] = [];
    const end = this.buf.length;
    while (this.r.pos < end) {
      const [f, wt] = this.tag();
      if (f === F.request.resourceLogs && wt === LEN) {
        const e = this.sub(end, 'resource logs');
        out.push(this.resourceLogs(e, `resourceLogs[${out.length}]`));
      } else {
        this.skip(wt, end);
      }
    }
    this.done(end, 'request');
    return out;
  }
}

/**
 * Decodes an uncompressed binary request. Throws `WireError` (malformed bytes; protobufjs'
 * own `RangeError`s are turned into it) or LogSentinelError PUSH_INVALID (too many records).
 */
export function decodeOtlpProtobuf(buf: Buffer, lim: OtlpLimits): OtlpResourceLogs[] {
  const w = new Walker(buf, lim);
  try {
    return w.request();
  } catch (err) {
    if (err instanceof WireError || err instanceof LogSentinelError) throw err;
    // protobufjs throws RangeError('index out of range: ...') past the buffer's end.
    if (err instanceof Error) throw new WireError(err.message);
    throw err;
  }
}
