/**
 * Builds the benchmark's data: `lines` realistic lines of one corpus (`default`: the load
 * generator's, src/loadgen/corpus.ts; `mixed`: corpus-mixed.ts), stamped evenly over the last
 * `hours`, packed into Loki JSON push bodies of `batch` lines (grouped by stream, as clients send
 * them), plus the same rows in storage form for the floors. A rare token is planted in ten lines
 * for the needle-in-a-haystack query.
 *
 * A `CorpusSource` keeps no lines: each pass generates them afresh from the seed, the same lines
 * every time, so 100M lines cost no memory. `writeSpool` puts the push bodies into a file for the
 * pushers; `buildCorpus` holds everything in memory, for the benchmarks that want arrays.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { LogCorpus, type CorpusLine } from '../../src/loadgen/corpus.js';
import { streamId, sortLabels, type Labels } from '../../src/model/labels.js';
import { LEVEL_CODE } from '../../src/model/level.js';
import { MixedCorpus } from './corpus-mixed.js';

export const RARE_TOKEN = 'zq7rare9token';

export const CORPORA = ['default', 'mixed'] as const;
export type CorpusName = (typeof CORPORA)[number];

export interface CorpusOptions {
  lines: number;
  batch: number;
  hours: number;
  seed: number;
  corpus?: CorpusName;
}

export interface CorpusRow {
  ts: bigint;
  streamId: bigint;
  levelCode: number;
  line: string;
}

/** A row with its stream's labels (the same object for every row of a stream). */
export interface LabeledRow extends CorpusRow {
  labels: Labels;
}

export class CorpusSource {
  readonly startNs: bigint;
  readonly endNs: bigint;
  /** How many lines carry RARE_TOKEN: every `rareEvery`-th. */
  readonly rareCount: number;
  private readonly step: bigint;
  private readonly rareEvery: number;
  private readonly ids = new Map<Labels, bigint>();

  constructor(readonly opts: CorpusOptions) {
    this.endNs = BigInt(Date.now()) * 1_000_000n;
    this.startNs = this.endNs - BigInt(opts.hours * 3600) * 1_000_000_000n;
    this.step = (this.endNs - this.startNs) / BigInt(opts.lines);
    this.rareEvery = Math.max(1, Math.floor(opts.lines / 10));
    this.rareCount = Math.floor(opts.lines / this.rareEvery);
  }

  /** The first `count` lines (all by default) as rows, in time order. */
  *rows(count = this.opts.lines): Generator<LabeledRow> {
    const gen: { next(tsMs: number): CorpusLine } = this.opts.corpus === 'mixed' ? new MixedCorpus(this.opts.seed) : new LogCorpus(this.opts.seed, { services: 6 });
    for (let i = 0; i < count; i++) {
      const ts = this.startNs + BigInt(i) * this.step;
      const c = gen.next(Number(ts / 1_000_000n));
      const line = i % this.rareEvery === this.rareEvery - 1 ? c.line + ' ' + RARE_TOKEN : c.line;
      let id = this.ids.get(c.labels);
      if (id === undefined) this.ids.set(c.labels, (id = streamId('default', sortLabels(c.labels))));
      yield { ts, streamId: id, levelCode: LEVEL_CODE[c.level], line, labels: c.labels };
    }
  }

  /** All lines as push bodies of `batch` lines, each with its rows and their bytes. */
  *batches(): Generator<{ body: string; rows: LabeledRow[]; lineBytes: number }> {
    let rows: LabeledRow[] = [];
    for (const r of this.rows()) {
      rows.push(r);
      if (rows.length === this.opts.batch) {
        yield batchOf(rows);
        rows = [];
      }
    }
    if (rows.length > 0) yield batchOf(rows);
  }
}

function batchOf(rows: LabeledRow[]): { body: string; rows: LabeledRow[]; lineBytes: number } {
  const streams = new Map<Labels, Array<[string, string]>>();
  let lineBytes = 0;
  for (const r of rows) {
    let values = streams.get(r.labels);
    if (!values) streams.set(r.labels, (values = []));
    values.push([r.ts.toString(), r.line]);
    lineBytes += Buffer.byteLength(r.line);
  }
  const body = JSON.stringify({ streams: [...streams].map(([stream, values]) => ({ stream, values })) });
  return { body, rows, lineBytes };
}

/**
 * Writes every push body into `file`, one a line (JSON text holds no raw newline), for
 * `SpoolReader` (push.ts). Returns the bytes of JSON and of lines.
 */
export function writeSpool(src: CorpusSource, file: string): { bodyBytes: number; lineBytes: number } {
  const fd = openSync(file, 'w');
  let bodyBytes = 0;
  let lineBytes = 0;
  try {
    for (const b of src.batches()) {
      bodyBytes += writeSync(fd, b.body + '\n') - 1;
      lineBytes += b.lineBytes;
    }
  } finally {
    closeSync(fd);
  }
  return { bodyBytes, lineBytes };
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

/** The whole corpus in memory: every body and every row. */
export function buildCorpus(opts: CorpusOptions): Corpus {
  const src = new CorpusSource(opts);
  const bodies: string[] = [];
  const rows: CorpusRow[] = [];
  let bodyBytes = 0;
  let lineBytes = 0;
  for (const b of src.batches()) {
    bodies.push(b.body);
    for (const r of b.rows) rows.push(r);
    bodyBytes += Buffer.byteLength(b.body);
    lineBytes += b.lineBytes;
  }
  return { bodies, rows, bodyBytes, lineBytes, startNs: src.startNs, endNs: src.endNs, rareCount: src.rareCount };
}
