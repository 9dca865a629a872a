/**
 * The PostgreSQL rule store, alert state and ruler sync against the real local PostgreSQL
 * (LOGSENTINEL_TEST_POSTGRES_URL): the shared conformance suite, then what only several pods
 * sharing one database have — concurrent writers on one namespace from two store instances,
 * read-only rule files under PostgreSQL's namespaces, the change marker, and two rulers handing
 * the lease and the alert state over. Each test uses a private schema, dropped at the end.
 * Skipped with the reason when PostgreSQL is unreachable, except in CI (CI=true), where it fails.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { postgresUnavailable, TEST_POSTGRES_URL } from '../storage/postgres/testing/test-postgres.js';
import { migrate, SCHEMA_VERSION } from '../storage/postgres/schema.js';
import { DAY_NS } from '../storage/postgres/postgres-storage.js';
import { FileRuleStore } from './file-rule-store.js';
import { PostgresRuleStore } from './postgres-rule-store.js';
import { PostgresAlertState } from './postgres-alert-state.js';
import { RulerSync } from './ruler-sync.js';
import { Ruler } from './ruler.js';
import { group, layout, runRuleStoreConformance } from './testing/rule-store-conformance.js';
import { RuleNotFoundError } from './rule-store.js';
import { parseGroupYaml } from './rule-file.js';
import type { Evaluator } from './engine-adapter.js';

const skip = await postgresUnavailable();

const pools: pg.Pool[] = [];
const schemas = new Set<string>();

/** A fresh migrated schema; returns a factory of pools connected to it (several "pods"). */
async function freshSchema(): Promise<(() => pg.Pool) & { schema: string }> {
  const schema = 'ls_rules_' + randomBytes(6).toString('hex');
  schemas.add(schema);
  const open = Object.assign(
    (): pg.Pool => {
      const p = new pg.Pool({ connectionString: TEST_POSTGRES_URL, max: 4, options: `-c search_path=${schema}` });
      pools.push(p);
      return p;
    },
    { schema },
  );
  const c = await open().connect();
  try {
    await migrate(c, schema, { partitionNs: DAY_NS, timescaledb: 'off', trigramIndex: false });
  } finally {
    c.release();
  }
  return open;
}

after(async () => {
  await Promise.all(pools.map((p) => p.end().catch(() => undefined)));
  if (skip || schemas.size === 0) return;
  const c = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  await c.connect();
  try {
    for (const s of schemas) await c.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
  } finally {
    await c.end();
  }
});

