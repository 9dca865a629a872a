/**
 * Snappy *block* format decompression (https://github.com/google/snappy/blob/main/format_description.txt),
 * the format of Loki's protobuf push bodies.
 *
 * Why not snappyjs' `uncompress`: on hostile input its length arithmetic can go negative and move
 * the read position backwards, so a 39-byte body keeps a core busy for seconds or forever. This
 * decoder checks every length and offset against both buffers and the declared size, so its
 * work is bounded by the declared output size. snappyjs is still used to compress.
 */

/** Thrown for a corrupt stream; `tooLarge` when the declared size exceeds the caller's limit. */
export class SnappyError extends Error {
  constructor(
    message: string,
    readonly tooLarge = false,
  ) {
    super(message);
  }
}

/**
 * Decompresses a snappy block. Refuses a declared size over `maxLength` before allocating,
 * and any stream whose operations do not produce exactly the declared size.
 */
export function snappyDecompressBlock(src: Uint8Array, maxLength: number): Buffer {
  const n = src.length;
  let pos = 0;
  // uncompressed length: little-endian base-128 varint, at most 32 bits
  let size = 0;
  let shift = 0;
  for (;;) {
    if (pos >= n) throw new SnappyError('truncated length header');
    const c = src[pos++];
    size = (size | ((c & 0x7f) << shift)) >>> 0;
    if (c < 0x80) break;
    shift += 7;
    if (shift > 28) throw new SnappyError('length header too long');
    if (shift === 28 && src[pos] !== undefined && src[pos] > 0x0f) throw new SnappyError('declared length out of range');
  }
  if (size > maxLength) throw new SnappyError(`declared length ${size} exceeds the limit of ${maxLength} bytes`, true);
  const out = Buffer.allocUnsafe(size);
  let op = 0;
  while (pos < n) {
    const tag = src[pos++];
    const kind = tag & 3;
    if (kind === 0) {
      // literal
      let len = (tag >>> 2) + 1;
      if (len > 60) {
        const extra = len - 60; // 1..4 bytes of length follow
        if (pos + extra > n) throw new SnappyError('truncated literal length');
        len = 0;
        for (let i = 0; i < extra; i++) len += src[pos + i] * 2 ** (8 * i);
        len += 1;
        pos += extra;
      }
      if (pos + len > n) throw new SnappyError('literal overruns the input');
      if (op + len > size) throw new SnappyError('literal overruns the declared length');
      if (len > 256) {
        out.set(src.subarray(pos, pos + len), op);
      } else {
        for (let i = 0; i < len; i++) out[op + i] = src[pos + i];
      }
      pos += len;
      op += len;
      continue;
    }
    let len: number;
    let offset: number;
    if (kind === 1) {
      if (pos >= n) throw new SnappyError('truncated copy');
      len = ((tag >>> 2) & 7) + 4;
      offset = ((tag >>> 5) << 8) | src[pos];
      pos += 1;
    } else if (kind === 2) {
      if (pos + 2 > n) throw new SnappyError('truncated copy');
      len = (tag >>> 2) + 1;
      offset = src[pos] | (src[pos + 1] << 8);
      pos += 2;
    } else {
      if (pos + 4 > n) throw new SnappyError('truncated copy');
      len = (tag >>> 2) + 1;
      offset = src[pos] + src[pos + 1] * 0x100 + src[pos + 2] * 0x10000 + src[pos + 3] * 0x1000000;
      pos += 4;
    }
    if (offset === 0 || offset > op) throw new SnappyError('copy offset out of range');
    if (op + len > size) throw new SnappyError('copy overruns the declared length');
    // a copy may overlap its own output (run-length encoding): then it must go byte by byte
    const from = op - offset;
    for (let i = 0; i < len; i++) out[op + i] = out[from + i];
    op += len;
  }
  if (op !== size) throw new SnappyError(`decoded ${op} bytes, header declared ${size}`);
  return out;
}
