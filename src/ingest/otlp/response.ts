/**
 * OTLP/HTTP answers (https://opentelemetry.io/docs/specs/otlp/#otlphttp-response), always in the
 * request's encoding: 200 with an `ExportLogsServiceResponse` (with `partial_success` when some
 * records were refused), and for every 4xx/5xx a `google.rpc.Status` whose code is the gRPC code
 * matching the HTTP status. In JSON, int64 fields are decimal strings (proto3 JSON mapping).
 */
import { ExportLogsServiceResponseType, RetryInfoType, StatusType } from './schema.js';
import type { OtlpFormat } from './decode.js';

export const OTLP_CONTENT_TYPES: Readonly<Record<OtlpFormat, string>> = Object.freeze({
  protobuf: 'application/x-protobuf',
  json: 'application/json',
});

/** gRPC status codes (google.rpc.Code) used in Status bodies. */
export const RPC_CODE = {
  INVALID_ARGUMENT: 3,
  NOT_FOUND: 5,
  RESOURCE_EXHAUSTED: 8,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DEADLINE_EXCEEDED: 4,
  PERMISSION_DENIED: 7,
  UNAUTHENTICATED: 16,
} as const;

/** The google.rpc.Code for an HTTP error status. */
export function rpcCodeOf(httpStatus: number): number {
  switch (httpStatus) {
    case 401:
      return RPC_CODE.UNAUTHENTICATED;
    case 403:
      return RPC_CODE.PERMISSION_DENIED;
    case 404:
      return RPC_CODE.NOT_FOUND;
    case 413:
    case 429:
      return RPC_CODE.RESOURCE_EXHAUSTED;
    case 501:
      return RPC_CODE.UNIMPLEMENTED;
    case 502:
    case 503:
      return RPC_CODE.UNAVAILABLE;
    case 504:
      return RPC_CODE.DEADLINE_EXCEEDED;
    default:
      return httpStatus >= 500 ? RPC_CODE.INTERNAL : RPC_CODE.INVALID_ARGUMENT;
  }
}

function encode(format: OtlpFormat, type: typeof StatusType, json: Record<string, unknown>, proto: Record<string, unknown>): Buffer | string {
  if (format === 'json') return JSON.stringify(json);
  const bytes = type.encode(type.fromObject(proto)).finish();
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * An `ExportLogsServiceResponse`: empty on full success; `partial_success` when records were
 * refused (`rejected` > 0) or there is a warning `message`.
 */
export function exportLogsResponse(format: OtlpFormat, rejected: number, message: string): Buffer | string {
  if (rejected === 0 && message === '') return encode(format, ExportLogsServiceResponseType, {}, {});
  return encode(
    format,
    ExportLogsServiceResponseType,
    { partialSuccess: { rejectedLogRecords: String(rejected), errorMessage: message } },
    { partialSuccess: { rejectedLogRecords: rejected, errorMessage: message } },
  );
}

export const RETRY_INFO_TYPE_URL = 'type.googleapis.com/google.rpc.RetryInfo';

/**
 * A `google.rpc.Status` body. With `retryAfterSeconds` (throttling: 429, 503) it carries a
 * `google.rpc.RetryInfo` detail, which OTLP exporters honour before retrying (OTLP spec,
 * "OTLP/HTTP Throttling").
 */
export function statusBody(format: OtlpFormat, code: number, message: string, retryAfterSeconds?: number): Buffer | string {
  if (retryAfterSeconds === undefined) return encode(format, StatusType, { code, message }, { code, message });
  const retryInfo = RetryInfoType.encode(RetryInfoType.fromObject({ retryDelay: { seconds: retryAfterSeconds, nanos: 0 } })).finish();
  return encode(
    format,
    StatusType,
    // proto3 JSON mapping of Any: the type URL as "@type" beside the message's own fields.
    { code, message, details: [{ '@type': RETRY_INFO_TYPE_URL, retryDelay: `${retryAfterSeconds}s` }] },
    { code, message, details: [{ typeUrl: RETRY_INFO_TYPE_URL, value: retryInfo }] },
  );
}
