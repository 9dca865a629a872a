/**
 * The TimescaleDB statements as generated: what the store executes is exactly this module's
 * output (schema.ts, write-path.ts, postgres-storage.ts import it), so these strings are the
 * contract with TimescaleDB 2.13–2.28. timescale-storage.test.ts runs them on a real server when
 * the test database has the extension.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  compareVersions,
  compressChunksStatement,
  compressionStatsQuery,
  dropChunksStatement,
  hypertableStatements,
  INSERT_FROM_STAGE,
  policyJobsQuery,
  policyStatements,
  runJobStatement,
  type PolicyJob,
} from './timescale.js';
import { existingLayout, migrations, unusableVersion } from './schema.js';

const DAY = 86_400_000_000_000n;

describe('timescaledb statements', () => {
  it('makes entries a compressed hypertable on the BIGINT nanosecond ts', () => {
    assert.deepEqual(hypertableStatements({ schema: 'logsentinel', chunkNs: DAY }), [
      'CREATE FUNCTION logsentinel.ls_now_ns() RETURNS bigint LANGUAGE sql STABLE AS $$ SELECT (extract(epoch FROM now()) * 1000000000)::bigint $$',
      "SELECT create_hypertable('logsentinel.entries', by_range('ts', 86400000000000::bigint), create_default_indexes => false)",
      "SELECT set_integer_now_func('logsentinel.entries', 'logsentinel.ls_now_ns')",
      'CREATE UNIQUE INDEX entries_identity ON logsentinel.entries (skey, ts, line_hash, metadata_hash)',
      "ALTER TABLE logsentinel.entries SET (timescaledb.compress, timescaledb.compress_segmentby = 'skey', timescaledb.compress_orderby = 'ts DESC, line_hash, metadata_hash')",
    ]);
    assert.match(hypertableStatements({ schema: 's', chunkNs: 3_600_000_000_000n })[1], /by_range\('ts', 3600000000000::bigint\)/);
  });

  it('puts every column of the unique index in segmentby or orderby, and ts first in it', () => {
    const stmts = hypertableStatements({ schema: 'x', chunkNs: DAY });
    const cols = /\(([^)]*)\)$/.exec(stmts.find((s) => s.startsWith('CREATE UNIQUE INDEX'))!)![1].split(', ');
    const alter = stmts.find((s) => s.startsWith('ALTER TABLE'))!;
    const segment = /compress_segmentby = '([^']*)'/.exec(alter)![1].split(', ');
    const order = /compress_orderby = '([^']*)'/.exec(alter)![1].split(', ').map((c) => c.split(' ')[0]);
    for (const c of cols) assert.ok(segment.includes(c) || order.includes(c), `${c} is segmentby or orderby`);
    assert.equal(order[0], 'ts', 'time first: batches are pruned by their ts range');
  });

  it('creates the hypertable as part of migration 1 of the timescaledb layout, with no generated column', () => {
    const m = migrations('timescaledb', { schema: 'ls', partitionNs: DAY });
    const all = m.flat().join('\n');
    assert.doesNotMatch(all, /GENERATED ALWAYS/);
    assert.doesNotMatch(all, /PARTITION BY/);
    assert.match(m[0].join('\n'), /create_hypertable\('ls\.entries'/);
    assert.deepEqual(m[2], [], 'version 3 has nothing to do: the identity includes the metadata hash from the start');
    // Version 4: the per-minute counts, the same plain table (not a hypertable) on both layouts.
    const plainM = migrations('partitioned', { schema: 'ls', partitionNs: DAY });
    assert.deepEqual(m[3], plainM[3]);
    assert.match(m[3].join('\n'), /^CREATE TABLE entry_counts \(/m);
    assert.doesNotMatch(m[3].join('\n'), /create_hypertable|PARTITION BY/);
    const plain = migrations('partitioned', { schema: 'ls', partitionNs: DAY });
    assert.match(plain[0].join('\n'), /GENERATED ALWAYS AS \(hashtextextended\(line, 0\)\) STORED[\s\S]*PARTITION BY RANGE \(ts\)/);
    assert.doesNotMatch(plain.flat().join('\n'), /create_hypertable|timescaledb/);
  });

  it('computes the identity hashes in the writer INSERT exactly as the plain layout does, and counts what it inserted', () => {
    assert.equal(
      INSERT_FROM_STAGE,
      `WITH ins AS (INSERT INTO entries (ts, line_hash, metadata_hash, skey, level, line, metadata) SELECT ts, hashtextextended(line, 0), hashtextextended(coalesce(metadata, ''), 0), skey, level, line, metadata FROM ls_stage ORDER BY skey, ts, line COLLATE "C", metadata COLLATE "C" ON CONFLICT DO NOTHING ` +
        `RETURNING ts, skey, level, octet_length(line) AS bytes, metadata IS NOT NULL AS meta), ` +
        `counted AS (INSERT INTO entry_counts (cell, n, bytes, skey, level, meta) SELECT ((ts - 1) / 60000000000 - ((ts - 1) % 60000000000 < 0)::int), count(*), sum(bytes), skey, level, meta FROM ins GROUP BY 1, 4, 5, 6) ` +
        `SELECT count(*)::integer AS n FROM ins`,
    );
    // The plain layout's expressions, for the same identity on both layouts.
    const plain = migrations('partitioned', { schema: 'ls', partitionNs: DAY }).flat().join('\n');
    assert.ok(plain.includes('hashtextextended(line, 0)') && plain.includes("hashtextextended(coalesce(metadata, ''), 0)"));
  });

  it('reads policies, runs jobs, measures compression and drops chunks with these statements', () => {
    assert.deepEqual(policyJobsQuery('logsentinel'), {
      sql: "SELECT job_id, proc_name, coalesce(config ->> 'compress_after', config ->> 'drop_after') AS age FROM timescaledb_information.jobs WHERE hypertable_schema = $1 AND hypertable_name = 'entries' AND proc_name IN ('policy_compression', 'policy_retention') ORDER BY job_id",
      values: ['logsentinel'],
    });
    assert.equal(runJobStatement(1001), 'CALL run_job(1001)');
    assert.equal(
      compressionStatsQuery('logsentinel'),
      "SELECT coalesce(sum(after_compression_total_bytes), 0)::bigint AS compressed, coalesce(sum(before_compression_total_bytes), 0)::bigint AS uncompressed, coalesce(sum(number_compressed_chunks), 0)::bigint AS compressed_chunks, (SELECT coalesce(hypertable_size('logsentinel.entries'), 0))::bigint AS total FROM hypertable_compression_stats('logsentinel.entries')",
    );
    assert.equal(dropChunksStatement('logsentinel'), "SELECT drop_chunks('logsentinel.entries', older_than => $1::bigint)");
    assert.equal(compressChunksStatement('logsentinel'), "SELECT compress_chunk(c, if_not_compressed => true) FROM show_chunks('logsentinel.entries') c");
  });

  it('brings policies to the configured ages', () => {
    const f = (want: { compressAfterNs: bigint; retentionNs: bigint }, jobs: PolicyJob[], expected: string[]): void =>
      assert.deepEqual(policyStatements({ schema: 'ls', ...want }, jobs), expected);
    const comp = (age: string, id = 1000): PolicyJob => ({ job_id: id, proc_name: 'policy_compression', age });
    const ret = (age: string, id = 1001): PolicyJob => ({ job_id: id, proc_name: 'policy_retention', age });
    // A new hypertable: both added.
    f({ compressAfterNs: 2n * DAY, retentionNs: 31n * DAY }, [], [
      "SELECT add_compression_policy('ls.entries', compress_after => 172800000000000::bigint)",
      "SELECT add_retention_policy('ls.entries', drop_after => 2678400000000000::bigint)",
    ]);
    // Already as configured: nothing.
    f({ compressAfterNs: 2n * DAY, retentionNs: 31n * DAY }, [comp('172800000000000'), ret('2678400000000000')], []);
    // retention.period changed: the retention policy is replaced, compression left alone.
    f({ compressAfterNs: 2n * DAY, retentionNs: 7n * DAY }, [comp('172800000000000'), ret('2678400000000000')], [
      "SELECT remove_retention_policy('ls.entries', if_exists => true)",
      "SELECT add_retention_policy('ls.entries', drop_after => 604800000000000::bigint)",
    ]);
    // Ages beyond 2^53 ns are compared exactly (text, not a JSON number).
    f({ compressAfterNs: 2n * DAY, retentionNs: 9_007_199_254_740_993n }, [comp('172800000000000'), ret('9007199254740993')], []);
    // 0 = none: removed, or not added.
    f({ compressAfterNs: 0n, retentionNs: 0n }, [comp('172800000000000'), ret('1')], [
      "SELECT remove_compression_policy('ls.entries', if_exists => true)",
      "SELECT remove_retention_policy('ls.entries', if_exists => true)",
    ]);
    f({ compressAfterNs: 0n, retentionNs: 0n }, [], []);
    // An unreadable config or two jobs of one kind (added by hand): replaced by one.
    f({ compressAfterNs: DAY, retentionNs: 0n }, [{ job_id: 5, proc_name: 'policy_compression', age: null }], [
      "SELECT remove_compression_policy('ls.entries', if_exists => true)",
      "SELECT add_compression_policy('ls.entries', compress_after => 86400000000000::bigint)",
    ]);
  });

  it('compares versions and names the minimum', () => {
    const f = (a: string, b: string, sign: number): void => assert.equal(Math.sign(compareVersions(a, b)), sign, `${a} vs ${b}`);
    f('2.13.0', '2.13.0', 0);
    f('2.28.1', '2.13.0', 1);
    f('2.9.3', '2.13.0', -1);
    f('2.13.0-dev', '2.13.0', 0);
    f('3.0', '2.28.1', 1);
    assert.equal(unusableVersion('2.28.0'), undefined);
    assert.equal(unusableVersion('2.13.0'), undefined);
    assert.equal(unusableVersion('2.12.2'), 'TimescaleDB 2.12.2 is installed; this layout needs 2.13.0 or later (ALTER EXTENSION timescaledb UPDATE)');
  });
});

describe('timescaledb statements: failures', () => {
  it('refuses bad input instead of generating SQL', () => {
    assert.throws(() => hypertableStatements({ schema: 'ls; DROP TABLE x', chunkNs: DAY }), /cannot use schema/);
    assert.throws(() => hypertableStatements({ schema: 'ls', chunkNs: 0n }), /BUG: chunk interval must be > 0/);
    assert.throws(() => policyStatements({ schema: 'ls', compressAfterNs: -1n, retentionNs: 0n }, []), /BUG: compress_after must be >= 0/);
    assert.throws(() => runJobStatement(0), /BUG: job id/);
    assert.throws(() => runJobStatement(1.5), /BUG: job id/);
  });

  it('keeps an existing schema on its layout under auto, and refuses the other layout under on and off', () => {
    assert.deepEqual(existingLayout('ls', 'auto', 'partitioned').layout, 'partitioned');
    assert.deepEqual(existingLayout('ls', 'auto', 'timescaledb').layout, 'timescaledb');
    assert.match(existingLayout('ls', 'auto', 'partitioned').note, /schema ls uses the plain PostgreSQL partitioned layout recorded when it was created/);
    assert.equal(existingLayout('ls', 'on', 'timescaledb').layout, 'timescaledb');
    assert.equal(existingLayout('ls', 'off', 'partitioned').layout, 'partitioned');
    assert.throws(
      () => existingLayout('ls', 'on', 'partitioned'),
      (err: Error & { retryable?: boolean }) =>
        /^cannot use TimescaleDB for schema ls: it already holds LogSentinel's plain-PostgreSQL layout \(meta\.layout = partitioned\).*set storage\.postgres\.timescaledb to auto \(keeps this layout\) or off, or move the data/.test(err.message) && err.retryable === false,
    );
    assert.throws(() => existingLayout('ls', 'off', 'timescaledb'), /cannot open schema ls without TimescaleDB: .*set storage\.postgres\.timescaledb to auto or on/);
  });
});
