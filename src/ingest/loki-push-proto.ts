/**
 * Loki's protobuf push format: a snappy *block*-compressed `logproto.PushRequest`.
 * Schema (grafana/loki `pkg/push/push.proto`; field numbers are the wire contract):
 *
 *   message PushRequest      { repeated StreamAdapter streams = 1; }
 *   message StreamAdapter    { string labels = 1; repeated EntryAdapter entries = 2; uint64 hash = 3; }
 *   message EntryAdapter     { google.protobuf.Timestamp timestamp = 1; string line = 2;
 *                              repeated LabelPairAdapter structuredMetadata = 3; }
 *   message LabelPairAdapter { string name = 1; string value = 2; }
 *   google.protobuf.Timestamp { int64 seconds = 1; int32 nanos = 2; }
 *
 * Decoding walks the wire with protobufjs' Reader straight into the StreamGrouper, so no
 * intermediate message objects are built per entry; encoding (tests, loadgen) uses the
 * reflection types parsed from the schema above — two independent paths that must agree.
 * Unknown fields are skipped, as protobuf requires. `hash` is ignored: ids are ours.
 */
import protobuf from 'protobufjs';
import snappy from 'snappyjs';
import type { Metadata } from '../model/entry.js';
import { labelsToString, type Labels } from '../model/labels.js';
import type { StreamGrouper, StreamHandle } from './common/stream-grouper.js';
import { normalizeMetadataName } from './common/validate.js';

const SCHEMA = `
syntax = "proto3";
package logproto;
message PushRequest { repeated StreamAdapter streams = 1; }
message StreamAdapter { string labels = 1; repeated EntryAdapter entries = 2; uint64 hash = 3; }
message EntryAdapter { Timestamp timestamp = 1; string line = 2; repeated LabelPairAdapter structuredMetadata = 3; }
message LabelPairAdapter { string name = 1; string value = 2; }
// Wire-identical to google.protobuf.Timestamp.
message Timestamp { int64 seconds = 1; int32 nanos = 2; }
`;

const root = protobuf.parse(SCHEMA, { keepCase: true }).root;
/** The reflected `logproto.PushRequest` type (for encoders and tests). */
export const PushRequestType: protobuf.Type = root.lookupType('logproto.PushRequest');

/** One stream as the encoders take it: Loki JSON's shape, timestamps as ns strings or bigints. */
export interface LokiPushStream {
  stream: Labels;
  values: Array<[ts: string | bigint, line: string, metadata?: Metadata]>;
}

const NS_PER_S = 1_000_000_000n;

/** `logproto.PushRequest` bytes, snappy block-compressed, as Promtail/Alloy send them. */
export function encodeLokiPushProtobuf(streams: readonly LokiPushStream[]): Buffer {
  const msg = {
    streams: streams.map((s) => ({
      labels: labelsToString(s.stream),
      entries: s.values.map(([ts, line, md]) => {
        const ns = typeof ts === 'bigint' ? ts : BigInt(ts);
        const e: { timestamp: { seconds: number; nanos: number }; line: string; structuredMetadata?: Array<{ name: string; value: string }> } = {
          timestamp: { seconds: Number(ns / NS_PER_S), nanos: Number(ns % NS_PER_S) },
          line,
        };
        if (md !== undefined) e.structuredMetadata = Object.entries(md).map(([name, value]) => ({ name, value }));
        return e;
      }),
    })),
  };
  const raw = PushRequestType.encode(PushRequestType.fromObject(msg)).finish();
  return snappy.compress(Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength));
}

// ---- decoding ------------------------------------------------------------------------------

const WIRE_LEN = 2;
const MAX_SECONDS = 9223372036; // int64 nanoseconds end in 2262

function asNumber(v: number | protobuf.Long): number {
  return typeof v === 'number' ? v : v.high * 4294967296 + (v.low >>> 0);
}

/** Thrown for a malformed message; the caller wraps it into PUSH_INVALID. */
class WireError extends Error {}

function readTimestamp(r: protobuf.Reader, end: number): bigint {
  let seconds = 0;
  let nanos = 0;
  while (r.pos < end) {
    const tag = r.uint32();
    const field = tag >>> 3;
    if (field === 1 && (tag & 7) === 0) seconds = asNumber(r.int64());
    else if (field === 2 && (tag & 7) === 0) nanos = r.int32();
    else r.skipType(tag & 7);
  }
  if (seconds < 0 || nanos < 0) throw new WireError('timestamp must not be before 1970-01-01T00:00:00Z');
  if (seconds > MAX_SECONDS || nanos > 999_999_999) throw new WireError('timestamp out of range');
  return BigInt(seconds) * NS_PER_S + BigInt(nanos);
}

