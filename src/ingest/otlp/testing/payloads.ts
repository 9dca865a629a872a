/**
 * Test helpers: build OTLP requests in the OTLP/JSON shape and encode them as protobuf with the
 * reflected schema types (an encoding path independent of the wire-walking decoder).
 */
import { ExportLogsServiceRequestType } from '../schema.js';

/** An OTLP/JSON request object (camelCase names, hex ids, int64 as strings). */
export type OtlpJsonRequest = { resourceLogs?: unknown[] };

const HEX_FIELDS = new Set(['traceId', 'spanId']);

/** JSON-shaped request → protobufjs `fromObject` input: hex ids and base64 bytes → Buffers. */
function toProtoObject(v: unknown, key = ''): unknown {
  if (Array.isArray(v)) return v.map((x) => toProtoObject(x));
  if (v !== null && typeof v === 'object') {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) o[k] = toProtoObject(x, k);
    return o;
  }
  if (typeof v === 'string' && HEX_FIELDS.has(key)) return Buffer.from(v, 'hex');
  if (typeof v === 'string' && key === 'bytesValue') return Buffer.from(v, 'base64');
  return v;
}

/** Encodes an OTLP/JSON-shaped request as binary protobuf. */
export function encodeOtlpProtobuf(req: OtlpJsonRequest): Buffer {
  const msg = ExportLogsServiceRequestType.fromObject(toProtoObject(req) as Record<string, unknown>);
  const bytes = ExportLogsServiceRequestType.encode(msg).finish();
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** `{key, value: {stringValue}}` etc. from plain values, for brevity in tests. */
export function kv(key: string, value: unknown): { key: string; value: unknown } {
  return { key, value: anyValue(value) };
}

export function anyValue(v: unknown): unknown {
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if (typeof v === 'bigint') return { intValue: v.toString() };
  if (typeof v === 'number') return Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v };
  if (Array.isArray(v)) return { arrayValue: { values: v.map(anyValue) } };
  if (v instanceof Uint8Array) return { bytesValue: Buffer.from(v).toString('base64') };
  if (v !== null && typeof v === 'object') return { kvlistValue: { values: Object.entries(v).map(([k, x]) => kv(k, x)) } };
  return {};
}
