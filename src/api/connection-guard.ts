/**
 * Keeps slow or abundant connections from taking the HTTP server down (slowloris, trickled bodies,
 * connection floods). Node's own timeouts do part of it (`headersTimeout`, `requestTimeout`,
 * `keepAliveTimeout`, set in server.ts); this guard adds what Node has not:
 *
 * - a cap on open connections, in total and per client address. A connection over a cap first
 *   makes room by closing the oldest connection that is not serving a request (one still sending
 *   its headers, or idle between keep-alive requests) — of its own address for the per-client cap,
 *   of anyone for the total; only when every connection is busy is the new one refused. So a flood
 *   of slow connections evicts itself, and a health probe or a real client still gets in.
 *   The total cap stays below the process's file-descriptor limit (headroom for the store, Redis,
 *   PostgreSQL, notifications), so accept() never fails with EMFILE;
 * - a minimum body rate: a request whose body arrives slower than `minBodyRate` bytes/s, measured
 *   over windows of `rateWindowMs`, is answered 408 and its connection closed.
 *
 * Every refusal, eviction and cut is reported through `onClose(reason)` (metrics and a log line
 * at a bounded rate, see closed-connections-log.ts), never one log line per connection.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export type ConnectionCloseReason = 'max_connections' | 'max_connections_per_client' | 'evicted' | 'headers_timeout' | 'request_timeout' | 'slow_body' | 'bad_request';

export interface ConnectionGuardOptions {
  /** Open connections in total; a new one beyond makes room or is refused. */
  maxConnections: number;
  /** Open connections per client address (0 = no per-client cap). */
  maxPerClient: number;
  /** Bytes per second a request body must at least arrive at (0 = no minimum). */
  minBodyRate: number;
  /** Window the body rate is measured over; also the grace period of a new request. Default 10 s. */
  rateWindowMs?: number;
  /** How often body rates are checked. Default 1 s. */
  sweepMs?: number;
  onClose: (reason: ConnectionCloseReason) => void;
}

type State = 'new' | 'active' | 'idle';

interface Conn {
  socket: Socket;
  addr: string;
  state: State;
  req?: IncomingMessage;
  res?: ServerResponse;
  windowStart: number;
  windowBytes: number;
}


export class ConnectionGuard {
  private readonly conns = new Map<Socket, Conn>();
  /** Connections not serving a request, oldest first: the ones evicted to make room. */
  private readonly waiting = new Map<Socket, Conn>();
  private readonly perClient = new Map<string, Set<Conn>>();
  private sweepTimer?: NodeJS.Timeout;
  private lastSweep = 0;

  constructor(private readonly opts: ConnectionGuardOptions) {}

  attach(server: Server): void {
    server.on('connection', (socket: Socket) => this.admit(socket));
    server.on('request', (req: IncomingMessage, res: ServerResponse) => this.started(req, res));
    if (this.opts.minBodyRate > 0) {
      this.lastSweep = performance.now();
      this.sweepTimer = setInterval(() => this.sweep(), this.opts.sweepMs ?? 1000);
      this.sweepTimer.unref();
      server.once('close', () => clearInterval(this.sweepTimer));
    }
  }

  /** Open connections now. */
  open(): number {
    return this.conns.size;
  }

  /** Whether a socket is between requests or still sending its first headers (for timeout reasons). */
  hadRequest(socket: Socket): boolean {
    const c = this.conns.get(socket);
    return c !== undefined && c.state === 'active';
  }

  private admit(socket: Socket): void {
    const addr = socket.remoteAddress ?? '';
    const mine = this.perClient.get(addr);
    if (this.opts.maxPerClient > 0 && mine && mine.size >= this.opts.maxPerClient) {
      const victim = firstWaiting(mine);
      if (!victim) return this.refuse(socket, 'max_connections_per_client');
      this.evict(victim);
    }
    if (this.conns.size >= this.opts.maxConnections) {
      const victim = this.waiting.values().next().value as Conn | undefined;
      if (!victim) return this.refuse(socket, 'max_connections');
      this.evict(victim);
    }
    const c: Conn = { socket, addr, state: 'new', windowStart: 0, windowBytes: 0 };
    this.conns.set(socket, c);
    this.waiting.set(socket, c);
    let set = this.perClient.get(addr);
    if (!set) this.perClient.set(addr, (set = new Set()));
    set.add(c);
    socket.once('close', () => this.forget(c));
  }

  private refuse(socket: Socket, reason: ConnectionCloseReason): void {
    this.opts.onClose(reason);
    // No answer: nothing has been read yet, and writing would keep the descriptor longer.
    socket.destroy();
  }

  private evict(c: Conn): void {
    this.forget(c);
    this.opts.onClose('evicted');
    c.socket.destroy();
  }

  private forget(c: Conn): void {
    if (!this.conns.delete(c.socket)) return;
    this.waiting.delete(c.socket);
    const set = this.perClient.get(c.addr);
    if (set) {
      set.delete(c);
      if (set.size === 0) this.perClient.delete(c.addr);
    }
  }

  private started(req: IncomingMessage, res: ServerResponse): void {
    const c = this.conns.get(req.socket);
    if (!c) return;
    c.state = 'active';
    c.req = req;
    c.res = res;
    c.windowStart = performance.now();
    c.windowBytes = req.socket.bytesRead;
    this.waiting.delete(c.socket);
    const done = (): void => {
      if (c.req !== req || !this.conns.has(c.socket)) return;
      c.state = 'idle';
      c.req = undefined;
      c.res = undefined;
      // Re-inserted: the idle list stays ordered by how long each has waited.
      this.waiting.delete(c.socket);
      this.waiting.set(c.socket, c);
    };
    res.once('finish', done);
    res.once('close', done);
  }

  /** Cuts requests whose body arrives slower than the minimum rate over the last window. */
  private sweep(): void {
    const now = performance.now();
    const late = now - this.lastSweep > (this.opts.sweepMs ?? 1000) * 3;
    this.lastSweep = now;
    const windowMs = this.opts.rateWindowMs ?? 10_000;
    for (const c of this.conns.values()) {
      const req = c.req;
      if (c.state !== 'active' || !req || req.complete) continue;
      const bytes = c.socket.bytesRead;
      // After a blocked event loop, bytes may sit unread in the kernel: measure again, do not cut.
      if (late) {
        c.windowStart = now;
        c.windowBytes = bytes;
        continue;
      }
      const elapsed = now - c.windowStart;
      if (elapsed < windowMs) continue;
      const rate = ((bytes - c.windowBytes) * 1000) / elapsed;
      if (rate < this.opts.minBodyRate) {
        this.cut(c);
        continue;
      }
      c.windowStart = now;
      c.windowBytes = bytes;
    }
  }

  private cut(c: Conn): void {
    this.forget(c);
    this.opts.onClose('slow_body');
    const res = c.res;
    if (res && !res.headersSent && c.socket.writable) {
      const body = `cannot read request body: it arrived slower than ${this.opts.minBodyRate} bytes/s (server.minBodyRate)\n`;
      c.socket.end(`HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
      // end() lets the answer out; a client that does not close its side is closed for it.
      setTimeout(() => c.socket.destroy(), 1000).unref();
      return;
    }
    c.socket.destroy();
  }
}

function firstWaiting(set: Set<Conn>): Conn | undefined {
  for (const c of set) if (c.state !== 'active') return c;
  return undefined;
}
