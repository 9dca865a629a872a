/**
 * Slow clients for the connection probes: `count` connections spread over `addresses`, each
 * sending a request head (slowloris) or a body (trickle) one small piece every `intervalMs`.
 * A connection the server closes is opened again at once while the attack runs, so the pressure
 * stays; how long each one lived is recorded.
 */
import net from 'node:net';
import { summarize, type Summary } from './stats.js';

export type SlowMode = 'headers' | 'body';

export interface SlowClientsResult {
  opened: number;
  /** Connections the server closed (or refused) while the attack ran. */
  closedByServer: number;
  connectErrors: number;
  /** Lifetime of connections the server closed, ms. */
  lifetime: Summary;
  /** Most connections open at once. */
  peakOpen: number;
  /** Answers the server sent before closing (status lines), by status. */
  answers: Record<string, number>;
}

export class SlowClients {
  private readonly open = new Set<net.Socket>();
  private running = false;
  private opened = 0;
  private closedByServer = 0;
  private connectErrors = 0;
  private peakOpen = 0;
  private inFlight = 0;
  private readonly lifetimes: number[] = [];
  private readonly answers: Record<string, number> = {};
  private ticker?: NodeJS.Timeout;
  private filler?: NodeJS.Timeout;
  private next = 0;

  constructor(
    private readonly port: number,
    private readonly addresses: string[],
    private readonly count: number,
    private readonly mode: SlowMode,
    private readonly intervalMs = 5000,
  ) {}

  start(): this {
    this.running = true;
    // Keep up to `count` open, opening at most 256 at a time (as fast as the server accepts).
    this.filler = setInterval(() => this.fill(), 20);
    // Each tick feeds a tenth of the connections: every one gets a piece every intervalMs.
    let part = 0;
    this.ticker = setInterval(() => {
      let i = 0;
      for (const s of this.open) if (i++ % 10 === part && s.writable) s.write(this.mode === 'headers' ? 'X-Slow: 1\r\n' : ' ');
      part = (part + 1) % 10;
    }, this.intervalMs / 10);
    return this;
  }

  /** Connections open now. */
  size(): number {
    return this.open.size;
  }

  private fill(): void {
    while (this.running && this.open.size + this.inFlight < this.count && this.inFlight < 256) this.connect();
  }

  private connect(): void {
    const localAddress = this.addresses[this.next++ % this.addresses.length];
    this.inFlight++;
    const s = net.connect({ port: this.port, host: '127.0.0.1', localAddress });
    let connected = false;
    let t0 = 0;
    s.once('connect', () => {
      connected = true;
      this.inFlight--;
      t0 = performance.now();
      this.opened++;
      this.open.add(s);
      this.peakOpen = Math.max(this.peakOpen, this.open.size);
      s.write(
        this.mode === 'headers'
          ? 'GET /ready HTTP/1.1\r\nHost: x\r\n'
          : 'POST /loki/api/v1/push HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n{',
      );
    });
    let head = '';
    s.on('data', (d: Buffer) => {
      if (head.length < 64) head += d.toString('latin1');
    });
    s.on('error', () => undefined);
    s.once('close', () => {
      if (!connected) {
        this.inFlight--;
        this.connectErrors++;
        return;
      }
      this.open.delete(s);
      if (!this.running) return;
      this.closedByServer++;
      this.lifetimes.push(performance.now() - t0);
      const status = /^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 'none';
      this.answers[status] = (this.answers[status] ?? 0) + 1;
    });
  }

  stop(): SlowClientsResult {
    this.running = false;
    clearInterval(this.ticker);
    clearInterval(this.filler);
    for (const s of this.open) s.destroy();
    this.open.clear();
    return { opened: this.opened, closedByServer: this.closedByServer, connectErrors: this.connectErrors, lifetime: summarize(this.lifetimes), peakOpen: this.peakOpen, answers: this.answers };
  }
}
