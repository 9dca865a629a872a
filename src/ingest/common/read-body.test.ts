import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { LogSentinelError } from '../../errors.js';
import { ByteBudget, readBody } from './read-body.js';

const LIMITS = { maxWireBytes: 64 * 1024, maxDecodedBytes: 256 * 1024 };

/** The body as a stream of small chunks, as a socket delivers it. */
function stream(b: Buffer, chunk = 1000): Readable {
  const parts: Buffer[] = [];
  for (let i = 0; i < b.length; i += chunk) parts.push(b.subarray(i, i + chunk));
  return Readable.from(parts, { objectMode: false });
}

describe('readBody', () => {
  const text = Buffer.from('{"streams":[]}'.repeat(500));
  it('undoes gzip and deflate while streaming and hands the rest on untouched', async () => {
    const f = async (body: Buffer, encoding: string | undefined, want: Buffer, wantEncoding: string): Promise<void> => {
      const r = await readBody(stream(body), encoding, String(body.length), LIMITS, 'test body');
      assert.ok(r.data.equals(want), `${encoding}: data`);
      assert.equal(r.wireBytes, body.length);
      assert.equal(r.contentEncoding, wantEncoding, `${encoding}: encoding`);
    };
    await f(text, undefined, text, 'identity');
    await f(text, 'identity', text, 'identity');
    await f(gzipSync(text), 'gzip', text, 'identity');
    await f(gzipSync(text), 'x-gzip', text, 'identity');
    await f(gzipSync(text), undefined, text, 'identity'); // gzip magic without the header
    await f(deflateSync(text), 'deflate', text, 'identity'); // zlib-wrapped
    await f(deflateRawSync(text), 'deflate', text, 'identity'); // raw, as Go's flate sends it
    await f(Buffer.from('snappy-bytes'), 'snappy', Buffer.from('snappy-bytes'), 'snappy');
    // An explicit identity body is never sniffed: gzip bytes stay as sent.
    await f(gzipSync(text), 'identity', gzipSync(text), 'identity');
    await f(Buffer.alloc(0), undefined, Buffer.alloc(0), 'identity');
  });

  it('refuses what is too large, as it streams, and bodies it cannot read', async () => {
    const f = async (body: Buffer, encoding: string | undefined, contentLength: string | undefined, code: string, message: RegExp): Promise<void> => {
      await assert.rejects(readBody(stream(body), encoding, contentLength, LIMITS, 'test body'), (err: unknown) => {
        assert.ok(err instanceof LogSentinelError, String(err));
        assert.equal(err.code, code);
        assert.match(err.message, message);
        return true;
      });
    };
    const big = Buffer.alloc(LIMITS.maxWireBytes + 1, 'a');
    await f(big, undefined, String(big.length), 'PAYLOAD_TOO_LARGE', /^cannot read test body: body is larger than the limit of 65536 bytes$/);
    await f(big, undefined, undefined, 'PAYLOAD_TOO_LARGE', /body is larger than the limit/); // chunked: counted while streaming
    // A compression bomb: 64 KiB on the wire would inflate to 64 MiB; refused past 256 KiB.
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024));
    assert.ok(bomb.length < LIMITS.maxWireBytes);
    await f(bomb, 'gzip', undefined, 'PAYLOAD_TOO_LARGE', /^cannot decompress test body: decompressed body exceeds the limit of 262144 bytes$/);
    await f(deflateSync(Buffer.alloc(64 * 1024 * 1024)), 'deflate', undefined, 'PAYLOAD_TOO_LARGE', /decompressed body exceeds the limit/);
    await f(Buffer.from('not gzip at all'), 'gzip', undefined, 'PUSH_INVALID', /^cannot decompress test body: /);
    await f(gzipSync(text).subarray(0, 40), 'gzip', undefined, 'PUSH_INVALID', /^cannot decompress test body: /); // truncated
    await f(text, 'br', undefined, 'UNSUPPORTED_MEDIA_TYPE', /Content-Encoding "br" not supported/);
  });

  it('holds what bodies take of the shared memory, refuses with 429 when it is used up, and gives it back on refusal', async () => {
    const memory = new ByteBudget(3 * 1024 * 1024);
    const limits = { maxWireBytes: 64 * 1024 * 1024, maxDecodedBytes: 64 * 1024 * 1024, memory };
    const first = await readBody(stream(Buffer.alloc(1_500_000, 'a'), 64 * 1024), undefined, undefined, limits, 'test body');
    assert.ok((first.reserved ?? 0) >= 1_500_000);
    assert.equal(memory.inUse(), first.reserved);
    // The second would pass the budget while the first is held: 429, nothing kept.
    await assert.rejects(readBody(stream(gzipSync(Buffer.alloc(2_000_000)), 64 * 1024), 'gzip', undefined, limits, 'test body'), (err: unknown) => {
      assert.ok(err instanceof LogSentinelError);
      assert.equal(err.status, 429);
      assert.equal(err.retryAfter, 1);
      assert.match(err.message, /server\.maxBodyMemory/);
      return true;
    });
    assert.equal(memory.inUse(), first.reserved);
    memory.give(first.reserved ?? 0);
    const again = await readBody(stream(gzipSync(Buffer.alloc(2_000_000)), 64 * 1024), 'gzip', undefined, limits, 'test body');
    assert.equal(again.data.length, 2_000_000);
  });
});
