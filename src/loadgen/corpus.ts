/**
 * A deterministic corpus of realistic log lines for the load generator and the benchmarks.
 * Same seed → same lines, in the same order, on every machine (timestamps are the caller's).
 *
 * Each service logs in one shape, as real fleets do: nginx access lines (api-gateway),
 * zap-style JSON (checkout, payments, shipping), logfmt (auth, inventory, cart), Spring Boot with
 * multi-line Java stack traces (search, orders), Python logging with tracebacks (notifications,
 * recommendations, user-profile). Levels: ~80% info, ~12% warn, ~7% error, ~1% critical.
 * Labels are low-cardinality: service, env, host, pod (3 pods per service over 4 hosts).
 *
 * Generation is templates plus a xorshift PRNG: several million lines per second.
 */
import type { Labels } from '../model/labels.js';
import type { Level } from '../model/level.js';

/** xorshift32: tiny, fast, deterministic; not for anything secret. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0 || 0x9e3779b9;
  }
  /** Uniform integer in [0, 2^32). */
  u32(): number {
    let x = this.s;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.s = x >>> 0;
    return this.s;
  }
  /** Uniform integer in [0, n). */
  int(n: number): number {
    return this.u32() % n;
  }
  pick<T>(a: readonly T[]): T {
    return a[this.u32() % a.length];
  }
}

export const SERVICE_NAMES: readonly string[] = [
  'api-gateway', 'checkout', 'payments', 'auth', 'inventory', 'search',
  'notifications', 'orders', 'shipping', 'cart', 'recommendations', 'user-profile',
];

type Shape = 'nginx' | 'json' | 'logfmt' | 'java' | 'python';
const SHAPE_OF: Record<string, Shape> = {
  'api-gateway': 'nginx', checkout: 'json', payments: 'json', shipping: 'json',
  auth: 'logfmt', inventory: 'logfmt', cart: 'logfmt', search: 'java', orders: 'java',
  notifications: 'python', recommendations: 'python', 'user-profile': 'python',
};

/** One generated line: its stream labels, the text, and the level the text states. */
export interface CorpusLine {
  service: string;
  labels: Labels;
  line: string;
  /** The level written in the line (`unknown` for access lines, which state none). */
  level: Level;
}

