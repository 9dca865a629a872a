/**
 * Builds the benchmark's data: `lines` realistic lines from the load generator's corpus, stamped
 * evenly over the last `hours`, packed into Loki JSON push bodies of `batch` lines (grouped by
 * stream, as clients send them), plus the same rows in storage form for the appender floor.
 * A rare token is planted in a handful of lines for the needle-in-a-haystack query.
 */
import { LogCorpus } from '../../src/loadgen/corpus.js';
import { streamId, sortLabels, type Labels } from '../../src/model/labels.js';
import { LEVEL_CODE } from '../../src/model/level.js';

export const RARE_TOKEN = 'zq7rare9token';

export interface CorpusRow {
  ts: bigint;
  streamId: bigint;
  levelCode: number;
  line: string;
}

export interface Corpus {
  bodies: string[];
  rows: CorpusRow[];
  bodyBytes: number;
  lineBytes: number;
  startNs: bigint;
  endNs: bigint;
  rareCount: number;
}

export function buildCorpus(opts: { lines: number; batch: number; hours: number; seed: number }): Corpus {
  const gen = new LogCorpus(opts.seed, { services: 6 });
  const endNs = BigInt(Date.now()) * 1_000_000n;
  const startNs = endNs - BigInt(opts.hours * 3600) * 1_000_000_000n;
  const step = (endNs - startNs) / BigInt(opts.lines);
  const rareEvery = Math.max(1, Math.floor(opts.lines / 10));
  const ids = new Map<Labels, bigint>();
  const rows: CorpusRow[] = new Array(opts.lines);
  const bodies: string[] = [];
  let bodyBytes = 0;
  let lineBytes = 0;
  let rareCount = 0;
  for (let i = 0; i < opts.lines; ) {
    const streams = new Map<Labels, Array<[string, string]>>();
    const end = Math.min(opts.lines, i + opts.batch);
    for (; i < end; i++) {
      const ts = startNs + BigInt(i) * step;
      const c = gen.next(Number(ts / 1_000_000n));
      let line = c.line;
      if (i % rareEvery === rareEvery - 1) {
        line += ' ' + RARE_TOKEN;
        rareCount++;
      }
      let list = streams.get(c.labels);
      if (!list) streams.set(c.labels, (list = []));
      list.push([ts.toString(), line]);
      let id = ids.get(c.labels);
      if (id === undefined) ids.set(c.labels, (id = streamId('default', sortLabels(c.labels))));
      rows[i] = { ts, streamId: id, levelCode: LEVEL_CODE[c.level], line };
      lineBytes += Buffer.byteLength(line);
    }
    const body = JSON.stringify({ streams: [...streams].map(([stream, values]) => ({ stream, values })) });
    bodyBytes += body.length;
    bodies.push(body);
  }
  return { bodies, rows, bodyBytes, lineBytes, startNs, endNs, rareCount };
}
