/**
 * Push bodies for steady ingest during a probe: fresh corpus lines stamped around now. A few
 * bodies are encoded up front; the i-th request gets one of them with every timestamp moved on
 * (rewritten in place in a copy, digits only), so every push is new to the server's dedup window
 * and the probe spends its CPU sending, not generating.
 */
import { LogCorpus } from '../../src/loadgen/corpus.js';
import { encodeBatch } from '../../src/loadgen/request-body.js';
import type { PushBody } from './push-load.js';

interface Base {
  body: Buffer;
  contentType: string;
  lines: number;
  /** Byte offsets of the 19-digit timestamps in `body`. */
  offsets: number[];
  stamps: bigint[];
}

export function steadyBodies(opts: { count: number; lines: number; seed?: number; services?: number; service?: string }): (i: number) => PushBody {
  const gen = new LogCorpus(opts.seed ?? 7, { services: opts.services ?? 6 });
  const nowNs = BigInt(Date.now()) * 1_000_000n;
  const kinds = Math.min(opts.count, 16);
  const bases: Base[] = [];
  for (let b = 0; b < kinds; b++) {
    const lines = Array.from({ length: opts.lines }, () => gen.next());
    if (opts.service) for (const l of lines) l.labels = { ...l.labels, service: opts.service };
    // Bodies a millisecond apart; entries a nanosecond apart within a body.
    const e = encodeBatch('loki-json', lines, nowNs + BigInt(b) * 1_000_000n);
    const text = e.body.toString('latin1');
    const offsets: number[] = [];
    const stamps: bigint[] = [];
    for (const m of text.matchAll(/\["(\d{19})",/g)) {
      offsets.push(m.index! + 2);
      stamps.push(BigInt(m[1]));
    }
    bases.push({ body: e.body, contentType: e.contentType, lines: e.lines, offsets, stamps });
  }
  return (i) => {
    const base = bases[i % kinds];
    const round = BigInt(Math.floor(i / kinds));
    if (round === 0n) return { body: base.body, contentType: base.contentType, lines: base.lines };
    // Each round moves every stamp on by `kinds` milliseconds: no two requests share an entry.
    const body = Buffer.from(base.body);
    const shift = round * BigInt(kinds) * 1_000_000n;
    for (let k = 0; k < base.offsets.length; k++) body.write((base.stamps[k] + shift).toString(), base.offsets[k], 19, 'latin1');
    return { body, contentType: base.contentType, lines: base.lines };
  };
}
