/**
 * Reads a push request body from its stream and undoes gzip/deflate while it streams, with both
 * size limits enforced as the bytes arrive: `maxWireBytes` on what the client sends,
 * `maxDecodedBytes` on what it inflates to. Inflating runs in zlib's streaming mode on libuv's
 * thread pool, chunk by chunk, so a compression bomb never holds the event loop (a whole-buffer
 * `gunzipSync` of 64 MiB holds it for a quarter of a second) and is refused as soon as its output
 * passes the limit. The decoders then see an identity body (`contentEncoding: 'identity'`), except
 * for snappy, which the protobuf decoders undo themselves (body.ts).
 *
 * Content-Encoding as body.ts reads it: none, identity, gzip, x-gzip, deflate (zlib or raw),
 * snappy; a body without the header that starts with gzip's magic bytes is gunzipped too.
 */
import type { Readable } from 'node:stream';
import { createGunzip, createInflate, createInflateRaw, type Gunzip, type Inflate, type InflateRaw } from 'node:zlib';
import { LogSentinelError } from '../../errors.js';
import { parseContentEncoding } from './body.js';
import { bodyTooLargeMsg } from './validate.js';

export interface ReadBody {
  /** The body, inflated when it was gzip or deflate. */
  data: Buffer;
  /** Bytes taken from `ReadBodyLimits.memory` for it; the caller gives them back when done. */
  reserved?: number;
  /** Bytes as received on the wire. */
  wireBytes: number;
  /** The Content-Encoding the decoders must apply to `data`: `identity` or `snappy`. */
  contentEncoding: string;
}

export interface ReadBodyLimits {
  maxWireBytes: number;
  maxDecodedBytes: number;
  /**
   * Memory all bodies being read may hold together: taken as a body grows (in steps of
   * `MEMORY_STEP`), so sixteen parallel bombs cannot each inflate to the limit at once. When it is
   * used up the body is refused (429); on any refusal what was taken is given back here.
   */
  memory?: BodyMemory;
}

export interface BodyMemory {
  /** Takes `bytes`; false (taking nothing) when that would pass the budget. */
  take(bytes: number): boolean;
  give(bytes: number): void;
  readonly limit: number;
}

/** A simple shared budget of bytes. */
export class ByteBudget implements BodyMemory {
  private used = 0;
  constructor(readonly limit: number) {}
  take(bytes: number): boolean {
    if (this.used + bytes > this.limit) return false;
    this.used += bytes;
    return true;
  }
  give(bytes: number): void {
    this.used = Math.max(0, this.used - bytes);
  }
  inUse(): number {
    return this.used;
  }
}

/** Granularity of what a body takes from the shared memory: small, so a trickled body holds little. */
const MEMORY_STEP = 16 * 1024;

export async function readBody(stream: Readable, contentEncoding: string | undefined, contentLength: string | undefined, limits: ReadBodyLimits, what: string): Promise<ReadBody> {
  const held = { bytes: 0 };
  try {
    const body = await read(stream, contentEncoding, contentLength, limits, what, held);
    return body;
  } catch (err) {
    if (held.bytes > 0) limits.memory?.give(held.bytes);
    throw err;
  }
}

