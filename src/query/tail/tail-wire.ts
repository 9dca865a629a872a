/**
 * The cross-pod tail message: what a processor publishes on `<prefix>:tail:<tenant>` after a
 * commit. Compact JSON, the queue's body format (src/queue/redis-streams/codec.ts) without the
 * stream ids: `{"t": tenant, "s": [{"l": {labels}, "e": [["<ts ns>", "<line>", "<level>"(, {metadata})], ...]}, ...]}`.
 * Timestamps are decimal strings so no digit is lost.
 */
import type { LogEntry, WriteBatch } from '../../model/entry.js';
import { labelsToString, streamId } from '../../model/labels.js';
import { isLevel } from '../../model/level.js';

type WireEntry = [string, string, string] | [string, string, string, Record<string, string>];
interface WireBody {
  t: string;
  s: Array<{ l: Record<string, string>; e: WireEntry[] }>;
}

export function tailChannel(prefix: string, tenant: string): string {
  return `${prefix}:tail:${tenant}`;
}

export function encodeTail(batch: WriteBatch): string {
  const body: WireBody = {
    t: batch.tenant,
    s: batch.streams.map((s) => ({
      l: s.labels,
      e: s.entries.map((x): WireEntry => (x.metadata && Object.keys(x.metadata).length > 0 ? [x.ts.toString(), x.line, x.level, x.metadata] : [x.ts.toString(), x.line, x.level])),
    })),
  };
  return JSON.stringify(body);
}

/** Throws on anything malformed. */
export function decodeTail(msg: string): WriteBatch {
  const body = JSON.parse(msg) as WireBody;
  if (typeof body?.t !== 'string' || !Array.isArray(body.s)) throw new Error('tail message is not {t, s}');
  return {
    tenant: body.t,
    streams: body.s.map((ws) => {
      if (typeof ws?.l !== 'object' || ws.l === null || !Array.isArray(ws.e)) throw new Error('tail stream is not {l, e}');
      const entries: LogEntry[] = ws.e.map((we) => {
        if (!Array.isArray(we) || !/^\d+$/.test(we[0]) || typeof we[1] !== 'string' || !isLevel(we[2])) throw new Error('tail entry is not [ts, line, level]');
        const e: LogEntry = { ts: BigInt(we[0]), line: we[1], level: we[2] };
        if (we[3]) e.metadata = we[3];
        return e;
      });
      return { labels: ws.l, key: labelsToString(ws.l), id: streamId(body.t, ws.l), entries };
    }),
  };
}
