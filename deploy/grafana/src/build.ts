/**
 * Generates the dashboard JSON files in `deploy/grafana/dashboards/` from the typed definitions
 * in `./dashboards/`. Run with `npm run dashboards`; `--check` writes nothing and exits 1 when a
 * committed file differs from what the code generates (test/deploy/dashboards.test.ts does the
 * same comparison).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { demoApiDashboard } from './dashboards/demo-api.js';
import { logsOverviewDashboard } from './dashboards/logs-overview.js';
import { operationsDashboard } from './dashboards/logsentinel-operations.js';

export const DASHBOARDS_DIR = resolve(import.meta.dirname, '../dashboards');

/** File name → dashboard. The file name is the dashboard's uid without the `logsentinel-` prefix. */
export const DASHBOARDS: Readonly<Record<string, () => Dashboard>> = {
  'logsentinel-operations.json': operationsDashboard,
  'logs-overview.json': logsOverviewDashboard,
  'demo-api.json': demoApiDashboard,
};

/** The text of every dashboard file, as it is committed: two-space JSON and a final newline. */
export function renderDashboards(): Map<string, string> {
  const out = new Map<string, string>();
  for (const [file, build] of Object.entries(DASHBOARDS)) out.set(file, JSON.stringify(build(), null, 2) + '\n');
  return out;
}

/** Files under `dir` whose content differs from the generated text (missing files included). */
export function staleDashboards(dir = DASHBOARDS_DIR): string[] {
  const stale: string[] = [];
  for (const [file, text] of renderDashboards()) {
    let current: string | undefined;
    try {
      current = readFileSync(join(dir, file), 'utf8');
    } catch {
      current = undefined;
    }
    if (current !== text) stale.push(file);
  }
  return stale;
}

function main(argv: string[]): number {
  if (argv.includes('--check')) {
    const stale = staleDashboards();
    if (stale.length === 0) return 0;
    console.error(`dashboards out of date (run npm run dashboards): ${stale.join(', ')}`);
    return 1;
  }
  mkdirSync(DASHBOARDS_DIR, { recursive: true });
  const files = renderDashboards();
  for (const [file, text] of files) writeFileSync(join(DASHBOARDS_DIR, file), text);
  console.log(`wrote ${[...files.keys()].map((f) => join('deploy/grafana/dashboards', f)).join(', ')}`);
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) process.exitCode = main(process.argv.slice(2));
