import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseLogSelector } from './parser.js';
import { buildPipeline } from './pipeline.js';

describe('buildPipeline', () => {
  it('is a no-op without stages and reuses the stream labels', () => {
    const p = buildPipeline([]);
    assert.equal(p.noop, true);
    const stream = { app: 'x' };
    const r = p.process(1n, 'line', stream, undefined);
    assert.ok(r);
    assert.equal(r.labels, stream);
    assert.deepEqual(r.parsed, {});
    assert.deepEqual(r.structuredMetadata, {});
  });
  it('adds structured metadata and the detected level', () => {
    const p = buildPipeline([]);
    const r = p.process(1n, 'line', { app: 'x' }, { trace_id: 't1' }, 'warn');
    assert.deepEqual(r!.labels, { app: 'x', level: 'warn', trace_id: 't1', detected_level: 'warn' });
    assert.deepEqual(r!.structuredMetadata, { level: 'warn', trace_id: 't1', detected_level: 'warn' });
    // The stream's own level label wins; `detected_level` is added with its value, as Loki 3 does.
    const s = p.process(1n, 'line', { app: 'x', level: 'custom' }, undefined, 'warn');
    assert.deepEqual(s!.labels, { app: 'x', level: 'custom', detected_level: 'custom' });
    // A metadata `level` (the field the level was detected from, as sent) shows normalised,
    // as `| level="warn"` matches it.
    const m = buildPipeline(parseLogSelector('{app="x"} | level="warn"').stages).process(1n, 'line', { app: 'x' }, { level: 'warning', k: 'v' }, 'warn');
    assert.deepEqual(m!.labels, { app: 'x', level: 'warn', k: 'v', detected_level: 'warning' });
    assert.deepEqual(m!.structuredMetadata, { level: 'warn', k: 'v', detected_level: 'warning' });
    // Entries of one stream with the same level share one label object.
    const stream = { app: 'y' };
    assert.equal(p.process(1n, 'a', stream, undefined, 'info')!.labels, p.process(2n, 'b', stream, undefined, 'info')!.labels);
  });
  it('runs stages in order over many rows without leaking state', () => {
    const p = buildPipeline(parseLogSelector('{app="x"} |= "req" | logfmt | status >= 400 | line_format "{{.status}} {{.path}}" | drop path').stages);
    assert.equal(p.noop, false);
    const out = ['req path=/a status=500', 'noise', 'req path=/b status=200', 'req path=/c status=404', 'req status=abc'].map((l) => p.process(0n, l, { app: 'x' }, undefined));
    assert.deepEqual(
      out.map((r) => r && { line: r.line, labels: r.labels }),
      [
        { line: '500 /a', labels: { app: 'x', status: '500' } },
        null,
        null,
        { line: '404 /c', labels: { app: 'x', status: '404' } },
        { line: 'abc ', labels: { app: 'x', status: 'abc', __error__: 'LabelFilterErr', __error_details__: 'strconv.ParseFloat: parsing "abc": invalid syntax' } },
      ],
    );
  });
});
