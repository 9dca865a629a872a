/**
 * Every YAML file under deploy/grafana and deploy/prometheus passes yamllint (syntax, duplicate
 * keys, indentation; deploy/.yamllint) and parses strictly with the `yaml` package, which rejects
 * duplicate keys too, so the check holds even where yamllint is not installed.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { ROOT } from '../e2e/harness.js';
import { YAMLLINT, run, toolPath } from './tools.js';

const OWNED = ['deploy/grafana', 'deploy/prometheus'];

function yamlFiles(): string[] {
  return OWNED.flatMap((dir) =>
    readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })
      .filter((f) => /\.ya?ml$/.test(f))
      .map((f) => join(dir, f)),
  ).sort();
}

describe('YAML under deploy/grafana and deploy/prometheus', () => {
  const files = yamlFiles();

  it('is found', () => {
    assert.ok(files.length >= 4, files.join(', '));
  });

  it('passes yamllint --strict', { skip: YAMLLINT.skip }, () => {
    const r = run(toolPath(YAMLLINT), ['--strict', '-f', 'parsable', '-c', 'deploy/.yamllint', ...files], ROOT);
    assert.equal(r.status, 0, r.output);
  });

  it('yamllint catches a duplicate key and a syntax error with this configuration', { skip: YAMLLINT.skip }, () => {
    const f = (text: string, want: RegExp): void => {
      const r = run('/bin/sh', ['-c', `printf '%s' "$0" | ${JSON.stringify(toolPath(YAMLLINT))} --strict -f parsable -c deploy/.yamllint -`, text], ROOT);
      assert.notEqual(r.status, 0, text);
      assert.match(r.output, want);
    };
    f('groups:\n  - name: a\n    name: b\n', /key-duplicates/);
    f('groups:\n  - name: [a\n', /syntax/);
  });

  it('parses strictly (no duplicate keys, no errors or warnings)', () => {
    for (const f of files) {
      for (const doc of parseAllDocuments(readFileSync(join(ROOT, f), 'utf8'), { uniqueKeys: true, strict: true })) {
        assert.deepEqual(doc.errors.map(String), [], f);
        assert.deepEqual(doc.warnings.map(String), [], f);
      }
    }
  });
});
