/**
 * Request body decompression shared by the HTTP decoders, bounded by
 * `IngestLimits.maxDecompressedBodySize` so a small compressed body cannot blow up memory.
 *
 * Content-Encoding as Loki accepts it (`pkg/loghttp/push/push.go`): none, `gzip`, `deflate`
 * (raw or zlib-wrapped), and `snappy`, which Loki passes through because the protobuf body is
 * snappy-compressed anyway. A body without the header that starts with the gzip magic bytes is
 * gunzipped too. Anything else is refused with Loki's text (`Content-Encoding "br" not supported`).
 */
import { gunzipSync, inflateRawSync, inflateSync } from 'node:zlib';
import { LogSentinelError } from '../../errors.js';
import type { IngestLimits } from './limits.js';
import { bodyTooLargeMsg } from './validate.js';
import { SnappyError, snappyDecompressBlock } from './snappy-block.js';

/** `none`: no Content-Encoding header (gzip is then detected by its magic bytes); `identity`: said so explicitly. */
export type BodyEncoding = 'none' | 'identity' | 'gzip' | 'deflate' | 'snappy';

function tooLarge(what: string, limit: number): LogSentinelError {
  return new LogSentinelError('PAYLOAD_TOO_LARGE', `cannot decompress ${what}: decompressed body exceeds the limit of ${limit} bytes`);
}

function isTooLarge(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  return code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError;
}

/** The Content-Encoding header, normalised; throws UNSUPPORTED_MEDIA_TYPE for unknown ones. */
export function parseContentEncoding(header: string | undefined, what: string): BodyEncoding {
  const e = (header ?? '').trim().toLowerCase();
  switch (e) {
    case '':
      return 'none';
    case 'identity':
      return 'identity';
    case 'gzip':
    case 'x-gzip':
      return 'gzip';
    case 'deflate':
      return 'deflate';
    case 'snappy':
      return 'snappy';
    default:
      throw new LogSentinelError('UNSUPPORTED_MEDIA_TYPE', `cannot decode ${what}: Content-Encoding ${JSON.stringify(header)} not supported`);
  }
}

/**
 * Undoes gzip/deflate (and snappy when `snappyToo`), enforcing the size limit.
 * Returns `body` itself when there is nothing to undo. `what` names the request in errors.
 */
export function decompressBody(body: Buffer, encoding: BodyEncoding, limits: IngestLimits, what: string, snappyToo = false): Buffer {
  const limit = limits.maxDecompressedBodySize;
  if (encoding === 'none' && body.length >= 2 && body[0] === 0x1f && body[1] === 0x8b) encoding = 'gzip';
  if (encoding === 'none' || encoding === 'identity' || (encoding === 'snappy' && !snappyToo)) {
    if (body.length > limit) throw new LogSentinelError('PAYLOAD_TOO_LARGE', `cannot read ${what}: ${bodyTooLargeMsg(body.length, limit)}`);
    return body;
  }
  try {
    if (encoding === 'gzip') return gunzipSync(body, { maxOutputLength: limit });
    if (encoding === 'deflate') {
      // HTTP says zlib-wrapped; Go's flate reader (Loki) wants raw DEFLATE. Accept both.
      const zlibHeader = body.length >= 2 && (body[0] & 0x0f) === 8 && ((body[0] << 8) | body[1]) % 31 === 0;
      return zlibHeader ? inflateSync(body, { maxOutputLength: limit }) : inflateRawSync(body, { maxOutputLength: limit });
    }
    return snappyUncompress(body, limits, what);
  } catch (err) {
    if (err instanceof LogSentinelError) throw err;
    if (isTooLarge(err)) throw tooLarge(what, limit);
    throw new LogSentinelError('PUSH_INVALID', `cannot decompress ${what}: ${(err as Error).message}`, { cause: err });
  }
}

/** Snappy block format (not framed), as Loki's protobuf push sends it. */
export function snappyUncompress(body: Buffer, limits: IngestLimits, what: string): Buffer {
  const limit = limits.maxDecompressedBodySize;
  // A snappy copy op expands at most ~21x (3 bytes → 64), so a declared length beyond that is a
  // lie; refusing it early avoids allocating `limit` bytes for a 10-byte body.
  const plausible = Math.min(limit, body.length * 22 + 64);
  try {
    return snappyDecompressBlock(body, plausible);
  } catch (err) {
    if (!(err instanceof SnappyError)) throw err;
    if (err.tooLarge && plausible === limit) throw tooLarge(what, limit);
    const cause = err.tooLarge ? 'declared length does not fit the body' : err.message;
    throw new LogSentinelError('PUSH_INVALID', `cannot decompress ${what}: snappy: ${cause}`, { cause: err });
  }
}
