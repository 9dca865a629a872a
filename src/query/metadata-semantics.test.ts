/**
 * Loki 3's data-model semantics for structured metadata, through the query engine on a real
 * DuckDB store: entries that differ only in metadata are distinct; metadata whose name is a stream
 * label is `<name>_extracted`; `detected_level` is metadata of every entry, chosen as Loki's
 * distributor does (a level label of the stream as sent, else a level field of the metadata, else
 * the detected level), unless the entry brings its own. Metric answers are checked on both the
 * push-down and the row path.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBStorage } from '../storage/duckdb/duckdb-storage.js';
import { batch } from '../storage/conformance.js';
import { labelsToString } from '../model/labels.js';
import { compileLogQuery } from './compile.js';
import { runLogQuery } from './log-query.js';
import { evaluateInstantExpr, parseMetricQuery, type InstantResult } from './metric/engine.js';

const S = 1_000_000_000n;

describe('structured metadata semantics (Loki 3)', () => {
  let dir: string;
  let store: DuckDBStorage;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ls-mdsem-'));
    store = new DuckDBStorage({ dataDir: dir, checkpointIntervalMs: 0, threads: 1, memoryLimit: '256MB' });
    await store.open();
    await store.write([
      batch('t', { app: 'x', service: 'api' }, [
        // Same time and line, different metadata: three entries (the last two collide with `service`).
        { ts: 1n * S, line: 'GET / 500', level: 'error', metadata: { user: 'u1' } },
        { ts: 1n * S, line: 'GET / 500', level: 'error', metadata: { user: 'u2' } },
        { ts: 1n * S, line: 'GET / 500', level: 'error', metadata: { user: 'u2', service: 'checkout' } },
        { ts: 2n * S, line: 'GET / 200', level: 'info', metadata: { service: 'checkout' } },
        // Its own detected_level stands.
        { ts: 3n * S, line: 'audit', level: 'info', metadata: { detected_level: 'notice' } },
      ]),
      // A client that sends `level` as a stream label: detected_level is that value as sent.
      batch('t', { app: 'pt', level: 'ERROR' }, [{ ts: 4n * S, line: 'disk quota exceeded', level: 'error' }]),
      // A metadata level field is taken as sent, though `level` shows it normalised.
      batch('t', { app: 'otel' }, [{ ts: 5n * S, line: 'slow', level: 'warn', metadata: { severity: 'WARNING' } }]),
    ]);
    // Retried, with metadata keys in another order: nothing new.
    await store.write([batch('t', { app: 'x', service: 'api' }, [{ ts: 1n * S, line: 'GET / 500', level: 'error', metadata: { service: 'checkout', user: 'u2' } }])]);
  });
  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const logs = async (q: string, categorize = false): Promise<string[]> => {
    const { plans } = compileLogQuery(q);
    const res = await runLogQuery(store, plans, { tenants: ['t'], start: 0n, end: 10n * S, limit: 100, direction: 'forward' }, { categorize });
    return res.streams.flatMap((s) =>
      s.entries.map((e) => (categorize ? `${labelsToString(s.streamLabels)} ${labelsToString(e.structuredMetadata)} ${e.line}` : `${labelsToString(s.labels)} ${e.line}`)),
    ).sort();
  };

  const metric = async (q: string): Promise<string[]> => {
    const shape = (r: InstantResult): string[] => (r.type === 'vector' ? r.samples.map((x) => `${labelsToString(x.labels)} ${x.value}`).sort() : [`scalar ${r.value}`]);
    const pushed = shape((await evaluateInstantExpr(store, parseMetricQuery(q), 10n * S, { tenants: ['t'] })).result);
    const rows = shape((await evaluateInstantExpr(store, parseMetricQuery(q), 10n * S, { tenants: ['t'], limits: { pushDown: false } })).result);
    assert.deepEqual(pushed, rows, `${q}: push-down and row path agree`);
    return pushed;
  };

  it('keeps entries that differ only in metadata, and counts each', async () => {
    assert.deepEqual(await metric('sum(count_over_time({app="x"} |= "500" [10s]))'), ['{} 3']);
    assert.deepEqual(await metric('sum by (user) (count_over_time({app="x"}[10s]))'), ['{user="u1"} 1', '{user="u2"} 2', '{} 2']);
  });

  it('shows metadata that collides with a stream label as <name>_extracted', async () => {
    const f = async (q: string, want: string[]): Promise<void> => assert.deepEqual(await logs(q), want, q);
    const api = 'app="x", detected_level="error"';
    await f('{app="x"} |= "500"', [
      `{${api}, level="error", service="api", service_extracted="checkout", user="u2"} GET / 500`,
      `{${api}, level="error", service="api", user="u1"} GET / 500`,
      `{${api}, level="error", service="api", user="u2"} GET / 500`,
    ]);
    // Label filters see the stream label under its name and the metadata under the new one.
    await f('{app="x"} | service="checkout"', []);
    await f('{app="x"} | service_extracted="checkout"', [
      `{${api}, level="error", service="api", service_extracted="checkout", user="u2"} GET / 500`,
      '{app="x", detected_level="info", level="info", service="api", service_extracted="checkout"} GET / 200',
    ]);
    // Categorized: the stream keeps its labels, the renamed one is metadata.
    assert.deepEqual(await logs('{app="x"} |= "200"', true), ['{app="x", service="api"} {detected_level="info", level="info", service_extracted="checkout"} GET / 200']);
  });

  it('groups metrics by <name>_extracted on both paths', async () => {
    assert.deepEqual(await metric('sum by (service_extracted) (count_over_time({app="x"}[10s]))'), ['{service_extracted="checkout"} 2', '{} 3']);
    assert.deepEqual(await metric('sum by (service) (count_over_time({app="x"}[10s]))'), ['{service="api"} 5']);
  });

  it('exposes detected_level for every entry, filterable and groupable', async () => {
    assert.deepEqual(await logs('{app=~"pt|otel"}'), [
      '{app="otel", detected_level="WARNING", level="warn", severity="WARNING"} slow',
      '{app="pt", detected_level="ERROR", level="ERROR"} disk quota exceeded',
    ]);
    assert.deepEqual(await logs('{app="x"} | detected_level="notice"'), ['{app="x", detected_level="notice", level="info", service="api"} audit']);
    assert.deepEqual(await logs('{app=~".+"} | detected_level=~"(?i)error" | user!="u2"'), [
      '{app="pt", detected_level="ERROR", level="ERROR"} disk quota exceeded',
      '{app="x", detected_level="error", level="error", service="api", user="u1"} GET / 500',
    ]);
    assert.deepEqual(await metric('sum by (detected_level) (count_over_time({app=~".+"}[10s]))'), [
      '{detected_level="ERROR"} 1',
      '{detected_level="WARNING"} 1',
      '{detected_level="error"} 3',
      '{detected_level="info"} 1',
      '{detected_level="notice"} 1',
    ]);
    // `level` filters and grouping keep working as before.
    assert.deepEqual(await metric('sum by (level) (count_over_time({app=~".+"} | level="error" [10s]))'), ['{level="error"} 3']);
    // `drop detected_level` removes it like any metadata.
    assert.deepEqual(await logs('{app="pt"} | drop detected_level'), ['{app="pt", level="ERROR"} disk quota exceeded']);
  });
});
