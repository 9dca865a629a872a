/**
 * What one query may spend: time (the query timeout, checked inside every stage, so a timed-out
 * query stops working rather than only stops being waited for), memory (bytes of entries and
 * series it holds, against its own limit and a pool shared by all queries), and the main
 * thread (cooperative slices, see cpu-scheduler.ts).
 *
 * Memory is an estimate of what the query keeps alive, charged where it keeps it: each entry a
 * log query collects (line, labels), each series and sample a metric query builds. Rows merely
 * passing through the pipeline are not charged; they are garbage by the next chunk.
 *
 * A budget is owned by one query; `release()` must be called once when the query ends (the API
 * does it in a finally), giving its bytes back to the shared pool.
 */
import { LogSentinelError } from '../errors.js';
import { DEFAULT_MAX_TEMPLATE_OUTPUT, withExecLimits, type ExecLimits } from '../logql/exec-limits.js';
import { UNSCHEDULED, type CpuScheduler } from './cpu-scheduler.js';

/** Bytes all running queries may hold together; shared by the queries of one process. */
export class MemoryPool {
  private used = 0;
  constructor(readonly limit: number) {}
  /** Takes `bytes` from the pool; false when that would pass its limit (nothing is taken then). */
  take(bytes: number): boolean {
    if (this.used + bytes > this.limit) return false;
    this.used += bytes;
    return true;
  }
  give(bytes: number): void {
    this.used = Math.max(0, this.used - bytes);
  }
  inUse(): number {
    return this.used;
  }
}

export interface QueryBudgetOptions {
  /** Milliseconds from now until the query must stop (undefined = only `signal`). */
  timeoutMs?: number;
  /** Cancellation (client gone, caller's own timeout); its reason is thrown. */
  signal?: AbortSignal;
  /** Bytes this query may hold (undefined = unlimited). */
  maxBytes?: number;
  pool?: MemoryPool;
  scheduler?: Pick<CpuScheduler, 'due' | 'next'>;
  maxTemplateOutput?: number;
}

/** Pool charges are taken in steps of this many bytes, so the shared counter is touched rarely. */
const POOL_STEP = 1024 * 1024;

export class QueryBudget {
  readonly deadline: number;
  private held = 0;
  private reserved = 0;
  private readonly scheduler: Pick<CpuScheduler, 'due' | 'next'>;
  private readonly exec: ExecLimits;

  constructor(private readonly opts: QueryBudgetOptions = {}) {
    this.deadline = opts.timeoutMs === undefined ? Infinity : performance.now() + opts.timeoutMs;
    this.scheduler = opts.scheduler ?? UNSCHEDULED;
    this.exec = { maxTemplateOutput: opts.maxTemplateOutput ?? DEFAULT_MAX_TEMPLATE_OUTPUT, checkDeadline: () => this.check() };
  }

  get signal(): AbortSignal | undefined {
    return this.opts.signal;
  }

  /** Throws once the query must stop: cancelled (the signal's reason) or past its deadline. */
  check(): void {
    const s = this.opts.signal;
    if (s?.aborted) throw s.reason instanceof Error ? s.reason : new LogSentinelError('QUERY_TIMEOUT', 'cannot finish query: it was cancelled');
    if (performance.now() >= this.deadline) throw timeoutError(this.opts.timeoutMs ?? 0);
  }

  /**
   * Call between units of work (rows): yields the main thread when this query's slice is used
   * up, and checks cancellation and the deadline. Cheap when there is nothing to do.
   */
  async pace(): Promise<void> {
    if (!this.scheduler.due()) return;
    this.check();
    await this.scheduler.next();
    this.check();
  }

  /** Whether `pace()` would yield now; lets hot loops skip the await. */
  due(): boolean {
    return this.scheduler.due();
  }

  /**
   * Runs `fn` over `rows`, synchronously in stretches, with this query's limits visible to the
   * stages; between stretches it yields the main thread when the query's slice is used up and
   * checks the deadline. Resolves true as soon as `fn` returns true (stop), else false.
   */
  async each<T>(rows: readonly T[], fn: (row: T) => boolean): Promise<boolean> {
    const n = rows.length;
    let i = 0;
    let stop = false;
    const stretch = (): void => {
      while (i < n) {
        if (fn(rows[i++])) {
          stop = true;
          return;
        }
        // Every 32 rows: the clock for the deadline and for this query's slice.
        if ((i & 31) === 0) {
          this.check();
          if (this.scheduler.due()) return;
        }
      }
    };
    while (i < n && !stop) {
      await this.pace();
      withExecLimits(this.exec, stretch);
    }
    return stop;
  }

  /** Runs synchronous pipeline work with this query's deadline and template limit visible to its stages. */
  run<T>(fn: () => T): T {
    return withExecLimits(this.exec, fn);
  }

  /** Counts `bytes` more held by this query; throws when its limit or the shared pool is exceeded. */
  charge(bytes: number): void {
    this.held += bytes;
    const max = this.opts.maxBytes;
    if (max !== undefined && this.held > max) {
      throw new LogSentinelError(
        'QUERY_MEMORY',
        `cannot run query: it needs more than ${formatBytes(max)} of memory for its entries and series (query.maxMemory); select fewer streams or a shorter range, lower the limit, or aggregate with sum by (...)`,
      );
    }
    const pool = this.opts.pool;
    if (pool && this.held > this.reserved) {
      const want = Math.ceil((this.held - this.reserved) / POOL_STEP) * POOL_STEP;
      if (!pool.take(want)) {
        throw new LogSentinelError(
          'QUERY_OVERLOADED',
          `cannot run query: the queries running now hold ${formatBytes(pool.inUse())} of the ${formatBytes(pool.limit)} all queries may use together (query.maxTotalMemory); retry later`,
          { retryAfter: 5 },
        );
      }
      this.reserved += want;
    }
  }

  /** Bytes charged so far. */
  bytes(): number {
    return this.held;
  }

  /** Gives this query's share of the pool back; call once, when the query ends. */
  release(): void {
    this.opts.pool?.give(this.reserved);
    this.reserved = 0;
  }
}

export function timeoutError(timeoutMs: number): LogSentinelError {
  return new LogSentinelError('QUERY_TIMEOUT', `cannot finish query: it ran longer than the ${timeoutMs / 1000}s query timeout (query.timeout)`);
}

/** Approximate bytes a label set keeps alive (keys and values as UTF-16, plus per-property overhead). */
export function labelsBytes(labels: Record<string, string>): number {
  let n = 64;
  for (const k in labels) n += 2 * (k.length + labels[k].length) + 32;
  return n;
}

function formatBytes(n: number): string {
  if (n >= 1024 * 1024 * 1024) return `${(n / 1024 / 1024 / 1024).toFixed(1)} GiB`;
  if (n >= 1024 * 1024) return `${Math.round(n / 1024 / 1024)} MiB`;
  return `${Math.round(n / 1024)} KiB`;
}

/** A budget with no limits (tests, internal callers that bound themselves). */
export function unlimitedBudget(signal?: AbortSignal): QueryBudget {
  return new QueryBudget({ signal });
}