const PATHS = ['/api/v1/orders', '/api/v1/cart', '/api/v1/products', '/api/v1/users/me', '/api/v1/search', '/healthz', '/api/v1/checkout', '/static/app.js'];
const METHODS = ['GET', 'GET', 'GET', 'POST', 'PUT', 'DELETE'];
const AGENTS = ['Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0', 'curl/8.4.0', 'okhttp/4.12.0', 'Go-http-client/1.1'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const INFO_MSGS = ['request handled', 'cache hit', 'order created', 'payment authorised', 'user logged in', 'stock reserved', 'message published', 'connection pool resized'];
const WARN_MSGS = ['slow query', 'retrying request', 'deprecated API used', 'cache miss storm', 'high memory usage', 'rate limit close'];
const ERROR_MSGS = ['upstream timed out', 'payment declined by issuer', 'database connection refused', 'failed to publish event', 'invalid token signature'];
const CRIT_MSGS = ['database unreachable, giving up', 'disk full on data volume', 'out of memory, shutting down'];
const JAVA_EXC = ['java.lang.NullPointerException: Cannot invoke "String.length()" because "s" is null', 'java.sql.SQLTransientConnectionException: HikariPool-1 - Connection is not available', 'java.util.concurrent.TimeoutException: deadline exceeded after 5000ms'];
const PY_EXC = ['KeyError: \'user_id\'', 'ConnectionRefusedError: [Errno 111] Connection refused', 'ValueError: invalid literal for int() with base 10: \'abc\''];

export function pad2(n: number): string {
  return n < 10 ? '0' + n : String(n);
}

/**
 * The time texts of log lines, rebuilt only when the second changes (Date formatting would
 * dominate generation otherwise): `ymd` 2026-12-05, `hms` 10:00:00, `clf` the access log's
 * 05/Dec/2026:10:00:00, `mmdd` klog's 1205.
 */
export class SecondStamps {
  ymd = '';
  hms = '';
  clf = '';
  mmdd = '';
  private sec = -1;

  /** Sets the texts to the second of `tsMs` (UTC). */
  at(tsMs: number): this {
    const sec = Math.floor(tsMs / 1000);
    if (sec === this.sec) return this;
    const d = new Date(sec * 1000);
    this.sec = sec;
    this.hms = `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`;
    this.ymd = `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}`;
    this.clf = `${pad2(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${this.hms}`;
    this.mmdd = `${pad2(d.getUTCMonth() + 1)}${pad2(d.getUTCDate())}`;
    return this;
  }
}

export interface CorpusOptions {
  /** How many of `SERVICE_NAMES` log (1–12; more wrap around with a numeric suffix). */
  services?: number;
  /** Stream label `env`; default `prod`. */
  env?: string;
  /** One `service` label for every stream instead of `SERVICE_NAMES` (line shapes still vary). */
  serviceName?: string;
  /** Extra stream labels on every stream (e.g. `agent`, so several generators never share a stream). */
  extraLabels?: Labels;
}

/** A seeded, endless source of `CorpusLine`s. */
export class LogCorpus {
  private readonly rng: Rng;
  private readonly streams: Array<{ service: string; shape: Shape; labels: Labels }> = [];
  private seq = 0;
  private readonly stamps = new SecondStamps();

  constructor(seed: number, opts: CorpusOptions = {}) {
    this.rng = new Rng(seed);
    const n = Math.max(1, opts.services ?? 6);
    const env = opts.env ?? 'prod';
    for (let i = 0; i < n; i++) {
      const base = SERVICE_NAMES[i % SERVICE_NAMES.length];
      const named = i < SERVICE_NAMES.length ? base : `${base}-${Math.floor(i / SERVICE_NAMES.length)}`;
      const service = opts.serviceName ?? named;
      for (let p = 0; p < 3; p++) {
        const pod = `${named}-7d9f${(i * 7 + 3).toString(16)}c-${'abcxyz'[p]}${p}k`;
        this.streams.push({ service, shape: SHAPE_OF[base], labels: { ...opts.extraLabels, env, host: `node-${((i + p) % 4) + 1}`, pod, service } });
      }
    }
  }

  /** Every stream label set this corpus can produce. */
  labelSets(): Labels[] {
    return this.streams.map((s) => s.labels);
  }

  private level(): Level {
    const r = this.rng.int(100);
    return r < 80 ? 'info' : r < 92 ? 'warn' : r < 99 ? 'error' : 'critical';
  }

  /** The next line. `tsMs` only shapes the time printed inside the text; defaults to a fixed clock. */
  next(tsMs = 1700000000000 + this.seq * 7): CorpusLine {
    this.seq++;
    const st = this.streams[this.rng.int(this.streams.length)];
    const lvl = this.level();
    const line = this.render(st.shape, lvl, tsMs);
    return { service: st.service, labels: st.labels, line: line.text, level: line.level };
  }

  private msg(lvl: Level): string {
    const r = this.rng;
    return lvl === 'info' ? r.pick(INFO_MSGS) : lvl === 'warn' ? r.pick(WARN_MSGS) : lvl === 'error' ? r.pick(ERROR_MSGS) : r.pick(CRIT_MSGS);
  }

  private render(shape: Shape, lvl: Level, tsMs: number): { text: string; level: Level } {
    const r = this.rng;
    const { hms, ymd, clf } = this.stamps.at(tsMs);
    const msn = tsMs % 1000;
    const ms = msn < 10 ? '00' + msn : msn < 100 ? '0' + msn : String(msn);
    const id = r.u32().toString(16);
    switch (shape) {
      case 'nginx': {
        const status = lvl === 'error' || lvl === 'critical' ? 500 + r.int(4) : lvl === 'warn' ? 400 + r.int(30) : r.int(10) === 0 ? 304 : 200;
        const text = `10.${r.int(4)}.${r.int(256)}.${r.int(256)} - - [${clf} +0000] "${r.pick(METHODS)} ${r.pick(PATHS)}?id=${r.int(100000)} HTTP/1.1" ${status} ${r.int(20000)} "-" "${r.pick(AGENTS)}" rt=${`${r.int(2)}.${r.int(900) + 100}`}`;
        return { text, level: 'unknown' };
      }
      case 'json': {
        const zl = lvl === 'critical' ? 'fatal' : lvl;
        const text = `{"level":"${zl}","ts":${Math.floor(tsMs / 1000)}.${ms},"caller":"internal/handler.go:${40 + r.int(200)}","msg":"${this.msg(lvl)}","trace_id":"${id}${r.u32().toString(16)}","order_id":"o-${r.int(1000000)}","duration_ms":${r.int(1500)}}`;
        return { text, level: lvl };
      }
      case 'logfmt': {
        const ll = lvl === 'critical' ? 'crit' : lvl;
        const text = `ts=${ymd}T${hms}.${ms}Z level=${ll} msg="${this.msg(lvl)}" user_id=u-${r.int(50000)} method=${r.pick(METHODS)} path=${r.pick(PATHS)} status=${lvl === 'error' ? 500 : 200} duration_ms=${r.int(900)} request_id=${id}`;
        return { text, level: lvl };
      }
      case 'java': {
        const jl = lvl === 'warn' ? 'WARN' : lvl === 'error' ? 'ERROR' : lvl === 'critical' ? 'FATAL' : 'INFO';
        let text = `${ymd} ${hms}.${ms} ${jl.padStart(5)} 1 --- [nio-8080-exec-${1 + r.int(10)}] c.e.${r.int(2) === 0 ? 'search.QueryService' : 'orders.OrderController'} : ${this.msg(lvl)} (id=${id})`;
        if (lvl === 'error' || lvl === 'critical') {
          text += `\n${r.pick(JAVA_EXC)}\n\tat com.example.orders.OrderService.place(OrderService.java:${50 + r.int(100)})\n\tat com.example.orders.OrderController.create(OrderController.java:${20 + r.int(40)})\n\tat org.springframework.web.servlet.FrameworkServlet.service(FrameworkServlet.java:883)\n\tat java.base/java.lang.Thread.run(Thread.java:833)`;
        }
        return { text, level: lvl };
      }
      case 'python': {
        const pl = lvl === 'warn' ? 'WARNING' : lvl === 'error' ? 'ERROR' : lvl === 'critical' ? 'CRITICAL' : 'INFO';
        let text = `${ymd} ${hms},${ms} - app.worker - ${pl} - ${this.msg(lvl)} task_id=${id}`;
        if (lvl === 'error' || lvl === 'critical') {
          text += `\nTraceback (most recent call last):\n  File "/app/worker.py", line ${10 + r.int(200)}, in handle\n    result = process(payload)\n  File "/app/tasks.py", line ${10 + r.int(90)}, in process\n    return payload["user_id"]\n${r.pick(PY_EXC)}`;
        }
        return { text, level: lvl };
      }
    }
  }
}

/** `count` lines (endless when omitted) from a `LogCorpus` seeded with `seed`. */
export function* generateLines(seed: number, services: number, count = Infinity): Generator<CorpusLine> {
  const c = new LogCorpus(seed, { services });
  for (let i = 0; i < count; i++) yield c.next();
}