function tempDir(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'ls-pg-rules-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

runRuleStoreConformance(
  'postgres',
  async () => {
    const open = await freshSchema();
    return { store: new PostgresRuleStore(open()), close: async () => undefined };
  },
  { skip },
);

runRuleStoreConformance(
  'postgres with an empty rules directory',
  async () => {
    const open = await freshSchema();
    const dir = tempDir();
    return { store: new PostgresRuleStore(open(), new FileRuleStore(dir)), close: async () => rmSync(dir, { recursive: true, force: true }) };
  },
  { skip },
);

const FILE = (names: string[]): string => `groups:\n${names.map((n) => `  - name: ${n}\n    rules:\n      - alert: F\n        expr: sum(count_over_time({app="file"}[1m])) > 0\n`).join('')}`;

describe('postgres rule store across pods', { skip }, () => {
  it('concurrent setGroup calls from two store instances on one namespace lose nothing', async () => {
    const open = await freshSchema();
    const a = new PostgresRuleStore(open());
    const b = new PostgresRuleStore(open());
    const names = Array.from({ length: 20 }, (_, i) => `g${String(i).padStart(2, '0')}`);
    // Both pods start from a namespace that does not exist yet: the creation races too.
    await Promise.all(names.map((n, i) => (i % 2 === 0 ? a : b).setGroup('t', 'shared', group(n))));
    assert.deepEqual((await layout(a))['t/shared'].sort(), names);
    assert.deepEqual(await layout(b), await layout(a), 'both pods read the same rules');
    // Replacements and deletions racing on the same namespace.
    await Promise.all([...names.slice(0, 10).map((n) => a.deleteGroup('t', 'shared', n)), ...names.slice(10).map((n) => b.setGroup('t', 'shared', group(n, 'v2')))]);
    const { namespaces } = await b.load('t');
    assert.deepEqual(namespaces[0].groups.map((g) => g.name).sort(), names.slice(10));
    for (const g of namespaces[0].groups) assert.match(g.rules[0].expr, /v2/);
  });

  it('the change marker moves on every committed write, and not on a failed one', async () => {
    const open = await freshSchema();
    const s = new PostgresRuleStore(open());
    const g0 = await s.generation();
    await s.setGroup('t', 'ns', group('a'));
    const g1 = await s.generation();
    assert.notEqual(g1, g0);
    await assert.rejects(s.deleteGroup('t', 'ns', 'nope'), RuleNotFoundError);
    assert.equal(await s.generation(), g1);
    await s.deleteNamespace('t', 'ns');
    assert.notEqual(await s.generation(), g1);
  });

  it('rule files are read-only under PostgreSQL: a namespace in both is PostgreSQL’s', async () => {
    const open = await freshSchema();
    const dir = tempDir({ 't/only-file.yaml': FILE(['f1']), 't/both.yaml': FILE(['f1', 'f2']), 't/deleted.yaml': FILE(['f1']), 't/bad.yaml': 'groups: [{name: x}]' });
    try {
      const files = new FileRuleStore(dir);
      const s = new PostgresRuleStore(open(), files);
      const { errors } = await s.load();
      assert.equal(errors.length, 1, 'the broken file is reported');
      assert.match(errors[0].message, /bad\.yaml/);
      // Editing a file's namespace copies its groups into PostgreSQL first.
      await s.setGroup('t', 'both', group('api'));
      await s.deleteNamespace('t', 'deleted');
      await s.setGroup('t', 'new', group('n'));
      const got = await s.load();
      assert.deepEqual(
        got.namespaces.map((ns) => [ns.namespace, ns.file.startsWith('postgres:') ? 'postgres' : 'file', ns.groups.map((g) => g.name)]),
        [
          ['both', 'postgres', ['f1', 'f2', 'api']],
          ['new', 'postgres', ['n']],
          ['only-file', 'file', ['f1']],
        ],
      );
      // The files themselves are never written.
      const names = async (st: FileRuleStore | PostgresRuleStore): Promise<string[]> => (await st.load()).namespaces.map((ns) => `${ns.tenant}/${ns.namespace}`);
      assert.deepEqual(await names(files), ['t/both', 't/deleted', 't/only-file']);
      await assert.rejects(s.deleteNamespace('t', 'deleted'), RuleNotFoundError, 'a deleted namespace stays deleted');
      // A group deleted from a file-only namespace: the rest moves to PostgreSQL.
      await s.deleteGroup('t', 'only-file', 'f1');
      assert.deepEqual(await names(s), ['t/both', 't/new']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a version-1 schema (before shared rules) is upgraded when opened', async () => {
    const open = await freshSchema();
    const pool = open();
    await pool.query('DROP TABLE rule_namespaces, rule_changes, alert_state');
    await pool.query('UPDATE schema_version SET version = 1');
    const c = await pool.connect();
    try {
      await migrate(c, open.schema, { partitionNs: DAY_NS, timescaledb: 'off', trigramIndex: false });
    } finally {
      c.release();
    }
    const s = new PostgresRuleStore(pool);
    await s.setGroup('t', 'ns', group('a'));
    assert.deepEqual(await layout(s), { 't/ns': ['a'] });
    assert.deepEqual((await pool.query('SELECT version FROM schema_version')).rows, [{ version: SCHEMA_VERSION }]);
  });

  it('alert state: saved and loaded as the state file’s snapshot', async () => {
    const open = await freshSchema();
    const st = new PostgresAlertState(open());
    assert.equal(await st.load(), undefined);
    assert.equal(await st.savedAt(), undefined);
    const snap = { version: 1 as const, savedAt: 1_767_225_600_123, rules: { 'k/ns/g/alert:A/x': [{ labels: { alertname: 'A' }, annotations: {}, state: 'firing' as const, value: 3, activeAtMs: 1_767_225_000_000, firedAtMs: 1_767_225_060_000 }] }, critical: [] };
    await st.save(snap);
    assert.deepEqual(await st.load(), snap);
    assert.equal(await st.savedAt(), snap.savedAt);
    await st.save({ ...snap, savedAt: snap.savedAt + 1000, rules: {} });
    assert.deepEqual((await st.load())?.rules, {});
  });
});

describe('ruler sync across two rulers', { skip }, () => {
  const RULE = 'name: g\ninterval: 1s\nrules:\n  - alert: Up\n    expr: sum(count_over_time({app="x"}[1m])) > 0\n    for: 10s\n';
  const alive: Array<{ ruler: Ruler; sync: RulerSync }> = [];
  after(async () => {
    for (const r of alive) {
      await r.sync.stop();
      await r.ruler.stop();
    }
  });

  /** A ruler "pod": its own pool, store, sync and a lease flag the test flips. */
  const pod = (open: () => pg.Pool, now: { ms: number }): { ruler: Ruler; sync: RulerSync; store: PostgresRuleStore; lease: { held: boolean } } => {
    const pool = open();
    const store = new PostgresRuleStore(pool);
    const lease = { held: false };
    const sync = new RulerSync({ rules: store, state: new PostgresAlertState(pool), lease: { held: () => lease.held }, pollMs: 60_000 });
    const evaluate: Evaluator = async () => ({ type: 'vector', samples: [{ labels: {}, value: 1 }] });
    const ruler = new Ruler({ store, evaluate, defaultIntervalMs: 1000, queryTimeoutMs: 1000, externalUrl: '', manual: true, now: () => now.ms, active: () => sync.active() });
    alive.push({ ruler, sync });
    return { ruler, sync, store, lease };
  };
  const alerts = (r: Ruler): Array<{ state: string; activeAtMs: number }> => r.list().flatMap((g) => g.rules.flatMap((x) => x.alerts?.current() ?? [])).map((a) => ({ state: a.state, activeAtMs: a.activeAtMs }));

  it('a rule written on one ruler reaches the other; a takeover keeps firing alerts with their activeAt', async () => {
    const open = await freshSchema();
    const now = { ms: 1_767_225_600_000 };
    const a = pod(open, now);
    const b = pod(open, now);
    await a.sync.start(a.ruler);
    await b.sync.start(b.ruler);
    a.lease.held = true;
    a.sync.leaseChanged(true);
    await a.sync.tick();
    assert.equal(a.sync.active(), true, 'A holds the lease and has loaded the (empty) state');
    assert.equal(b.sync.active(), false);

    // Written through A's store (as A's rules API does), seen by B at its next poll.
    await a.store.setGroup('t', 'ns', parseGroupYaml(RULE));
    await a.ruler.reload();
    await b.sync.tick();
    assert.deepEqual(b.ruler.list().map((g) => `${g.tenant}/${g.namespace}/${g.name}`), ['t/ns/g']);

    // A evaluates: pending, then firing after `for`; it saves the state (as index.ts does).
    const save = (): Promise<void> => a.sync.save({ version: 1, savedAt: now.ms, rules: a.ruler.snapshot(), critical: [] });
    const started = now.ms;
    await a.ruler.evaluateGroup(a.ruler.list()[0]);
    now.ms += 11_000;
    await a.ruler.evaluateGroup(a.ruler.list()[0]);
    assert.deepEqual(alerts(a.ruler), [{ state: 'firing', activeAtMs: started }]);
    await save();
    // B standing by never evaluates, but shows the holder's alerts.
    await b.ruler.evaluateGroup(b.ruler.list()[0]);
    await b.sync.tick();
    assert.deepEqual(alerts(b.ruler), [{ state: 'firing', activeAtMs: started }]);

    // A dies (stops renewing, saves nothing more); B acquires, loads the state, keeps firing.
    a.lease.held = false;
    a.sync.leaseChanged(false);
    const savedAt = await new PostgresAlertState(open()).savedAt();
    now.ms += 500;
    await save();
    assert.equal(await new PostgresAlertState(open()).savedAt(), savedAt, 'a ruler without the lease writes nothing');
    b.lease.held = true;
    b.sync.leaseChanged(true);
    await b.sync.tick();
    assert.equal(b.sync.active(), true);
    now.ms += 1000;
    await b.ruler.evaluateGroup(b.ruler.list()[0]);
    assert.deepEqual(alerts(b.ruler), [{ state: 'firing', activeAtMs: started }], 'still firing with the original activeAt');
    await b.sync.save({ version: 1, savedAt: now.ms, rules: b.ruler.snapshot(), critical: [] });

    // A comes back as a standby: its stale state is replaced by B's.
    await a.sync.tick();
    assert.equal(a.sync.active(), false);
    assert.deepEqual(alerts(a.ruler), [{ state: 'firing', activeAtMs: started }]);
  });
});
