import { mkdtempSync, rmSync, writeFileSync, readFileSync, existsSync, readdirSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DuckDBStorage } from '../storage/duckdb/duckdb-storage.js';
import { MIGRATIONS } from '../storage/duckdb/schema.js';
import { batch } from '../storage/conformance.js';
import { LogSentinelError } from '../errors.js';
import { takeBackup, restoreBackup, BACKUP_FILE, MANIFEST_FILE, IN_PROGRESS_FILE, type BackupManifest } from './index.js';
import { checkTarget } from './take-backup.js';

const T0 = 1_700_000_000_000_000_000n;
const root = mkdtempSync(join(tmpdir(), 'ls-backup-'));
const dir = (name: string): string => join(root, name);

describe('backup and restore of the embedded store', () => {
  let store: DuckDBStorage;
  before(async () => {
    store = new DuckDBStorage({ dataDir: dir('live'), checkpointIntervalMs: 0, threads: 1 });
    await store.open();
    await store.write([
      batch('t', { app: 'a' }, Array.from({ length: 3000 }, (_, i) => ({ ts: T0 + BigInt(i), line: `a ${i}` }))),
      batch('u', { app: 'b' }, Array.from({ length: 20 }, (_, i) => ({ ts: T0 + BigInt(i), line: `b ${i}` }))),
    ]);
  });
  after(async () => {
    await store.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('writes a complete backup with its manifest last and restores it into an empty directory', async () => {
    const r = await takeBackup(store, dir('b1'), { version: 'test', reserveBytes: 0 });
    assert.deepEqual(readdirSync(dir('b1')).sort(), [MANIFEST_FILE, BACKUP_FILE].sort());
    const m = JSON.parse(readFileSync(join(dir('b1'), MANIFEST_FILE), 'utf8')) as BackupManifest;
    assert.equal(m.entries, 3020);
    assert.equal(m.streams, 2);
    assert.equal(m.schemaVersion, MIGRATIONS.length);
    assert.equal(m.sha256.length, 64);
    assert.equal(r.entries, 3020);
    // Writes after the backup are not in it.
    await store.write([batch('t', { app: 'a' }, [{ ts: T0 + 99_999n, line: 'after' }])]);

    const restored = await restoreBackup(dir('b1'), dir('r1'));
    assert.equal(restored.entries, 3020);
    const s = new DuckDBStorage({ dataDir: dir('r1'), checkpointIntervalMs: 0 });
    await s.open();
    try {
      const [[n, after]] = await s.query("SELECT count(*), count(*) FILTER (WHERE line = 'after') FROM entries");
      assert.equal(Number(n), 3020);
      assert.equal(Number(after), 0);
      assert.deepEqual((await s.streams('u', 0n, 2n ** 62n)).map((x) => x.labels), [{ app: 'b' }]);
    } finally {
      await s.close();
    }
  });

  it('refuses targets it would write over or cannot hold', async () => {
    const f = async (to: string, code: string, msg: RegExp, reserve = 0): Promise<void> => {
      await assert.rejects(checkTarget(store, to, reserve), (err: LogSentinelError) => {
        assert.equal(err.code, code);
        assert.match(err.message, msg);
        return true;
      });
    };
    writeFileSync(join(root, 'somefile'), 'x');
    await f('relative/dir', 'BAD_REQUEST', /^cannot back up to "relative\/dir": the path must be absolute/);
    await f(root, 'BAD_REQUEST', /^cannot back up to .*: the directory is not empty/);
    await f(dir('big'), 'INSUFFICIENT_STORAGE', /^cannot back up to .*: .* free on its filesystem; the copy may take up to .* and .* must stay free$/, 2 ** 60);
  });

  it('refuses to restore what is not a complete, intact backup, or into a non-empty directory', async () => {
    await takeBackup(store, dir('b2'), { version: 'test', reserveBytes: 0 });
    const f = async (from: string, into: string, msg: RegExp): Promise<void> => {
      await assert.rejects(restoreBackup(from, into), (err: LogSentinelError) => {
        assert.equal(err.status, 400);
        assert.match(err.message, msg);
        return true;
      });
      assert.ok(!existsSync(join(into, BACKUP_FILE)) || into === dir('live'), 'nothing restored');
    };
    await f(dir('nope'), dir('r2'), /^cannot restore from .*nope: no such directory$/);
    // Interrupted: the data file half-written, no manifest, the marker still there.
    const partial = dir('partial');
    await takeBackup(store, partial, { version: 'test', reserveBytes: 0 });
    rmSync(join(partial, MANIFEST_FILE));
    writeFileSync(join(partial, IN_PROGRESS_FILE), 'started\n');
    await f(partial, dir('r2'), /^cannot restore from .*: the backup there is incomplete \(backup\.json is missing and BACKUP-IN-PROGRESS is present\): it was interrupted or is still running; take a new backup$/);
    rmSync(join(partial, IN_PROGRESS_FILE));
    await f(partial, dir('r2'), /^cannot restore from .*: it holds no complete backup \(backup\.json is missing\)$/);
    // Damaged: a byte appended.
    const damaged = dir('damaged');
    await takeBackup(store, damaged, { version: 'test', reserveBytes: 0 });
    appendFileSync(join(damaged, BACKUP_FILE), 'x');
    await f(damaged, dir('r2'), /the manifest says \d+: the backup is damaged$/);
    await f(dir('b2'), dir('live'), /^cannot restore into .*live: the directory is not empty \(a restore never overwrites a store/);
  });
});
