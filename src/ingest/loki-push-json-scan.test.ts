/**
 * The byte scanner of Loki JSON bodies against the general path (`JSON.parse` of the whole body):
 * every body, valid or mangled, must decode to the same result or fail with the same error, and
 * the common shapes must actually take the fast path. Seeded (LOKI_SCAN_SEED overrides).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_INGEST_LIMITS } from './common/limits.js';
import { StreamGrouper } from './common/stream-grouper.js';
import { decodeLokiJsonBufferInto, decodeLokiJsonInto } from './loki-push-json.js';
import { scanLokiJson } from './loki-push-json-scan.js';
import { fuzzer } from '../testing/seeded-random.js';

const SEED = Number(process.env.LOKI_SCAN_SEED ?? 0x5ca4);
const NOW = 1_700_000_100_000_000_000n;
const { int, pick, bytes: randomBytes } = fuzzer(SEED);

type Outcome = { ok: unknown } | { error: string };

function viaScanner(body: Buffer): Outcome {
  const g = new StreamGrouper('t', DEFAULT_INGEST_LIMITS, NOW);
  try {
    decodeLokiJsonBufferInto(body, g);
    return { ok: g.result() };
  } catch (err) {
    return { error: `${(err as Error).name}: ${(err as Error).message}` };
  }
}

function viaJsonParse(body: Buffer): Outcome {
  const g = new StreamGrouper('t', DEFAULT_INGEST_LIMITS, NOW);
  try {
    decodeLokiJsonInto(body.toString('utf8'), g);
    return { ok: g.result() };
  } catch (err) {
    return { error: `${(err as Error).name}: ${(err as Error).message}` };
  }
}

const ts = (k: number): string => String(NOW - BigInt(k));
const ws = (): string => pick(['', '', '', ' ', '\n  ', '\t', '\r\n']);
const str = (): string =>
  pick([
    () => `level=info msg="hello ${int(1000)}" n=${int(100)}`,
    () => 'ERROR boom ✓ ünï 😀',
    () => 'quote " backslash \\ tab \t newline \n nul \u0000 bell \u0007',
    () => '{"level":"error","m":"x"}',
    () => '',
    () => String.fromCharCode(...Array.from({ length: 1 + int(20) }, () => int(0x3000))),
  ])();

/** A valid v1 body, written by hand so whitespace, key order and escapes vary. */
function validBody(): string {
  const streams: string[] = [];
  for (let s = 0; s < 1 + int(4); s++) {
    const labels = Array.from({ length: int(4) }, (_, i) => `${ws()}${JSON.stringify(pick(['app', 'service', 'env', 'level', `l${i}`, '__proto__x', 'ü']))}${ws()}:${ws()}${JSON.stringify(pick(['api', 'prod', 'warn', `v${int(5)}`, 'ä "q"']))}`);
    const values = Array.from({ length: int(6) }, () => {
      const md = int(3) === 0 ? `,${ws()}{${ws()}"trace_id":"${int(1e6)}",${ws()}"k.v":${JSON.stringify(str())}}` : '';
      return `[${ws()}"${ts(int(1000))}"${ws()},${ws()}${JSON.stringify(str())}${md}${ws()}]`;
    });
    const parts = [`"stream":${ws()}{${labels.join(',')}}`, `"values":${ws()}[${values.join(',')}]`];
    if (int(2) === 0) parts.reverse();
    if (int(8) === 0) parts.splice(parts.findIndex((p) => p.startsWith('"stream"')), 1);
    streams.push(`${ws()}{${ws()}${parts.join(`${ws()},${ws()}`)}${ws()}}`);
  }
  return `${ws()}{${ws()}"streams"${ws()}:${ws()}[${streams.join(',')}]${ws()}}${ws()}`;
}

function mutate(b: Buffer): Buffer {
  const out = Buffer.from(b);
  switch (int(4)) {
    case 0:
      for (let k = 0; k < 1 + int(4); k++) out[int(out.length)] = pick([0x22, 0x5c, 0x2c, 0x5d, 0x7d, 0x0a, 0x00, 0xff, 0x31, int(256)]);
      return out;
    case 1:
      return out.subarray(0, int(out.length));
    case 2: {
      const at = int(out.length);
      return Buffer.concat([out.subarray(0, at), randomBytes(1 + int(4)), out.subarray(at)]);
    }
    default: {
      const at = int(out.length);
      return Buffer.concat([out.subarray(0, at), out.subarray(at + 1 + int(8))]);
    }
  }
}

describe('scanLokiJson', () => {
  it('takes the fast path for the common shapes, escapes, metadata and whitespace included', () => {
    for (let i = 0; i < 300; i++) {
      const body = Buffer.from(validBody());
      assert.notEqual(scanLokiJson(body), undefined, body.toString());
      assert.deepEqual(viaScanner(body), viaJsonParse(body), body.toString());
    }
  });

  it('leaves to JSON.parse what it does not read the same way', () => {
    const other = [
      '{"streams":[]}',
      '{"streams":[{"labels":"{app=\\"a\\"}","entries":[{"ts":"2023-11-14T22:13:20Z","line":"x"}]}]}',
      `{"streams":[{"stream":{"app":"a"},"values":[[${ts(1)},"numeric timestamp"]]}]}`,
      `{"streams":[{"stream":{"app":1},"values":[["${ts(1)}","x"]]}]}`,
      `{"streams":[{"stream":{"app":"a"},"values":[["${ts(1)}","x"]],"extra":true}]}`,
      `{"streams":[{"stream":{"__proto__":"a"},"values":[["${ts(1)}","x"]]}]}`,
      `{"streams":[{"stream":{"app":"a"},"values":[["${ts(1)}","raw\nnewline"]]}]}`,
      `{"streams":[{"stream":{"app":"a"},"values":[["${ts(1)}","x"]]}]}garbage`,
      `\ufeff{"streams":[{"stream":{"app":"a"},"values":[["${ts(1)}","x"]]}]}`,
      `{"streams":[{"stream":{"app":"a"},"values":[["${ts(1)}","x"]]}],"streams":[]}`,
    ];
    for (const text of other) {
      const body = Buffer.from(text);
      assert.equal(scanLokiJson(body), undefined, text);
      assert.deepEqual(viaScanner(body), viaJsonParse(body), text);
    }
  });

  it('decodes every mangled body as JSON.parse does, or fails with the same error', () => {
    let fast = 0;
    for (let i = 0; i < 3000; i++) {
      const body = mutate(Buffer.from(validBody()));
      if (scanLokiJson(body) !== undefined) fast++;
      assert.deepEqual(viaScanner(body), viaJsonParse(body), body.toString('latin1'));
    }
    // Some mutations keep the shape (a changed letter in a line), so both paths are exercised.
    assert.ok(fast > 100, `only ${fast} of 3000 mangled bodies took the fast path`);
  });
});
