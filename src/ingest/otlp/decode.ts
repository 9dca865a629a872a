/**
 * OTLP/HTTP logs (`POST /v1/logs`, `/otlp/v1/logs`) decoding: body → validated `WriteBatch`
 * + refusals. Pure: no HTTP, no I/O; the route passes headers in. Spec:
 * https://opentelemetry.io/docs/specs/otlp/#otlphttp
 *
 *  - Content-Type `application/x-protobuf` (binary) or `application/json` (OTLP/JSON); anything
 *    else → 415. Content-Encoding `gzip` (also deflate, identity) via common/body.ts, bounded by
 *    `IngestLimits.maxDecompressedBodySize` (413).
 *  - Malformed bytes or JSON, and more records than `OtlpLimits.maxRecordsPerRequest` → the
 *    whole request fails with PUSH_INVALID (400, google.rpc.Status INVALID_ARGUMENT).
 *  - Records refused by a limit are refusals in the result; the valid ones are kept and the
 *    route answers OTLP's partial success.
 *  - An empty request (no records) is valid, as OTLP says: an empty result.
 */
import { LogSentinelError } from '../../errors.js';
import { decompressBody, parseContentEncoding } from '../common/body.js';
import type { IngestLimits } from '../common/limits.js';
import { StreamGrouper, type GrouperOptions } from '../common/stream-grouper.js';
import type { DecodeResult } from '../common/validate.js';
import { decodeOtlpJson } from './json-decoder.js';
import { mapOtlpLogs, parseResourceLabels } from './mapping.js';
import { DEFAULT_OTLP_LIMITS, OTLP_WHAT, type OtlpLimits, type OtlpResourceLogs } from './model.js';
import { WireError, decodeOtlpProtobuf } from './proto-decoder.js';

export type OtlpFormat = 'protobuf' | 'json';

export const DEFAULT_RESOURCE_LABELS: ReadonlyMap<string, string> = parseResourceLabels(['service.name=service']);

export interface OtlpDecodeOptions extends GrouperOptions {
  /** Resource attribute → label name (see `parseResourceLabels`); default `service.name=service`. */
  resourceLabels?: ReadonlyMap<string, string>;
  limits?: OtlpLimits;
}

/** The encoding a Content-Type names; throws UNSUPPORTED_MEDIA_TYPE (415) for any other. */
export function otlpFormatOf(contentType: string | undefined): OtlpFormat {
  const semi = contentType === undefined ? -1 : contentType.indexOf(';');
  const mt = (contentType === undefined ? '' : semi >= 0 ? contentType.slice(0, semi) : contentType).trim().toLowerCase();
  switch (mt) {
    case 'application/x-protobuf':
    case 'application/protobuf':
      return 'protobuf';
    case 'application/json':
      return 'json';
    default:
      throw new LogSentinelError(
        'UNSUPPORTED_MEDIA_TYPE',
        `cannot parse ${OTLP_WHAT}: unsupported Content-Type ${JSON.stringify(contentType ?? '')}; send application/x-protobuf or application/json`,
      );
  }
}

/** Decodes the request's bytes into the shared model; throws as `decodeOtlpLogs` documents. */
export function decodeOtlpRequest(data: Buffer, format: OtlpFormat, lim: OtlpLimits): OtlpResourceLogs[] {
  if (format === 'json') return decodeOtlpJson(data.toString('utf8'), lim);
  try {
    return decodeOtlpProtobuf(data, lim);
  } catch (err) {
    if (err instanceof WireError) throw new LogSentinelError('PUSH_INVALID', `cannot parse ${OTLP_WHAT}: protobuf: ${err.message}`, { cause: err });
    throw err;
  }
}

/**
 * Decodes one OTLP/HTTP logs body for `tenant`. Throws `LogSentinelError` PUSH_INVALID (400),
 * UNSUPPORTED_MEDIA_TYPE (415) or PAYLOAD_TOO_LARGE (413), and nothing else for any input.
 */
export function decodeOtlpLogs(
  body: Buffer,
  contentType: string | undefined,
  contentEncoding: string | undefined,
  tenant: string,
  limits: IngestLimits,
  nowNs: bigint,
  opts: OtlpDecodeOptions = {},
): DecodeResult {
  const format = otlpFormatOf(contentType);
  const data = decompressBody(body, parseContentEncoding(contentEncoding, OTLP_WHAT), limits, OTLP_WHAT, true);
  const resources = decodeOtlpRequest(data, format, opts.limits ?? DEFAULT_OTLP_LIMITS);
  const g = new StreamGrouper(tenant, limits, nowNs, opts);
  mapOtlpLogs(resources, g, opts.resourceLabels ?? DEFAULT_RESOURCE_LABELS);
  return g.result();
}
