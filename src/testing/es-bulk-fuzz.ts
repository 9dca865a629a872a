/**
 * Hostile Elasticsearch bulk bodies from a seeded generator, for the decoder's fuzz test and the
 * route test: random bytes, truncated and mutated NDJSON, actions without sources, deep nesting,
 * huge arrays, too many fields, wrong types, broken gzip and a gzip bomb.
 */
import { gzipSync } from 'node:zlib';
import type { Fuzzer } from './seeded-random.js';


/** Generators of hostile bulk bodies, keyed by name so a failure says which one. */
export function bodyGenerators(f: Fuzzer): Record<string, () => Buffer> {
  const { rand: r, int, pick } = f;
  const weird: unknown[] = [null, true, 0, -1, 1.5e308, '', 'x', [], {}, [1, 'a'], { a: { b: null } }, '\u0000', '\ud800', 'Ä😀', 2 ** 53 + 1];
  const value = (): unknown => pick(weird);
  const doc = (): Record<string, unknown> => {
    const d: Record<string, unknown> = {};
    const n = int(8);
    const keys = ['@timestamp', 'message', 'level', 'log', 'service', 'host', 'app', '', 'a.b', '_id', '__proto__', 'constructor', 'x'.repeat(int(3000))];
    for (let i = 0; i < n; i++) d[pick(keys)] = r() < 0.5 ? value() : pick(['2023-11-14T22:13:20Z', 1700000000123, 'ERROR x', { level: 'warn', name: 'svc' }]);
    return d;
  };
  const action = (): unknown => {
    const op = pick(['index', 'create', 'update', 'delete', 'index', 'create', 'foo', '']);
    const meta: Record<string, unknown> = {};
    if (r() < 0.8) meta._index = r() < 0.8 ? pick(['logs', 'logs-app-default', 'UPPER', 'a b', '_x', '', 'é']) : value();
    if (r() < 0.3) meta._id = r() < 0.8 ? pick(['1', 'abc', 'x'.repeat(600)]) : value();
    return r() < 0.9 ? { [op]: meta } : value();
  };
  const validBody = (): string => {
    const lines: string[] = [];
    const n = 1 + int(10);
    for (let i = 0; i < n; i++) {
      const a = { [pick(['index', 'create'])]: { _index: pick(['logs', 'logs-app-default']) } };
      lines.push(JSON.stringify(a), JSON.stringify({ '@timestamp': '2023-11-14T22:13:20Z', message: 'line ' + i, service: { name: 's' } }));
    }
    return lines.join('\n') + '\n';
  };
  // Big payloads are built once and reused, so the run measures the decoder, not the generator.
  const cache = new Map<string, string | Buffer>();
  const once = <T extends string | Buffer>(key: string, make: () => T): T => {
    let v = cache.get(key);
    if (v === undefined) cache.set(key, (v = make()));
    return v as T;
  };
  const nest = (depth: number, arr: boolean): string => (arr ? '['.repeat(depth) + ']'.repeat(depth) : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth));
  return {
    randomBytes: () => Buffer.from(Array.from({ length: int(400) }, () => int(256))),
    randomNdjsonChars: () => Buffer.from(Array.from({ length: int(300) }, () => pick(['{', '}', '[', ']', '"', ':', ',', '\n', '\r', ' ', 'a', '1', '\\', 'index', 'create', '_index'])).join('')),
    truncated: () => {
      const b = validBody();
      return Buffer.from(b.slice(0, int(b.length)));
    },
    mutated: () => {
      const b = Buffer.from(validBody());
      for (let k = 1 + int(5); k > 0; k--) b[int(b.length)] = int(256);
      return b;
    },
    linesShuffled: () => {
      const lines = validBody().split('\n');
      for (let i = lines.length - 1; i > 0; i--) {
        const j = int(i + 1);
        [lines[i], lines[j]] = [lines[j], lines[i]];
      }
      return Buffer.from(lines.join('\n'));
    },
    actionsWithoutSource: () => Buffer.from(Array.from({ length: 1 + int(6) }, () => JSON.stringify({ index: { _index: 'logs' } })).join('\n')),
    randomActionsAndDocs: () => {
      const lines: string[] = [];
      for (let i = int(12); i >= 0; i--) lines.push(JSON.stringify(action()) ?? 'null', r() < 0.9 ? JSON.stringify(doc()) : JSON.stringify(value()) ?? '');
      return Buffer.from(lines.join(pick(['\n', '\r\n', '\n\n'])));
    },
    deepNesting: () => {
      const depth = pick([19, 20, 21, 100, 1000, 20000]);
      const where = int(3);
      const arr = r() < 0.5;
      const deep = once(`nest${depth}${arr}`, () => nest(depth, arr));
      if (where === 0) return Buffer.from(deep + '\n');
      if (where === 1) return Buffer.from(`{"index":{"_index":"logs","x":${deep}}}\n{}\n`);
      return Buffer.from(`{"index":{"_index":"logs"}}\n{"message":"m","d":${deep}}\n`);
    },
    hugeArrays: () => {
      const n = pick([1000, 20_000, 100_000]);
      const objects = r() < 0.5;
      const arr = once(`arr${n}${objects}`, () => '[' + Array.from({ length: n }, (_, i) => (objects ? '{"k":' + i + '}' : String(i))).join(',') + ']');
      return Buffer.from(r() < 0.5 ? `{"index":{"_index":"logs"}}\n{"message":"m","a":${arr}}\n` : arr + '\n');
    },
    manyFields: () => {
      const n = pick([127, 129, 999, 1001, 5000]);
      const d: Record<string, number> = {};
      for (let i = 0; i < n; i++) d['f' + i] = i;
      return Buffer.from(`{"create":{"_index":"logs"}}\n${JSON.stringify(d)}\n`);
    },
    wrongTypes: () => {
      const d = { '@timestamp': value(), message: value(), level: value(), log: { level: value() }, service: value(), host: { name: value() } };
      return Buffer.from(`${JSON.stringify(action())}\n${JSON.stringify(d)}\n`);
    },
    brokenGzip: () => {
      const z = gzipSync(validBody());
      return r() < 0.5 ? z.subarray(0, int(z.length)) : Buffer.concat([z.subarray(0, 10), Buffer.from(Array.from({ length: int(100) }, () => int(256)))]);
    },
    gzipBomb: () => once('bomb', () => gzipSync(Buffer.alloc(8 * 1024 * 1024, 32))),
    bomAndControl: () => Buffer.from('\ufeff' + validBody().replace(/"/g, () => (r() < 0.02 ? '\u0000' : '"'))),
  };
}

