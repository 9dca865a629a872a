/**
 * Loki push (`POST /loki/api/v1/push`, and the legacy `/api/prom/push`) decoding: body →
 * validated `WriteBatch` + refusals. Pure: no HTTP, no I/O; the route passes headers in.
 *
 * Content-Type, as Loki reads it (`pkg/loghttp/push/push.go`):
 *  - `application/json` → JSON (see loki-push-json.ts), optionally gzip/deflate/snappy encoded;
 *  - `application/x-protobuf`, none, or `application/octet-stream` → snappy-compressed protobuf
 *    (see loki-push-proto.ts); Loki treats every non-JSON type this way;
 *  - anything else: JSON when the body starts with `{` (curl's default form type), else 415.
 *
 * Loki's partial-failure rule: valid entries of a request are accepted even when others are
 * refused; the route answers 400 with `formatRejections(result.rejected)` when any were.
 */
import { LogSentinelError } from '../errors.js';
import { decompressBody, parseContentEncoding, snappyUncompress } from './common/body.js';
import type { IngestLimits } from './common/limits.js';
import { StreamGrouper, type GrouperOptions } from './common/stream-grouper.js';
import { MISSING_STREAMS_MSG, type DecodeResult } from './common/validate.js';
import { decodeLokiJsonBufferInto } from './loki-push-json.js';
import { decodePushRequestInto } from './loki-push-proto.js';

export { encodeLokiPushJson, encodeLokiPushJsonLegacy } from './loki-push-json.js';
export { encodeLokiPushProtobuf, type LokiPushStream } from './loki-push-proto.js';

const WHAT = 'loki push request';

type Format = 'json' | 'protobuf';

function formatOf(contentType: string | undefined, body: Buffer): Format {
  const semi = contentType === undefined ? -1 : contentType.indexOf(';');
  const mt = (contentType === undefined ? '' : semi >= 0 ? contentType.slice(0, semi) : contentType).trim().toLowerCase();
  switch (mt) {
    case 'application/json':
      return 'json';
    case '':
    case 'application/x-protobuf':
    case 'application/protobuf':
    case 'application/vnd.google.protobuf':
    case 'application/octet-stream':
      return 'protobuf';
    default:
      if (firstNonSpace(body) === 0x7b /* { */) return 'json';
      throw new LogSentinelError(
        'UNSUPPORTED_MEDIA_TYPE',
        `cannot parse ${WHAT}: unsupported Content-Type ${JSON.stringify(contentType)}; send application/json or application/x-protobuf`,
      );
  }
}

function firstNonSpace(b: Buffer): number {
  for (let i = 0; i < b.length && i < 64; i++) {
    const c = b[i];
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return c;
  }
  return -1;
}

/**
 * Decodes one Loki push body for `tenant`. Throws `LogSentinelError`:
 * `PUSH_INVALID` when the body cannot be decoded at all (bad JSON, corrupt snappy, truncated
 * protobuf, no streams), `UNSUPPORTED_MEDIA_TYPE` (415) for an unknown Content-Type or
 * Content-Encoding, `PAYLOAD_TOO_LARGE` (413) past `limits.maxDecompressedBodySize`.
 * Everything finer (labels, timestamps, sizes) is a refusal in the result, Loki-style.
 */
export function decodeLokiPush(
  body: Buffer,
  contentType: string | undefined,
  contentEncoding: string | undefined,
  tenant: string,
  limits: IngestLimits,
  nowNs: bigint,
  opts?: GrouperOptions,
): DecodeResult {
  const encoding = parseContentEncoding(contentEncoding, WHAT);
  const g = new StreamGrouper(tenant, limits, nowNs, opts);
  // Detect gzip by magic bytes even without the header, then pick the format from the result.
  const data = decompressBody(body, encoding, limits, WHAT, false);
  const format = formatOf(contentType, data);
  if (format === 'json') {
    const text = encoding === 'snappy' ? snappyUncompress(data, limits, WHAT) : data;
    decodeLokiJsonBufferInto(text, g);
    return g.result();
  }
  const raw = snappyUncompress(data, limits, WHAT);
  let streams: number;
  try {
    streams = decodePushRequestInto(raw, g);
  } catch (err) {
    if (err instanceof LogSentinelError) throw err;
    throw new LogSentinelError('PUSH_INVALID', `cannot parse ${WHAT}: protobuf: ${(err as Error).message}`, { cause: err });
  }
  if (streams === 0) throw new LogSentinelError('PUSH_INVALID', MISSING_STREAMS_MSG);
  return g.result();
}
