import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Labels } from '../../model/labels.js';
import { runStages } from './test-helpers.js';
import { stripAnsi } from './decolorize.js';

describe('line_format, label_format, drop, keep, decolorize', () => {
  const line = (stages: string, input: string, want: string, stream?: Labels): void => {
    const r = runStages(stages, input, stream);
    assert.ok(r);
    assert.equal(r.line, want, stages);
  };
  const labels = (stages: string, input: string, want: Labels, stream?: Labels, meta?: Labels): void => {
    const r = runStages(stages, input, stream, meta);
    assert.ok(r);
    assert.deepEqual(r.labels, want, stages);
  };
  it('line_format renders labels', () => {
    line('| logfmt | line_format "{{.method}} {{ .path }} -> {{.status}}"', 'method=GET path=/x status=200', 'GET /x -> 200');
    line('| line_format "{{.app}}/{{.missing}}."', 'x', 'x/.');
    line('| logfmt | line_format `{{ if eq .status "200" }}ok{{ else if eq .status "404" }}missing{{ else }}err{{ end }}`', 'status=404', 'missing');
    line('| line_format "{{ __line__ | ToUpper }}"', 'hello', 'HELLO');
    line('| line_format "constant"', 'hello', 'constant');
    const r = runStages('| line_format "{{ div 1 0 }}"', 'keep me');
    assert.equal(r!.line, 'keep me');
    assert.equal(r!.labels.__error__, 'TemplateFormatErr');
  });
  it('label_format renames and templates', () => {
    labels('| logfmt | label_format dst=src', 'src=v', { app: 'x', dst: 'v' });
    labels('| label_format dst=missing', '', { app: 'x' });
    labels('| logfmt | label_format both="{{.a}}-{{.b}}", a=b', 'a=1 b=2', { app: 'x', both: '1-2', a: '2' });
    labels('| label_format app="{{.app | ToUpper}}"', '', { app: 'X' });
    labels('| label_format svc=app', '', { svc: 'x' });
  });
  it('drop and keep labels of every category', () => {
    labels('| logfmt | drop a, c', 'a=1 b=2 c=3', { app: 'x', b: '2' });
    labels('| logfmt | drop a="1", b="9"', 'a=1 b=2', { app: 'x', b: '2' });
    labels('| logfmt | drop b=~"[0-9]+"', 'a=x b=22', { app: 'x', a: 'x' });
    labels('| drop app, trace', '', { env: 'p', span: 's' }, { app: 'x', env: 'p' }, { trace: 't', span: 's' });
    labels('| logfmt | keep a, app', 'a=1 b=2', { app: 'x', a: '1' });
    labels('| logfmt | keep a="1", b="9"', 'a=1 b=2', { a: '1' });
    labels('| json | keep app', 'bad', { app: 'x', __error__: 'JSONParserErr', __error_details__: "Value looks like object, but can't find closing '}' symbol" });
    labels('| json | drop __error__, __error_details__', 'bad', { app: 'x' });
  });
  it('decolorize strips ANSI sequences', () => {
    line('| decolorize', '\u001b[31mred\u001b[0m and \u001b[1;32mbold green\u001b[0m', 'red and bold green');
    assert.equal(stripAnsi('plain'), 'plain');
    assert.equal(stripAnsi('\u001b[2K\u001b[1Gprogress'), 'progress');
  });
});
