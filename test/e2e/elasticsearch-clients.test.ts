/**
 * Real Elasticsearch clients write to LogSentinel's bulk API unchanged: the official JavaScript
 * client (`@elastic/elasticsearch` v9: `info`, `ping`, `helpers.bulk` into two indices, `bulk`
 * with items that fail) and, when installed, rsyslog's omelasticsearch (Debian package
 * `rsyslog-elasticsearch`). Everything sent is read back through LogQL and compared field by
 * field: line, timestamp, level, labels and structured metadata.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { Client } from '@elastic/elasticsearch';
import { startServer, removeDir, freePort, tempDataDir, type ServerHandle } from './harness.js';

interface Stream {
  stream: Record<string, string>;
  values: Array<[string, string]>;
}

interface Entry {
  ts: string;
  line: string;
  labels: Record<string, string>;
}

const MS = 1_000_000n;

async function query(s: ServerHandle, q: string, startNs: bigint, endNs: bigint): Promise<Entry[]> {
  const r = await fetch(
    s.url + '/loki/api/v1/query_range?' + new URLSearchParams({ query: q, start: String(startNs), end: String(endNs), limit: '1000', direction: 'forward' }),
  );
  assert.equal(r.status, 200, await r.clone().text());
  const body = (await r.json()) as { data: { result: Stream[] } };
  return body.data.result
    .flatMap((x) => x.values.map((v) => ({ ts: v[0], line: v[1], labels: x.stream })))
    .sort((a, b) => (BigInt(a.ts) < BigInt(b.ts) ? -1 : BigInt(a.ts) > BigInt(b.ts) ? 1 : 0));
}

async function waitFor(s: ServerHandle, q: string, n: number, startNs: bigint, endNs: bigint): Promise<Entry[]> {
  for (let i = 0; i < 100; i++) {
    const res = await query(s, q, startNs, endNs);
    if (res.length >= n) return res;
    await new Promise((r) => setTimeout(r, 100));
  }
  return query(s, q, startNs, endNs);
}

describe('real Elasticsearch clients', () => {
  let s: ServerHandle;
  let client: Client;
  // Whole milliseconds a minute ago, so every document lies inside one query range.
  const t0 = BigInt(Date.now() - 60_000) * MS;
  const iso = (ns: bigint): string => new Date(Number(ns / MS)).toISOString();
  const startNs = t0 - 1000n * MS;
  const endNs = t0 + 60_000n * MS;

  before(async () => {
    s = await startServer();
    client = new Client({ node: s.url });
  });
  after(async () => {
    await client?.close();
    await s.stop();
    removeDir(s.dataDir);
  });

  it('handshake: info and ping pass the product check', async () => {
    const info = await client.info();
    assert.equal(info.version.number, '8.17.0');
    assert.equal(info.tagline, 'You Know, for Search');
    assert.equal(await client.ping(), true);
  });

  it('helpers.bulk into two indices, read back through LogQL', async () => {
    const docs: Array<Record<string, unknown>> = [
      // RFC 3339 with nanoseconds: every digit is kept
      { '@timestamp': iso(t0).replace('Z', '456789Z'), message: 'user signed in', service: { name: 'auth' }, host: { name: 'web-1' }, log: { level: 'info' }, user: { id: 'u-17' } },
      // epoch millis; level found in the message; nested and array fields in metadata
      { '@timestamp': Number((t0 + 1n * MS) / MS), message: 'ERROR payment declined', service: { name: 'auth' }, host: { name: 'web-1' }, http: { response: { status_code: 402 } }, tags: ['billing', 'eu'] },
      // flat ECS names, `level` field
      { '@timestamp': iso(t0 + 2n * MS), message: 'disk almost full', 'service.name': 'auth', 'host.name': 'web-1', level: 'warning' },
      // data stream, jsonlines-style label fields, a given _id
      { '@timestamp': iso(t0 + 3n * MS), message: 'charge ok', app: 'payments', env: 'prod', amount: 12.5, id: 'pay-1' },
      // no message: the document as sent is the line
      { '@timestamp': iso(t0 + 4n * MS), app: 'payments', env: 'prod', event: { action: 'refund' }, severity: 'critical' },
      // refused: unreadable time (onDrop)
      { '@timestamp': 'not a date', message: 'dropped', app: 'payments', env: 'prod', id: 'pay-bad' },
    ];
    const dropped: Array<{ status: number; type: string; id: unknown }> = [];
    const stats = await client.helpers.bulk<Record<string, unknown>>({
      datasource: docs,
      onDocument(doc) {
        if (doc.app === 'payments') {
          const id = doc.id;
          delete doc.id;
          return id === undefined ? { create: { _index: 'logs-payments-default' } } : { create: { _index: 'logs-payments-default', _id: String(id) } };
        }
        return { index: { _index: 'app-logs' } };
      },
      onDrop(d) {
        const op = d.operation as { create?: { _id?: string } };
        dropped.push({ status: d.status, type: String(d.error?.type), id: op.create?._id });
      },
      retries: 0,
    });
    assert.deepEqual([stats.total, stats.successful, stats.failed], [6, 5, 1]);
    assert.deepEqual(dropped, [{ status: 400, type: 'document_parsing_exception', id: 'pay-bad' }]);

    const app = await waitFor(s, '{index="app-logs"}', 3, startNs, endNs);
    assert.deepEqual(app, [
      {
        ts: (t0 + 456789n).toString(),
        line: 'user signed in',
        labels: { index: 'app-logs', service_name: 'auth', host_name: 'web-1', level: 'info', detected_level: 'info', log_level: 'info', user_id: 'u-17' },
      },
      {
        ts: (t0 + 1n * MS).toString(),
        line: 'ERROR payment declined',
        labels: { index: 'app-logs', service_name: 'auth', host_name: 'web-1', level: 'error', detected_level: 'error', http_response_status_code: '402', tags: '["billing","eu"]' },
      },
      {
        ts: (t0 + 2n * MS).toString(),
        line: 'disk almost full',
        // a `level` field holding a level word becomes the normalised level, not metadata
        labels: { index: 'app-logs', service_name: 'auth', host_name: 'web-1', level: 'warn', detected_level: 'warn' },
      },
    ]);

    const pay = await waitFor(s, '{index="logs-payments-default"}', 2, startNs, endNs);
    assert.deepEqual(pay, [
      { ts: (t0 + 3n * MS).toString(), line: 'charge ok', labels: { app: 'payments', env: 'prod', index: 'logs-payments-default', level: 'unknown', detected_level: 'unknown', amount: '12.5', _id: 'pay-1' } },
      {
        ts: (t0 + 4n * MS).toString(),
        line: JSON.stringify(docs[4]),
        labels: { app: 'payments', env: 'prod', index: 'logs-payments-default', level: 'critical', detected_level: 'critical', event_action: 'refund', severity: 'critical' },
      },
    ]);
    // labels and level are filterable as such
    assert.equal((await query(s, '{service_name="auth", host_name="web-1"} | level="error"', startNs, endNs)).length, 1);
    assert.equal((await query(s, '{app="payments"} | _id="pay-1"', startNs, endNs)).length, 1);
  });

  it('client.bulk: the failing items are errors of their own and the others are stored', async () => {
    const res = await client.bulk({
      operations: [
        { index: { _index: 'app-logs', _id: 'x1' } },
        { '@timestamp': iso(t0 + 10n * MS), message: 'kept despite its neighbours', service: { name: 'auth' }, host: { name: 'web-1' } },
        { delete: { _index: 'app-logs', _id: 'x1' } },
        { index: { _index: 'Bad-Index' } },
        { message: 'never stored' },
        { update: { _index: 'app-logs', _id: 'x1' } },
        { doc: { message: 'changed' } },
      ],
    });
    assert.equal(res.errors, true);
    assert.deepEqual(
      res.items.map((i) => {
        const [op, r] = Object.entries(i)[0];
        return [op, r.status, r.error?.type, r.result];
      }),
      [
        ['index', 201, undefined, 'created'],
        ['delete', 400, 'illegal_argument_exception', undefined],
        ['index', 400, 'invalid_index_name_exception', undefined],
        ['update', 400, 'illegal_argument_exception', undefined],
      ],
    );
    assert.equal(res.items[0].index!._id, 'x1');
    const got = await waitFor(s, '{index="app-logs"} |= "neighbours"', 1, startNs, endNs);
    assert.deepEqual(got, [
      { ts: (t0 + 10n * MS).toString(), line: 'kept despite its neighbours', labels: { index: 'app-logs', service_name: 'auth', host_name: 'web-1', level: 'unknown', detected_level: 'unknown', _id: 'x1' } },
    ]);
    assert.equal((await query(s, '{index=~".+"} |= "never stored"', startNs, endNs)).length, 0);
    // a malformed body is one Elasticsearch-shaped 400
    await assert.rejects(
      client.transport.request({ method: 'POST', path: '/_bulk', bulkBody: ['{"index":{"_index":"a"}', '{}'] }),
      (err: { meta: { statusCode: number; body: { error: { type: string } } } }) => err.meta.statusCode === 400 && err.meta.body.error.type === 'parse_exception',
    );
  });

  it('rsyslog omelasticsearch forwards syslog messages to _bulk', async (t) => {
    const module = ['/usr/lib/x86_64-linux-gnu/rsyslog/omelasticsearch.so', '/usr/lib/aarch64-linux-gnu/rsyslog/omelasticsearch.so', '/usr/lib/rsyslog/omelasticsearch.so'].find(existsSync);
    if (module === undefined || !existsSync('/usr/sbin/rsyslogd')) {
      t.skip('rsyslog with omelasticsearch is not installed (Debian package rsyslog-elasticsearch)');
      return;
    }
    const dir = tempDataDir('ls-rsyslog-');
    const port = await freePort();
    mkdirSync(join(dir, 'work'));
    writeFileSync(
      join(dir, 'rsyslog.conf'),
      `global(workDirectory="${dir}/work")
module(load="imtcp")
module(load="omelasticsearch")
input(type="imtcp" port="${port}" address="127.0.0.1" ruleset="es")
template(name="esdoc" type="list" option.jsonf="on") {
  property(outname="@timestamp" name="timereported" dateFormat="rfc3339" format="jsonf")
  property(outname="host.name" name="hostname" format="jsonf")
  property(outname="severity" name="syslogseverity-text" format="jsonf")
  property(outname="app" name="programname" format="jsonf")
  property(outname="message" name="msg" format="jsonf")
}
ruleset(name="es") {
  action(type="omelasticsearch" server="127.0.0.1" serverport="${s.port}" searchIndex="rsyslog" template="esdoc" bulkmode="on" errorfile="${dir}/work/es-errors.json")
}
`,
    );
    let out = '';
    const rs: ChildProcess = spawn('/usr/sbin/rsyslogd', ['-n', '-f', join(dir, 'rsyslog.conf'), '-i', join(dir, 'rsyslogd.pid')], { stdio: ['ignore', 'pipe', 'pipe'] });
    rs.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    rs.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    try {
      // RFC 5424 over TCP, newline framed, with known times
      const msgs = [
        `<11>1 ${iso(t0 + 20n * MS).replace('Z', '123Z')} db-host pgwatch 77 - - disk failure on sda`,
        `<14>1 ${iso(t0 + 21n * MS)} db-host pgwatch 77 - - backup finished`,
      ];
      for (let attempt = 0; ; attempt++) {
        try {
          await new Promise<void>((resolve, reject) => {
            const sock = connect(port, '127.0.0.1', () => sock.end(msgs.join('\n') + '\n', () => resolve()));
            sock.on('error', reject);
          });
          break;
        } catch (err) {
          if (attempt > 50) throw new Error(`rsyslogd does not listen: ${String(err)}\n${out}`, { cause: err });
          await new Promise((r) => setTimeout(r, 100));
        }
      }
      const got = await waitFor(s, '{index="rsyslog"}', 2, startNs, endNs);
      const errors = existsSync(join(dir, 'work/es-errors.json')) ? readFileSync(join(dir, 'work/es-errors.json'), 'utf8') : '';
      assert.equal(errors, '', 'omelasticsearch error file');
      assert.deepEqual(got, [
        { ts: (t0 + 20n * MS + 123000n).toString(), line: 'disk failure on sda', labels: { app: 'pgwatch', host_name: 'db-host', index: 'rsyslog', level: 'error', detected_level: 'err', severity: 'err' } },
        { ts: (t0 + 21n * MS).toString(), line: 'backup finished', labels: { app: 'pgwatch', host_name: 'db-host', index: 'rsyslog', level: 'info', detected_level: 'info', severity: 'info' } },
      ]);
    } finally {
      rs.kill('SIGTERM');
      await new Promise((r) => (rs.exitCode !== null ? r(null) : rs.once('exit', r)));
      removeDir(dir);
    }
  });
});

