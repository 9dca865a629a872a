import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseTemplate } from './parse.js';
import { executeTemplate } from './exec.js';
import { withExecLimits } from '../exec-limits.js';
import { LogSentinelError } from '../../errors.js';

const LABELS: Record<string, string> = { a: 'Hello World', n: '42', f: '2.5', empty: '', path: '/api/v1/users', ts: '2024-03-05T10:20:30Z', url: 'a b&c', b64: 'aGk=' };

function render(src: string, line = 'the line', ts = 1_700_000_000_123_456_789n): string {
  return executeTemplate(parseTemplate(src), { label: (n) => LABELS[n], all: () => LABELS, line, ts });
}

describe('template', () => {
  const f = (src: string, want: string): void => assert.equal(render(src), want, src);
  it('renders fields, text and trim markers', () => {
    f('{{.a}}', 'Hello World');
    f('{{ .a }}!', 'Hello World!');
    f('x {{- .n -}} y', 'x42y');
    f('{{.missing}}', '');
    f('{{/* comment */}}ok', 'ok');
    f('{{ "lit" }} {{ 3 }} {{ true }}', 'lit 3 true');
  });
  it('supports if / else if / else', () => {
    f('{{ if .empty }}yes{{ else }}no{{ end }}', 'no');
    f('{{ if eq .n "42" }}A{{ else if eq .n "1" }}B{{ end }}', 'A');
    f('{{ if and .a (not .empty) }}both{{ end }}', 'both');
    f('{{ if or .empty .n }}{{ .n }}{{ end }}', '42');
  });
  it('implements string functions', () => {
    f('{{ .a | ToUpper }}', 'HELLO WORLD');
    f('{{ .a | ToLower }}', 'hello world');
    f('{{ .a | upper }} {{ .a | lower }}', 'HELLO WORLD hello world');
    f('{{ "hello world" | title }}', 'Hello World');
    f('{{ Replace .a "l" "L" 2 }}', 'HeLLo World');
    f('{{ Replace .a "l" "L" -1 }}', 'HeLLo WorLd');
    f('{{ .a | replace "World" "There" }}', 'Hello There');
    f('{{ Trim "xxhixx" "x" }} {{ TrimLeft "xxhi" "x" }} {{ TrimRight "hixx" "x" }}', 'hi hi hi');
    f('{{ TrimPrefix .path "/api" }} {{ TrimSuffix .path "/users" }} [{{ TrimSpace "  s  " }}] [{{ trim " t " }}]', '/v1/users /api/v1 [s] [t]');
    f('{{ .a | trunc 5 }} {{ .a | trunc -5 }}', 'Hello World');
    f('{{ .a | substr 0 5 }}', 'Hello');
    f('{{ contains "World" .a }} {{ hasPrefix "Hell" .a }} {{ hasSuffix "x" .a }}', 'true true false');
    f('{{ .empty | default "dflt" }} {{ .n | default "dflt" }}', 'dflt 42');
    f('{{ repeat 3 "ab" }}', 'ababab');
    f('{{ indent 2 "a\\nb" }}|{{ nindent 2 "c" }}', '  a\n  b|\n  c');
    f('{{ regexReplaceAll "(\\\\w+) (\\\\w+)" .a "${2} $1" }}', 'World Hello');
    f('{{ regexReplaceAllLiteral "o" .a "$1" }}', 'Hell$1 W$1rld');
    f('{{ .url | urlencode }} {{ "a+b%26c" | urldecode }}', 'a+b%26c a b&c');
    f('{{ "hi" | b64enc }} {{ .b64 | b64dec }}', 'aGk= hi');
    f('[{{ alignLeft 5 "ab" }}][{{ alignRight 5 "ab" }}][{{ alignLeft 2 "abcd" }}]', '[ab   ][   ab][ab]');
    f('{{ len .a }}', '11');
    f('{{ printf "%s=%d %.2f %5s|%-4s| %q %x %v" "k" 7 3.14159 "r" "l" "q" 255 true }}', 'k=7 3.14     r|l   | "q" ff true');
    f('{{ printf "%03d" 7 }}', '007');
  });
  it('implements math and comparisons', () => {
    f('{{ add .n 8 }} {{ sub 10 3 }} {{ mul 6 7 }} {{ div 7 2 }} {{ mod 7 2 }}', '50 7 42 3 1');
    f('{{ addf .f 1 }} {{ mulf 1.5 2 }} {{ divf 1 4 }}', '3.5 3 0.25');
    f('{{ lt 1 2 }} {{ le 2 2 }} {{ gt "b" "a" }} {{ ge 1 2 }} {{ ne "x" "y" }} {{ eq .n "1" "42" }}', 'true true true false true true');
    f('{{ ceil 1.2 }} {{ floor 1.8 }} {{ round 1.256 2 }} {{ max 1 5 3 }} {{ min 4 2 }}', '2 1 1.26 5 2');
    assert.throws(() => render('{{ eq .n 42 }}'), /incompatible types for comparison/);
  });
  it('implements time functions', () => {
    f('{{ __timestamp__ | date "2006-01-02T15:04:05.000Z07:00" }}', '2023-11-14T22:13:20.123Z');
    f('{{ __timestamp__ | unixEpoch }}', '1700000000');
    f('{{ toDate "2006-01-02T15:04:05Z07:00" .ts | unixEpoch }}', '1709634030');
    f('{{ toDate "2006-01-02 15:04:05" "2024-03-05 10:20:30" | date "Jan _2 3:04PM Mon" }}', 'Mar  5 10:20AM Tue');
    f('{{ unixToTime "1700000000" | date "2006-01-02" }}', '2023-11-14');
    f('{{ __timestamp__ }}', '2023-11-14 22:13:20.123456789 +0000 UTC');
    f('{{ __line__ }}', 'the line');
  });
  it('rejects unknown functions and bad syntax with Go wording', () => {
    const bad = (src: string, re: RegExp): void => assert.throws(() => parseTemplate(src), re, src);
    bad('{{ nope .a }}', /template: line:1: function "nope" not defined$/);
    bad('line1\n{{ .a | missing }}', /template: line:2: function "missing" not defined$/);
    bad('{{ if .a }}x', /unexpected EOF/);
    bad('{{ end }}', /unexpected \{\{end\}\}/);
    bad('{{ define "x" }}{{ end }}', /not supported/);
    bad('{{ $nope }}', /undefined variable "\$nope"/);
    bad('{{ range $k, $v := . }}{{ end }}{{ $k }}', /undefined variable "\$k"/);
    bad('{{ break }}', /outside \{\{range\}\}/);
    bad('{{ .a', /unclosed action/);
    bad('{{ "x" | "y" }}', /non executable command in pipeline stage 2/);
  });
  it('fails when run, not when parsed, what Go parses but cannot execute (Loki: TemplateFormatErr)', () => {
    const failsRun = (src: string, re: RegExp): void => {
      const tpl = parseTemplate(src);
      assert.throws(() => executeTemplate(tpl, { label: () => 'v', all: () => ({}), line: 'l', ts: 0n }), re, src);
    };
    failsRun('{{ .a "x" }}', /a is not a method but has arguments/);
    failsRun('{{ "x" | .a }}', /a is not a method but has arguments/);
    failsRun('{{ 1 2 }}', /can't give argument to non-function 1/);
    failsRun('{{ template "t" }}', /no such template "t"/);
    failsRun('{{ now 1 }}', /wrong number of args for now: want 0 got 1/);
  });
});

describe('template limits', () => {
  const LIMIT = 1000;
  const limited = (src: string, line = 'the line', checkDeadline = (): void => undefined): string =>
    withExecLimits({ maxTemplateOutput: LIMIT, checkDeadline }, () => render(src, line));

  it('refuses output past the limit before building it, naming the function and the limit', () => {
    const f = (src: string, what: RegExp, line?: string): void =>
      assert.throws(
        () => limited(src, line),
        (err: unknown) => err instanceof LogSentinelError && err.status === 400 && what.test(err.message) && /limit of 1000 per line \(query\.maxTemplateOutput\)/.test(err.message),
        src,
      );
    f('{{ printf "%999999999s" "x" }}', /printf width would produce 999999999 characters/);
    f('{{ printf "%-2000d" 5 }}', /printf width/);
    f('{{ printf "%*s" 5000 "x" }}', /printf width/);
    f('{{ repeat 99999 (repeat 99999 "ab") }}', /repeat would produce/);
    f('{{ __line__ | repeat 10 | repeat 10 | repeat 10 }}', /repeat would produce/);
    f('{{ indent 999999999 __line__ }}', /indent would produce/);
    f('{{ nindent 400 "a\\nb\\nc" }}', /nindent would produce/);
    f('{{ alignLeft 5000 "x" }}', /alignLeft/);
    f('{{ alignRight 5000 "x" }}', /alignRight/);
    f('{{ replace "" "xxxxxxxxxx" (repeat 100 "y") }}', /replace would produce/);
    f('{{ Replace (repeat 100 "y") "y" "zzzzzzzzzzzz" -1 }}', /Replace would produce/);
    f('{{ regexReplaceAll "" (repeat 100 "y") "xxxxxxxxxxxx" }}', /regexReplaceAll would produce/);
    f('{{ repeat 80 "0123456789" | b64enc }}', /the result of b64enc/); // 800 characters encode to 1068
    f('{{ repeat 90 "0123456789" }}{{ repeat 90 "0123456789" }}', /the template output/); // each 900, together 1800
  });

  it('renders right up to the limit', () => {
    assert.equal(limited('{{ printf "%1000s" "x" }}').length, 1000);
    assert.equal(limited('{{ repeat 100 "0123456789" }}').length, 1000);
    assert.equal(limited('{{ indent 2 "a" }}'), '  a');
  });

  it('checks the query deadline on every function call', () => {
    let calls = 0;
    const deadline = (): void => {
      if (++calls > 2) throw new LogSentinelError('QUERY_TIMEOUT', 'cannot finish query: past its deadline');
    };
    assert.equal(limited('{{ upper "a" }}{{ lower "B" }}', 'x', deadline), 'Ab');
    calls = 0;
    assert.throws(() => limited('{{ upper "a" }}{{ lower "B" }}{{ trim " c " }}', 'x', deadline), /past its deadline/);
  });
});
