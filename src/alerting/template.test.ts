import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseAlertTemplate, renderAlertTemplate, renderTemplates } from './template.js';

describe('alert templates', () => {
  const data = { labels: { service: 'api', env: 'prod' }, value: 12.5 };
  it('renders labels, values and functions', () => {
    const f = (src: string, want: string): void => assert.equal(renderAlertTemplate(parseAlertTemplate(src), data), want, src);
    f('plain', 'plain');
    f('{{ $labels.service }} in {{$labels.env}}', 'api in prod');
    f('{{ .Labels.service }}', 'api');
    f('{{ $labels.missing }}', '');
    f('{{ $value }}', '12.5');
    f('{{ .Value }}', '12.5');
    f('{{ printf "%.1f" $value }}%', '12.5%');
    f('{{ printf "%d errors on %s" $value $labels.service }}', '12 errors on api');
    f('{{ $value | humanize }}', '12.5');
    f('{{ humanize 1234567 }}', '1.235M');
    f('{{ 0.25 | humanizePercentage }}', '25%');
    f('{{ $labels.service | toUpper }}', 'API');
    f('{{ "a b" | title }}', 'A B');
    f('{{ $labels }}', '{env="prod", service="api"}');
    f('a {{- $labels.service -}} b', 'aapib');
    f('{{/* note */}}x', 'x');
  });
  it('rejects what it does not support, at parse time', () => {
    const f = (src: string, want: RegExp): void => assert.throws(() => parseAlertTemplate(src), want, src);
    f('{{ $labels.x', /unclosed action/);
    f('{{ range .Alerts }}', /unsupported/);
    f('{{ $labels.x | nope }}', /function "nope" not defined/);
    f('{{ printf $value }}', /printf needs a format string/);
    f('{{ }}', /missing command/);
  });
  it('renders maps, keeping plain values as they are', () => {
    assert.deepEqual(renderTemplates({ a: 'x', b: '{{ $labels.env }}' }, data), { a: 'x', b: 'prod' });
  });
});
