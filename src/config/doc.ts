/** Renders the configuration reference (docs/configuration.md) from the option table. */
import { OPTIONS } from './schema.js';
import { envName } from './load.js';

export function renderConfigDoc(): string {
  const lines = [
    '# Configuration reference',
    '',
    '<!-- Generated from src/config/schema.ts by `npm run docs:config`; a test keeps it in sync. -->',
    '',
    'Every option can be set in the YAML file given with `--config <file>` (nested by the dots of its',
    'path), by its environment variable, and for a few by a flag of `logsentinel serve`. Precedence:',
    'flags > environment > config file > defaults. Durations take `ms s m h d w y` (`1h30m`);',
    'sizes take `KB MB GB` (powers of 1000) and `KiB MiB GiB` (powers of 1024). An unknown option in',
    'the file is an error, not ignored.',
    '',
    'Any environment variable `LOGSENTINEL_X` can instead be given as `LOGSENTINEL_X_FILE`, naming a',
    'file whose content is the value (one trailing newline removed), as Kubernetes mounts Secrets;',
    'setting both is an error. Options marked **secret** are never printed: not in logs, errors,',
    '`--help` or `/metrics` ([security-transport.md](security-transport.md#secrets)).',
    '',
    '| option | environment variable | flag | default | meaning |',
    '|---|---|---|---|---|',
  ];
  for (const o of OPTIONS) {
    lines.push(`| \`${o.path}\` | \`${envName(o.path)}\` | ${o.flag ? '`' + o.flag + '`' : ''} | \`${String(o.default)}\` | ${o.secret ? '**secret** ' : ''}${o.doc.replace(/\|/g, '\\|')} |`);
  }
  lines.push('', 'Example `logsentinel.yaml`:', '', '```yaml', 'server:', '  port: 3100', 'dataDir: /var/lib/logsentinel', 'limits:', '  maxLineSize: 512KiB', 'retention:', '  period: 168h', '```', '');
  return lines.join('\n');
}