async function read(stream: Readable, contentEncoding: string | undefined, contentLength: string | undefined, limits: ReadBodyLimits, what: string, held: { bytes: number }): Promise<ReadBody> {
  const declared = contentLength === undefined ? undefined : Number(contentLength);
  if (declared !== undefined && declared > limits.maxWireBytes) {
    stream.resume();
    throw wireTooLarge(what, limits.maxWireBytes);
  }
  const encoding = parseContentEncoding(contentEncoding, what);
  const chunks: Buffer[] = [];
  let wire = 0;
  let size = 0;
  let inflater: Gunzip | Inflate | InflateRaw | undefined;
  let inflated: Promise<void> | undefined;
  let failure: unknown;
  let reserved = 0;
  const memory = limits.memory;
  /** Takes memory ahead of `size`; false when the shared budget is used up. */
  const reserve = (): boolean => {
    if (!memory || size <= reserved) return true;
    const want = Math.ceil((size - reserved) / MEMORY_STEP) * MEMORY_STEP;
    if (!memory.take(want)) return false;
    reserved += want;
    held.bytes = reserved;
    return true;
  };
  const busy = (): LogSentinelError =>
    new LogSentinelError('RATE_LIMITED', `cannot read ${what}: the request bodies being read hold the ${Math.round((memory?.limit ?? 0) / 1024 / 1024)} MiB they may use together (server.maxBodyMemory); retry later`, { retryAfter: 1 });
  const tooLarge = (): LogSentinelError =>
    new LogSentinelError('PAYLOAD_TOO_LARGE', `cannot decompress ${what}: decompressed body exceeds the limit of ${limits.maxDecodedBytes} bytes`);

  const startInflating = (kind: 'gzip' | 'deflate', first: Buffer): void => {
    // HTTP says zlib-wrapped deflate; Go's flate reader (Loki) wants raw DEFLATE. Accept both.
    const zlibHeader = first.length >= 2 && (first[0] & 0x0f) === 8 && ((first[0] << 8) | first[1]) % 31 === 0;
    const z = kind === 'gzip' ? createGunzip() : zlibHeader ? createInflate() : createInflateRaw();
    inflater = z;
    inflated = new Promise<void>((resolve, reject) => {
      z.on('data', (d: Buffer) => {
        size += d.length;
        if (size > limits.maxDecodedBytes || !reserve()) {
          failure ??= size > limits.maxDecodedBytes ? tooLarge() : busy();
          z.destroy();
          reject(failure);
          return;
        }
        chunks.push(d);
      });
      z.once('end', resolve);
      z.once('error', (err) => reject(failure ?? new LogSentinelError('PUSH_INVALID', `cannot decompress ${what}: ${err.message}`, { cause: err })));
    });
    // Rejections are taken up by the await below; do not let one surface as unhandled first.
    inflated.catch(() => undefined);
  };

  // Event-driven rather than for-await: leaving a for-await loop destroys the request, and with
  // it the socket, so a refused body could not be answered 413. Here the rest is dumped instead.
  await new Promise<void>((resolve, reject) => {
    const stop = (err: unknown): void => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
      stream.resume();
      reject(err);
    };
    const onData = (chunk: Buffer): void => {
      wire += chunk.length;
      if (wire > limits.maxWireBytes) return stop(wireTooLarge(what, limits.maxWireBytes));
      if (failure) return stop(failure);
      if (wire === chunk.length) {
        // First chunk: decide what it is.
        const gzipMagic = chunk.length >= 2 && chunk[0] === 0x1f && chunk[1] === 0x8b;
        if (encoding === 'gzip' || (encoding === 'none' && gzipMagic)) startInflating('gzip', chunk);
        else if (encoding === 'deflate') startInflating('deflate', chunk);
        inflated?.catch((err: unknown) => stop(err));
      }
      if (inflater) {
        // Backpressure: read no more from the socket until zlib has taken this chunk.
        if (!inflater.write(chunk)) {
          stream.pause();
          inflater.once('drain', () => stream.resume());
        }
      } else {
        size += chunk.length;
        if (!reserve()) return stop((failure = busy()));
        chunks.push(chunk);
      }
    };
    const onEnd = (): void => resolve();
    const onError = (err: Error): void => stop(new LogSentinelError('BAD_REQUEST', `cannot read ${what}: ${err.message}`, { cause: err }));
    stream.on('data', onData);
    stream.once('end', onEnd);
    stream.once('error', onError);
  });
  if (failure) throw failure;
  if (inflater) {
    inflater.end();
    await inflated;
    return { data: Buffer.concat(chunks, size), wireBytes: wire, contentEncoding: 'identity', reserved };
  }
  if (size > limits.maxDecodedBytes) throw new LogSentinelError('PAYLOAD_TOO_LARGE', `cannot read ${what}: ${bodyTooLargeMsg(size, limits.maxDecodedBytes)}`);
  return { data: Buffer.concat(chunks, size), wireBytes: wire, contentEncoding: encoding === 'snappy' ? 'snappy' : 'identity', reserved };
}

function wireTooLarge(what: string, limit: number): LogSentinelError {
  return new LogSentinelError('PAYLOAD_TOO_LARGE', `cannot read ${what}: body is larger than the limit of ${limit} bytes`);
}
