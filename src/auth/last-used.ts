/**
 * "Last used" of users and tokens, written off the request path: a use is noted in memory, and
 * a timer writes what was noted in one store call per kind. Each credential is written at most
 * once per `minIntervalMs` (a minute) per process, so a client pushing a thousand times a second
 * costs one UPDATE a minute. Memory is bounded: past `max` remembered credentials the oldest is
 * forgotten (it may then be written again a little early).
 */
export type CredentialKind = 'user' | 'token';

export interface LastUsedOptions {
  write(kind: CredentialKind, uses: ReadonlyMap<string, number>): Promise<void>;
  onError(err: unknown): void;
  flushMs?: number;
  minIntervalMs?: number;
  max?: number;
  now?: () => number;
}

export class LastUsedRecorder {
  private readonly written = new Map<string, number>();
  private pending: Record<CredentialKind, Map<string, number>> = { user: new Map(), token: new Map() };
  private timer?: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();
  private readonly now: () => number;
  private readonly minIntervalMs: number;
  private readonly max: number;

  constructor(private readonly opts: LastUsedOptions) {
    this.now = opts.now ?? Date.now;
    this.minIntervalMs = opts.minIntervalMs ?? 60_000;
    this.max = opts.max ?? 100_000;
  }

  start(): void {
    this.timer = setInterval(() => void this.flush(), this.opts.flushMs ?? 5000);
    this.timer.unref();
  }

  /** Notes a use now; cheap, never waits. */
  note(kind: CredentialKind, id: string): void {
    const key = kind + '\x00' + id;
    const now = this.now();
    const last = this.written.get(key);
    if (last !== undefined && now - last < this.minIntervalMs) return;
    this.written.delete(key);
    this.written.set(key, now);
    if (this.written.size > this.max) this.written.delete(this.written.keys().next().value as string);
    this.pending[kind].set(id, now);
  }

  /** Writes what was noted; resolves when written (errors go to `onError`). */
  flush(): Promise<void> {
    const batch = this.pending;
    this.pending = { user: new Map(), token: new Map() };
    this.flushing = this.flushing.then(async () => {
      for (const kind of ['user', 'token'] as const) {
        if (batch[kind].size === 0) continue;
        try {
          await this.opts.write(kind, batch[kind]);
        } catch (err) {
          this.opts.onError(err);
        }
      }
    });
    return this.flushing;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.flush();
  }
}
