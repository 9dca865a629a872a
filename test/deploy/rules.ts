/** Reads deploy/prometheus/rules/logsentinel.rules.yml for the deploy tests. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ROOT } from '../e2e/harness.js';

/** Relative to the repository root. */
export const RULES = 'deploy/prometheus/rules/logsentinel.rules.yml';

export interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export function alertingRules(): Rule[] {
  const doc = parse(readFileSync(join(ROOT, RULES), 'utf8')) as { groups: Array<{ rules: Rule[] }> };
  return doc.groups.flatMap((g) => g.rules);
}
