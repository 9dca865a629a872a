/**
 * The decoded shape of an OTLP `ExportLogsServiceRequest`, shared by the protobuf and the JSON
 * decoder so that one mapping (mapping.ts) turns both into stream labels, lines and metadata.
 * Only the fields LogSentinel uses are kept; unknown fields are skipped by the decoders.
 *
 * Limits are checked while decoding. Breaking one does not fail the request: the smallest
 * enclosing unit (record, scope or resource) carries `refused` and is counted as rejected, and
 * the answer is OTLP's partial success. Only malformed bytes or JSON fail the whole request.
 */

/**
 * An `AnyValue`: string, bool, int (int64 as bigint), double (number), bytes, array, kvlist,
 * or `null` when no value is set. `Uint8Array` is bytes; a JS array is an `ArrayValue`.
 */
export type OtlpValue = string | boolean | bigint | number | Uint8Array | OtlpValue[] | OtlpKvList | null;

/** A `KeyValueList` (kept apart from arrays so that the two never mix). */
export class OtlpKvList {
  constructor(readonly values: OtlpKeyValue[]) {}
}

export interface OtlpKeyValue {
  key: string;
  value: OtlpValue;
}

export interface OtlpLogRecord {
  /** `time_unix_nano`, 0 when unset. */
  timeUnixNano: bigint;
  /** `observed_time_unix_nano`, 0 when unset. */
  observedTimeUnixNano: bigint;
  /** `severity_number`, 0 (UNSPECIFIED) when unset. */
  severityNumber: number;
  severityText: string;
  body: OtlpValue;
  attributes: OtlpKeyValue[];
  /** `flags` (W3C trace flags in the low byte), 0 when unset. */
  flags: number;
  /** Lowercase hex, '' when unset. */
  traceId: string;
  /** Lowercase hex, '' when unset. */
  spanId: string;
  eventName: string;
  /** Why the record is refused (a limit it breaks); it is then counted as rejected. */
  refused?: string;
}

export interface OtlpScopeLogs {
  name: string;
  version: string;
  attributes: OtlpKeyValue[];
  records: OtlpLogRecord[];
  /** Why every record of the scope is refused. */
  refused?: string;
}

export interface OtlpResourceLogs {
  attributes: OtlpKeyValue[];
  scopes: OtlpScopeLogs[];
  /** Why every record of the resource is refused. */
  refused?: string;
}

/** Decoder limits against hostile or broken payloads (the body size is limited before). */
export interface OtlpLimits {
  /** Log records in one request; more fails the request with 400. */
  maxRecordsPerRequest: number;
  /** Attributes of one record, resource or scope, and entries of one kvlist value. */
  maxAttributes: number;
  /** Nesting of array and kvlist values: an array or kvlist attribute (or body) is depth 1. */
  maxDepth: number;
  /** UTF-8 bytes of one attribute key or string value; the body is limited by `maxLineSize`. */
  maxStringBytes: number;
  /**
   * AnyValues in one record, resource or scope (attribute values, array elements, kvlist values
   * and the body, at any depth), so that a huge array cannot take memory beyond its bytes' worth.
   */
  maxValues: number;
}

export const DEFAULT_OTLP_LIMITS: Readonly<OtlpLimits> = Object.freeze({
  maxRecordsPerRequest: 100_000,
  maxAttributes: 128,
  maxDepth: 16,
  maxStringBytes: 64 * 1024,
  maxValues: 10_000,
});

export const OTLP_WHAT = 'OTLP logs request';

/** Limit texts, one grammar for both decoders. */
export function tooManyAttributesMsg(what: string, n: number, limit: number): string {
  return `${what} has ${n} attributes; limit ${limit}`;
}
export function tooDeepMsg(what: string, limit: number): string {
  return `${what} nests arrays or kvlists deeper than the limit of ${limit}`;
}
export function stringTooLongMsg(what: string, n: number, limit: number): string {
  return `${what} has a string of ${n} bytes; limit ${limit}`;
}
export function tooManyValuesMsg(what: string, limit: number): string {
  return `${what} has more than ${limit} values (attributes, array and kvlist entries); limit ${limit}`;
}
export function tooManyRecordsMsg(limit: number): string {
  return `cannot parse ${OTLP_WHAT}: more than ${limit} log records; limit ${limit} per request`;
}
