/**
 * Starts the demo app on a free port for tests, with logs collected in memory (no shipping), the
 * random source set by the test and simulated latency that either passes at once or waits until
 * the test releases it.
 */
import type { FastifyInstance } from 'fastify';
import { createApp } from '../app.js';
import { createLogs } from '../logger.js';
import { collectLines, type Collector } from './collect.js';

export interface TestApp {
  app: FastifyInstance;
  url: string;
  out: Collector;
  /** Read on every call, so tests change it between requests. */
  state: {
    /** What every draw of the random source returns; 0.5 succeeds quickly, 0.01 fails. */
    draw: number;
    /** When true, simulated latency waits for `release()` instead of passing at once. */
    holdLatency: boolean;
  };
  /** Resolves once a request is waiting on held latency. */
  waitingForLatency(): Promise<void>;
  /** Lets every held request go on. */
  release(): void;
  close(): Promise<void>;
}

export async function startTestApp(): Promise<TestApp> {
  const out = collectLines();
  const logs = createLogs({ logLevel: 'debug', serviceName: 'demo-api', logsentinelUrl: undefined, auth: { kind: 'none' }, batchIntervalSeconds: 1 }, { stdout: out });
  const state = { draw: 0.5, holdLatency: false };
  let held: Array<() => void> = [];
  let onHeld: (() => void) | undefined;
  const app = createApp({
    logger: logs.logger,
    random: () => state.draw,
    sleep: () => {
      if (!state.holdLatency) return Promise.resolve();
      return new Promise<void>((r) => {
        held.push(r);
        onHeld?.();
        onHeld = undefined;
      });
    },
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const addr = app.server.address();
  if (addr === null || typeof addr === 'string') throw new Error('BUG: test app listens on no TCP port');
  return {
    app,
    url: `http://127.0.0.1:${addr.port}`,
    out,
    state,
    waitingForLatency: () => (held.length > 0 ? Promise.resolve() : new Promise<void>((r) => (onHeld = r))),
    release() {
      const h = held;
      held = [];
      for (const r of h) r();
    },
    close: () => app.close(),
  };
}
