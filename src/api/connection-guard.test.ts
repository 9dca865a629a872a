import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { once } from 'node:events';
import { ConnectionGuard, type ConnectionCloseReason } from './connection-guard.js';
import { connectionCap } from './fd-limit.js';

interface Rig {
  port: number;
  closed: ConnectionCloseReason[];
  /** Requests the handler holds (answered by `release`). */
  held: http.ServerResponse[];
  release(): void;
  server: http.Server;
}

async function rig(opts: { maxConnections?: number; maxPerClient?: number; minBodyRate?: number }): Promise<Rig> {
  const closed: ConnectionCloseReason[] = [];
  const held: http.ServerResponse[] = [];
  const server = http.createServer((req, res) => {
    if (req.url === '/hold') {
      held.push(res);
      return;
    }
    req.resume();
    req.on('end', () => res.end('ok'));
  });
  const guard = new ConnectionGuard({
    maxConnections: opts.maxConnections ?? 100,
    maxPerClient: opts.maxPerClient ?? 0,
    minBodyRate: opts.minBodyRate ?? 0,
    rateWindowMs: 300,
    sweepMs: 100,
    onClose: (r) => closed.push(r),
  });
  guard.attach(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as net.AddressInfo).port;
  return { port, closed, held, server, release: () => held.splice(0).forEach((r) => r.end('done')) };
}

/** A raw connection; resolves once the server has accepted it (one round trip). */
async function connect(port: number, localAddress = '127.0.0.1'): Promise<net.Socket> {
  const s = net.connect({ port, host: '127.0.0.1', localAddress });
  s.on('error', () => undefined);
  await once(s, 'connect');
  return s;
}

function closedPromise(s: net.Socket): Promise<string> {
  return new Promise((resolve) => {
    let data = '';
    s.on('data', (d: Buffer) => (data += d.toString()));
    s.on('close', () => resolve(data));
  });
}

/** Sends a request on `s` that the rig's handler keeps open until released. */
async function holdRequest(r: Rig, s: net.Socket): Promise<void> {
  s.write('GET /hold HTTP/1.1\r\nHost: x\r\n\r\n');
  const before = r.held.length;
  while (r.held.length === before) await new Promise((res) => setTimeout(res, 5));
}

describe('ConnectionGuard', () => {
  const rigs: Rig[] = [];
  after(() => rigs.forEach((r) => r.server.close()));

  it('makes room over the per-client cap by closing that client’s oldest connection that serves no request', async () => {
    const r = await rig({ maxPerClient: 3 });
    rigs.push(r);
    const [a, b, c] = [await connect(r.port), await connect(r.port), await connect(r.port)];
    await holdRequest(r, a);
    const bClosed = closedPromise(b);
    const d = await connect(r.port);
    await bClosed; // b: oldest without a request; a is busy and stays
    assert.deepEqual(r.closed, ['evicted']);
    assert.equal(a.destroyed, false);
    // Another address is not affected by this one's cap.
    const other = await connect(r.port, '127.0.0.2');
    assert.equal(other.destroyed, false);
    r.release();
    for (const s of [a, c, d, other]) s.destroy();
  });

  it('refuses a new connection when every connection of the client is serving a request', async () => {
    const r = await rig({ maxPerClient: 2 });
    rigs.push(r);
    const a = await connect(r.port);
    const b = await connect(r.port);
    await holdRequest(r, a);
    await holdRequest(r, b);
    const c = net.connect({ port: r.port, host: '127.0.0.1' });
    c.on('error', () => undefined);
    await closedPromise(c);
    assert.deepEqual(r.closed, ['max_connections_per_client']);
    assert.equal(a.destroyed || b.destroyed, false);
    r.release();
    a.destroy();
    b.destroy();
  });

  it('keeps the total cap by evicting the oldest idle connection of any client, so a new client gets in', async () => {
    const r = await rig({ maxConnections: 3 });
    rigs.push(r);
    const slow = [await connect(r.port, '127.0.0.2'), await connect(r.port, '127.0.0.3'), await connect(r.port, '127.0.0.4')];
    const firstClosed = closedPromise(slow[0]);
    const res = await fetch(`http://127.0.0.1:${r.port}/ok`);
    assert.equal(await res.text(), 'ok');
    await firstClosed;
    assert.deepEqual(r.closed, ['evicted']);
    slow.forEach((s) => s.destroy());
  });

  it('cuts a body that trickles slower than the minimum rate with 408, and lets a prompt body through', async () => {
    const r = await rig({ minBodyRate: 1000 });
    rigs.push(r);
    const s = await connect(r.port);
    const answer = closedPromise(s);
    s.write('POST /slow HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n');
    const t = setInterval(() => s.writable && s.write('x'), 20);
    const got = await answer;
    clearInterval(t);
    assert.match(got, /^HTTP\/1\.1 408 /);
    assert.match(got, /server\.minBodyRate/);
    assert.deepEqual(r.closed, ['slow_body']);
    const ok = await fetch(`http://127.0.0.1:${r.port}/fast`, { method: 'POST', body: 'x'.repeat(100_000) });
    assert.equal(await ok.text(), 'ok');
    assert.deepEqual(r.closed, ['slow_body']);
  });
});

describe('connectionCap', () => {
  const f = (configured: number, limit: number | undefined, want: number): void => assert.equal(connectionCap(configured, limit), want, `${configured}, ${limit}`);
  it('keeps headroom below the file-descriptor limit unless configured', () => {
    f(500, 20_000, 500);
    f(0, 20_000, 18_976);
    f(0, 1024, 64);
    f(0, Infinity, 65_536);
    f(0, undefined, 10_000);
  });
});
