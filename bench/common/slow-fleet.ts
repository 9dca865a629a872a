/**
 * Slow clients spread over child processes (slow-clients-child.ts), `perProcess` connections
 * each, so a probe can hold more connections than one process's open-file limit allows.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { SlowClientsResult, SlowMode } from './slow-clients.js';
import { summarize } from './stats.js';

export class SlowFleet {
  private readonly children: ChildProcess[] = [];

  constructor(
    private readonly port: number,
    private readonly addresses: string[],
    private readonly count: number,
    private readonly mode: SlowMode,
    private readonly opts: { intervalMs?: number; perProcess?: number } = {},
  ) {}

  start(): this {
    const per = this.opts.perProcess ?? 5000;
    const n = Math.ceil(this.count / per);
    for (let i = 0; i < n; i++) {
      const child = fork(join(import.meta.dirname, 'slow-clients-child.ts'), [], { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
      // Each child gets its share of the addresses (at least one) and of the connections.
      const addrs = this.addresses.filter((_, k) => k % n === i);
      child.send({ start: { port: this.port, addresses: addrs.length ? addrs : [this.addresses[i % this.addresses.length]], count: Math.min(per, this.count - i * per), mode: this.mode, intervalMs: this.opts.intervalMs ?? 5000 } });
      this.children.push(child);
    }
    return this;
  }

  private ask<T>(child: ChildProcess, msg: object, key: string): Promise<T> {
    return new Promise((resolve) => {
      const on = (m: Record<string, unknown>): void => {
        if (!(key in m)) return;
        child.off('message', on);
        resolve(m[key] as T);
      };
      child.on('message', on);
      child.send(msg);
    });
  }

  async size(): Promise<number> {
    const sizes = await Promise.all(this.children.map((c) => this.ask<number>(c, { size: true }, 'size')));
    return sizes.reduce((a, b) => a + b, 0);
  }

  async stop(): Promise<SlowClientsResult> {
    const results = await Promise.all(this.children.map((c) => this.ask<SlowClientsResult>(c, { stop: true }, 'result')));
    const answers: Record<string, number> = {};
    for (const r of results) for (const [k, v] of Object.entries(r.answers)) answers[k] = (answers[k] ?? 0) + v;
    // Lifetimes are merged from each child's summary: p50 as the median of the medians.
    const p50s = results.map((r) => r.lifetime.p50).filter((x) => Number.isFinite(x));
    return {
      opened: results.reduce((a, r) => a + r.opened, 0),
      closedByServer: results.reduce((a, r) => a + r.closedByServer, 0),
      connectErrors: results.reduce((a, r) => a + r.connectErrors, 0),
      peakOpen: results.reduce((a, r) => a + r.peakOpen, 0),
      lifetime: { ...summarize(p50s), max: Math.max(-Infinity, ...results.map((r) => r.lifetime.max).filter((x) => Number.isFinite(x))) },
      answers,
    };
  }
}