function readLabelPair(r: protobuf.Reader, end: number, md: Metadata): void {
  let name = '';
  let value = '';
  while (r.pos < end) {
    const tag = r.uint32();
    const field = tag >>> 3;
    if (field === 1 && (tag & 7) === WIRE_LEN) name = r.string();
    else if (field === 2 && (tag & 7) === WIRE_LEN) value = r.string();
    else r.skipType(tag & 7);
  }
  const n = normalizeMetadataName(name);
  if (n === '') throw new WireError('structured metadata name must not be empty');
  md[n] = value;
}

function readEntry(r: protobuf.Reader, end: number, g: StreamGrouper, h: StreamHandle, index: number): void {
  let ts: bigint | undefined;
  let line = '';
  let md: Metadata | undefined;
  let err: string | undefined;
  while (r.pos < end) {
    const tag = r.uint32();
    const field = tag >>> 3;
    const wt = tag & 7;
    if (field === 2 && wt === WIRE_LEN) {
      line = r.string();
    } else if (field === 1 && wt === WIRE_LEN) {
      const len = r.uint32();
      const e = r.pos + len;
      if (e > end) throw new WireError('timestamp overruns its entry');
      try {
        ts = readTimestamp(r, e);
      } catch (x) {
        if (!(x instanceof WireError)) throw x;
        err = x.message;
        r.pos = e;
      }
    } else if (field === 3 && wt === WIRE_LEN) {
      const len = r.uint32();
      const e = r.pos + len;
      if (e > end) throw new WireError('structured metadata overruns its entry');
      md ??= {};
      try {
        readLabelPair(r, e, md);
      } catch (x) {
        if (!(x instanceof WireError)) throw x;
        err = x.message;
        r.pos = e;
      }
    } else {
      r.skipType(wt);
    }
  }
  if (r.pos !== end) throw new WireError('entry field overruns its entry');
  if (err === undefined && ts === undefined) err = 'timestamp is missing';
  if (err !== undefined) {
    g.rejectEntry(h, index, `cannot parse entry ${index} of stream '${h.target.key}': ${err}`);
    return;
  }
  g.add(h, ts as bigint, line, md, index);
}

function readStream(r: protobuf.Reader, end: number, g: StreamGrouper): void {
  // Labels may legally follow the entries, so find both first, then decode the entries.
  let labels = '';
  const starts: number[] = [];
  const ends: number[] = [];
  while (r.pos < end) {
    const tag = r.uint32();
    const field = tag >>> 3;
    const wt = tag & 7;
    if (field === 1 && wt === WIRE_LEN) {
      labels = r.string();
    } else if (field === 2 && wt === WIRE_LEN) {
      const len = r.uint32();
      starts.push(r.pos);
      r.pos += len;
      if (r.pos > end) throw new WireError('entry overruns its stream');
      ends.push(r.pos);
    } else {
      r.skipType(wt);
    }
  }
  if (r.pos !== end) throw new WireError('stream field overruns its stream');
  if (starts.length === 0) return; // Loki skips streams without entries
  const h = g.openText(labels, starts.length);
  if (h === null) return;
  for (let i = 0; i < starts.length; i++) {
    r.pos = starts[i];
    readEntry(r, ends[i], g, h, i);
  }
  r.pos = end;
}

/**
 * Decodes an uncompressed `PushRequest` into `g`. Returns the number of streams seen. Throws
 * `Error` with a cause (`index out of range`, `overruns`, `invalid wire type`) when the bytes
 * are not a well-formed message; the caller turns that into PUSH_INVALID.
 */
export function decodePushRequestInto(buf: Buffer, g: StreamGrouper): number {
  const r = protobuf.Reader.create(buf);
  let streams = 0;
  while (r.pos < r.len) {
    const tag = r.uint32();
    const field = tag >>> 3;
    const wt = tag & 7;
    if (field === 1 && wt === WIRE_LEN) {
      const len = r.uint32();
      const end = r.pos + len;
      if (end > r.len) throw new WireError(`stream ${streams} overruns the message`);
      readStream(r, end, g);
      streams++;
    } else if (field === 0) {
      throw new WireError(`invalid field number 0 at offset ${r.pos}`);
    } else {
      r.skipType(wt);
    }
  }
  if (r.pos !== r.len) throw new WireError('field overruns the message');
  return streams;
}
