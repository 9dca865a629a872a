/**
 * External tools the deploy tests run (promtool, prometheus, yamllint), found at their Debian
 * paths or on PATH. Without CI a missing tool skips its tests with the reason; with CI=true it
 * fails them, since CI must have every tool (.ci/run installs them).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

export interface Tool {
  name: string;
  /** Absolute path, or undefined when not installed. */
  path: string | undefined;
  /** `skip` option for node:test: the reason when not installed outside CI, else false. */
  skip: string | false;
  hint: string;
}

function executable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function findTool(name: string, debianPath: string, hint: string): Tool {
  const candidates = [debianPath, ...(process.env.PATH ?? '').split(delimiter).filter(Boolean).map((d) => join(d, name))];
  const path = candidates.find(executable);
  const skip = path === undefined && process.env.CI !== 'true' ? `${name} is not installed (${hint}); with CI=true this is a failure` : false;
  return { name, path, skip, hint };
}

/** The tool's path; fails the test when it is missing (only reached with CI=true). */
export function toolPath(t: Tool): string {
  if (t.path === undefined) assert.fail(`${t.name} is required in CI but is not installed: ${t.hint}`);
  return t.path;
}

/** Runs a tool and returns its exit status and combined output. */
export function run(path: string, args: string[], cwd: string): { status: number | null; output: string } {
  const r = spawnSync(path, args, { cwd, encoding: 'utf8' });
  if (r.error) throw r.error;
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

export const PROMTOOL = findTool('promtool', '/usr/bin/promtool', 'apt-get install prometheus');
export const PROMETHEUS = findTool('prometheus', '/usr/bin/prometheus', 'apt-get install prometheus');
export const YAMLLINT = findTool('yamllint', '/usr/bin/yamllint', 'apt-get install yamllint');
