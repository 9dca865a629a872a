/**
 * The benchmark's second corpus (`--corpus mixed`): shapes the load generator's corpus
 * (src/loadgen/corpus.ts) does not have, so that the stored-size and needle ratios are not
 * measured on one family of lines only. Deterministic: same seed, same lines.
 *
 * - Apache combined access lines with the response time in µs (`%D`), service `web`: client IPs
 *   from a skewed pool, paths with ids and query strings, referers, user agents, bytes.
 * - JSON application lines: pino (`checkout`, `cart`, `catalog`) and bunyan (`billing`,
 *   `notifier`), nested objects, UUID request ids, 32-hex trace and 16-hex span ids.
 * - PostgreSQL server lines (`postgres-0..2`, prefix `%m [%p] `): slow statements, connections,
 *   checkpoints, autovacuum; ERROR, FATAL and deadlocks with their DETAIL/STATEMENT lines in one
 *   entry, as a multi-line stage would send them.
 * - Kubernetes klog lines: kubelets, controller manager and scheduler (with their "Event occurred"
 *   lines), and `auth`, a Go service logging through klog's structured form, whose key=value pairs
 *   (`status=503`) the benchmark's `| logfmt` query reads.
 *
 * Ids and numbers vary as in production (many distinct, some hot): they drive compressibility and
 * the skip index's false positives. Levels ~80% info, 12% warn, 7% error, 1% critical; a line's
 * level is the one it states (pino 30/40/50/60, klog I/W/E/F, PostgreSQL LOG/WARNING/ERROR/FATAL,
 * LOG read as info), `unknown` for access lines, which state none. 30 streams labelled
 * {service, namespace, pod, container}.
 */
import { Rng, SecondStamps, pad2, type CorpusLine } from '../../src/loadgen/corpus.js';
import type { Labels } from '../../src/model/labels.js';
import type { Level } from '../../src/model/level.js';

type Shape = 'apache' | 'pino' | 'bunyan' | 'postgres' | 'kubelet' | 'controller' | 'scheduler' | 'auth';

interface Stream {
  service: string;
  shape: Shape;
  labels: Labels;
  /** `hostname` of JSON lines, the pod a line of this stream is about. */
  pod: string;
  /** The process id the shape prints (klog's, PostgreSQL's postmaster, pino's). */
  pid: number;
}

// Share of the lines per service in ‰, split evenly over its pods.
const SERVICES: ReadonlyArray<{ service: string; namespace: string; shape: Shape; pods: number; permille: number }> = [
  { service: 'web', namespace: 'web', shape: 'apache', pods: 3, permille: 250 },
  { service: 'checkout', namespace: 'shop', shape: 'pino', pods: 3, permille: 100 },
  { service: 'cart', namespace: 'shop', shape: 'pino', pods: 2, permille: 60 },
  { service: 'catalog', namespace: 'shop', shape: 'pino', pods: 3, permille: 100 },
  { service: 'billing', namespace: 'shop', shape: 'bunyan', pods: 2, permille: 50 },
  { service: 'notifier', namespace: 'shop', shape: 'bunyan', pods: 2, permille: 40 },
  { service: 'auth', namespace: 'identity', shape: 'auth', pods: 3, permille: 60 },
  { service: 'postgres', namespace: 'data', shape: 'postgres', pods: 3, permille: 140 },
  { service: 'kubelet', namespace: 'kube-system', shape: 'kubelet', pods: 6, permille: 120 },
  { service: 'kube-controller-manager', namespace: 'kube-system', shape: 'controller', pods: 2, permille: 50 },
  { service: 'kube-scheduler', namespace: 'kube-system', shape: 'scheduler', pods: 1, permille: 30 },
];

// Kubernetes' alphabet for generated names (no vowels, no look-alikes).
const K8S_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
const BASE36 = '0123456789abcdefghijklmnopqrstuvwxyz';
const NAMESPACES = ['shop', 'shop', 'shop', 'web', 'identity', 'data', 'monitoring', 'kube-system', 'batch'];
const APPS = ['checkout', 'cart', 'catalog', 'billing', 'notifier', 'web', 'auth', 'search-indexer', 'image-resizer', 'coredns', 'prometheus', 'report-export'];
const AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:133.0) Gecko/20100101 Firefox/133.0',
  'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.81 Mobile Safari/537.36',
  'Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Mobile Safari/537.36',
  'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
  'Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)',
  'Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)',
  'ShopApp/4.18.2 (iPhone; iOS 18.1; Scale/3.00)',
  'ShopApp/4.17.9 (Android 14; Pixel 8)',
  'curl/8.5.0',
  'python-requests/2.32.3',
];
const WORDS = ['running+shoes', 'rain+jacket', 'usb-c+cable', 'wool+socks', 'espresso', 'desk+lamp', 'backpack', 'yoga+mat', 'headphones', 'gift+card', 'winter+boots', 'phone+case', 'water+bottle', 'sunglasses', 'tent', 'coffee+grinder', 'keyboard', 'scarf', 'lego', 'kettle'];
const CATEGORIES = ['shoes', 'outdoor', 'electronics', 'kitchen', 'home-office', 'sports', 'toys', 'accessories', 'books', 'garden'];
const TABLES = ['orders', 'order_items', 'inventory', 'customers', 'sessions', 'payments', 'products', 'events'];
const CLIENTS = ['web-spa', 'ios-app', 'android-app', 'partner-portal', 'backoffice', 'reporting-job'];
const NODE_NAMES = ['ip-10-0-1-23', 'ip-10-0-1-87', 'ip-10-0-2-14', 'ip-10-0-2-201', 'ip-10-0-3-56', 'ip-10-0-3-142'];

/** `n` characters of `alphabet`, at random. */
function word(r: Rng, alphabet: string, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += alphabet[r.int(alphabet.length)];
  return s;
}

// Byte to two hex digits: number-to-hex conversion would be most of the generation time.
const HEX = Array.from({ length: 256 }, (_, i) => (i + 256).toString(16).slice(1));

function pad3(n: number): string {
  return n < 10 ? '00' + n : n < 100 ? '0' + n : String(n);
}

/** A seeded, endless source of lines of the shapes above, with the interface of `LogCorpus`. */
export class MixedCorpus {
  private readonly r: Rng;
  private readonly streams: Stream[] = [];
  /** Stream index per ‰ of lines. */
  private readonly pick: number[] = [];
  /** Pods the cluster's lines are about: `ns/name` and the pod's UID. */
  private readonly pods: Array<{ ref: string; name: string; uid: string; app: string }> = [];
  private readonly clientIps: string[] = [];
  private readonly pgPids: number[] = [];
  private readonly assetHashes: string[] = [];
  private readonly t = new SecondStamps();

  constructor(seed: number) {
    const r = (this.r = new Rng(seed));
    for (const s of SERVICES) {
      const hash = word(r, K8S_ALPHABET, 10);
      for (let p = 0; p < s.pods; p++) {
        const pod =
          s.shape === 'postgres' ? `postgres-${p}`
          : s.shape === 'kubelet' ? `kubelet-${NODE_NAMES[p]}`
          : s.namespace === 'kube-system' ? `${s.service}-${NODE_NAMES[p]}`
          : `${s.service}-${hash}-${word(r, K8S_ALPHABET, 5)}`;
        const container = s.shape === 'apache' ? 'httpd' : s.service;
        for (let i = 0; i < Math.round(s.permille / s.pods); i++) this.pick.push(this.streams.length);
        this.streams.push({ service: s.service, shape: s.shape, labels: { service: s.service, namespace: s.namespace, pod, container }, pod, pid: s.shape === 'pino' || s.shape === 'bunyan' || s.shape === 'auth' ? 1 : 1000 + r.int(4000) });
      }
    }
    for (let i = 0; i < 400; i++) {
      const app = r.pick(APPS);
      const name = `${app}-${word(r, K8S_ALPHABET, 10)}-${word(r, K8S_ALPHABET, 5)}`;
      this.pods.push({ ref: `${r.pick(NAMESPACES)}/${name}`, name, uid: this.uuid(), app });
    }
    for (let i = 0; i < 20_000; i++) this.clientIps.push(`${1 + r.int(223)}.${r.int(256)}.${r.int(256)}.${1 + r.int(254)}`);
    for (let i = 0; i < 200; i++) this.pgPids.push(20_000 + r.int(400_000));
    for (let i = 0; i < 6; i++) this.assetHashes.push(this.hex8());
  }

  /** The next line. `tsMs` is the time printed inside the text. */
  next(tsMs: number): CorpusLine {
    const st = this.streams[this.pick[this.r.int(this.pick.length)]];
    const x = this.r.int(100);
    const lvl: Level = x < 80 ? 'info' : x < 92 ? 'warn' : x < 99 ? 'error' : 'critical';
    this.t.at(tsMs);
    let line: string;
    switch (st.shape) {
      case 'apache':
        return { service: st.service, labels: st.labels, line: this.apache(lvl), level: 'unknown' };
      case 'pino':
        line = this.pino(st, lvl, tsMs);
        break;
      case 'bunyan':
        line = this.bunyan(st, lvl, tsMs);
        break;
      case 'postgres':
        line = this.postgres(st, lvl, tsMs);
        break;
      default:
        line = this.klog(st, lvl, tsMs);
    }
    return { service: st.service, labels: st.labels, line, level: lvl };
  }

  // --- ids and numbers ---

  /** 8 hex digits. */
  private hex8(): string {
    const x = this.r.u32();
    return HEX[x >>> 24] + HEX[(x >>> 16) & 255] + HEX[(x >>> 8) & 255] + HEX[x & 255];
  }

  private uuid(): string {
    const a = this.hex8();
    const b = this.hex8();
    const c = this.hex8();
    return `${a}-${b.slice(0, 4)}-4${b.slice(5)}-${'89ab'[this.r.int(4)]}${c.slice(1, 4)}-${c.slice(4)}${this.hex8()}`;
  }

  /** A W3C trace id: 32 hex digits. */
  private traceId(): string {
    return this.hex8() + this.hex8() + this.hex8() + this.hex8();
  }

  /** Skewed towards 0: a few values are hot, most are rare (users, products, clients). */
  private skewed(n: number): number {
    return this.r.int(this.r.int(n) + 1);
  }

  /** Milliseconds with three decimals, mostly short, with a long tail. */
  private millis(max: number): string {
    return `${this.skewed(max)}.${pad3(this.r.int(1000))}`;
  }

  private podIp(): string {
    return `10.244.${this.r.int(6)}.${2 + this.r.int(250)}`;
  }

  private aPod(): { ref: string; name: string; uid: string; app: string } {
    return this.pods[this.r.int(this.pods.length)];
  }

  // --- shapes ---

  private apache(lvl: Level): string {
    const r = this.r;
    const product = 1 + this.skewed(250_000);
    let method = 'GET';
    let path: string;
    let bytes: number;
    switch (r.int(12)) {
      case 0:
      case 1:
        path = `/products/${product}`;
        bytes = 18_000 + r.int(30_000);
        break;
      case 2:
        path = `/products/${product}/reviews?page=${1 + this.skewed(12)}&sort=${r.int(2) === 0 ? 'newest' : 'rating'}`;
        bytes = 2_000 + r.int(9_000);
        break;
      case 3:
        path = `/search?q=${r.pick(WORDS)}&page=${1 + this.skewed(8)}`;
        bytes = 9_000 + r.int(40_000);
        break;
      case 4:
        path = `/category/${r.pick(CATEGORIES)}?page=${1 + this.skewed(20)}&sort=price_asc&brand=${word(r, BASE36, 6)}`;
        bytes = 14_000 + r.int(40_000);
        break;
      case 5:
        method = r.int(3) === 0 ? 'DELETE' : 'POST';
        path = `/api/cart/${this.uuid()}/items${method === 'DELETE' ? '/' + (1 + r.int(9)) : ''}`;
        bytes = 300 + r.int(1_500);
        break;
      case 6:
        path = `/api/v2/products/${product}/availability?store=${1 + r.int(240)}`;
        bytes = 120 + r.int(400);
        break;
      case 7:
      case 8:
        path = `/static/js/${r.int(3) === 0 ? 'vendor' : 'main'}.${r.pick(this.assetHashes)}.chunk.js`;
        bytes = 40_000 + r.int(400_000);
        break;
      case 9:
        path = `/images/products/${product}/${r.pick(['320x320', '640x640', '1280x1280'])}.webp`;
        bytes = 8_000 + r.int(120_000);
        break;
      case 10:
        path = `/account/orders/${200_000_000 + r.int(9_000_000)}`;
        bytes = 6_000 + r.int(12_000);
        break;
      default:
        path = r.pick(['/', '/robots.txt', '/favicon.ico', `/sitemap-products-${1 + r.int(40)}.xml`, `/checkout/${r.pick(['cart', 'address', 'shipping', 'payment', 'review'])}`]);
        bytes = 500 + r.int(20_000);
    }
    const x = r.int(100);
    const status =
      lvl === 'info' ? (x < 80 ? 200 : x < 90 ? 304 : x < 95 ? 302 : x < 98 ? 206 : 204)
      : lvl === 'warn' ? (x < 55 ? 404 : x < 70 ? 400 : x < 80 ? 401 : x < 88 ? 403 : x < 96 ? 429 : 408)
      : lvl === 'error' ? (x < 40 ? 500 : x < 70 ? 502 : x < 85 ? 503 : 504)
      : 503;
    const size = status === 304 || status === 204 ? '-' : String(status >= 400 ? 150 + r.int(600) : bytes);
    const y = r.int(10);
    const referer =
      y < 3 ? '-'
      : y < 6 ? `https://shop.example.com/products/${1 + this.skewed(250_000)}`
      : y < 8 ? `https://shop.example.com/search?q=${r.pick(WORDS)}`
      : y < 9 ? 'https://www.google.com/' : 'https://shop.example.com/';
    // %D: microseconds; errors wait for their upstream.
    const micros = status >= 500 ? 1_000_000 + r.int(59_000_000) : 150 + this.skewed(r.int(8) === 0 ? 3_000_000 : 90_000);
    const user = path.startsWith('/account') ? `u${1 + this.skewed(500_000)}` : '-';
    const ver = r.int(4) === 0 ? 'HTTP/2.0' : 'HTTP/1.1';
    return `${this.clientIps[this.skewed(this.clientIps.length)]} - ${user} [${this.t.clf} +0000] "${method} ${path} ${ver}" ${status} ${size} "${referer}" "${r.pick(AGENTS)}" ${micros}`;
  }

  /** The fields of a request a JSON service line is about (pino-http's `req`/`res`). */
  private httpFields(service: string, status: number): string {
    const r = this.r;
    const id = 1 + this.skewed(5_000_000);
    const url =
      service === 'checkout' ? r.pick([`/api/v1/orders/${id}?include=items`, '/api/v1/orders', `/api/v1/orders/${id}/payment`])
      : service === 'cart' ? r.pick([`/api/v1/carts/${this.uuid()}`, `/api/v1/carts/${this.uuid()}/items`])
      : r.pick([`/api/v1/products/${1 + this.skewed(250_000)}`, `/api/v1/products?category=${r.pick(CATEGORIES)}&page=${1 + this.skewed(20)}`]);
    const method = url.endsWith('/payment') || url.endsWith('/items') || url === '/api/v1/orders' ? 'POST' : 'GET';
    return `"req":{"id":"${this.uuid()}","method":"${method}","url":"${url}","remoteAddress":"${this.podIp()}","remotePort":${32_768 + r.int(28_000)}},"res":{"statusCode":${status}},"responseTime":${this.millis(status >= 500 ? 30_000 : 800)}`;
  }

  private pino(st: Stream, lvl: Level, tsMs: number): string {
    const r = this.r;
    const head = `{"level":${lvl === 'info' ? 30 : lvl === 'warn' ? 40 : lvl === 'error' ? 50 : 60},"time":${tsMs},"pid":${st.pid},"hostname":"${st.pod}","traceId":"${this.traceId()}","spanId":"${this.hex8()}${this.hex8()}"`;
    const user = `"userId":"u_${1 + this.skewed(500_000)}"`;
    switch (lvl) {
      case 'info': {
        if (r.int(2) === 0) return `${head},${this.httpFields(st.service, r.int(10) === 0 ? 201 : 200)},${user},"msg":"request completed"}`;
        if (st.service === 'checkout') {
          return `${head},"orderId":"ord_${word(r, BASE36, 14)}",${user},"cart":{"items":${1 + this.skewed(12)},"totalCents":${199 + r.int(60_000)},"currency":"${r.pick(['EUR', 'EUR', 'USD', 'GBP'])}"},"payment":{"provider":"${r.pick(['stripe', 'adyen', 'paypal'])}","authMs":${this.millis(2_000)}},"msg":"order placed"}`;
        }
        if (st.service === 'cart') return `${head},"cartId":"${this.uuid()}",${user},"sku":"SKU-${100_000 + this.skewed(250_000)}","qty":${1 + this.skewed(5)},"msg":"item added to cart"}`;
        return `${head},"productId":${1 + this.skewed(250_000)},"cache":{"hit":${r.int(5) !== 0},"ageMs":${r.int(600_000)}},"durationMs":${this.millis(40)},"msg":"product served"}`;
      }
      case 'warn':
        if (r.int(2) === 0) return `${head},${this.httpFields(st.service, r.pick([400, 401, 404, 409, 422, 429]))},${user},"msg":"request completed with client error"}`;
        return `${head},"downstream":"${r.pick(['inventory', 'pricing', 'payments', 'postgres'])}","durationMs":${1_000 + r.int(9_000)},"attempt":${1 + r.int(3)},"msg":"slow downstream call, retrying"}`;
      case 'error': {
        const e = r.pick([
          ['TimeoutError', `upstream timed out after ${r.pick([3000, 5000, 10000])}ms`, 'downstream call failed'],
          ['FetchError', `request to http://inventory.shop.svc.cluster.local:8080/v1/reserve failed, reason: connect ECONNREFUSED 10.96.${r.int(256)}.${r.int(256)}:8080`, 'downstream call failed'],
          ['PrismaClientKnownRequestError', `Unique constraint failed on the fields: (\`order_id\`,\`sku\`)`, 'database write failed'],
        ]);
        const stack = `${e[0]}: ${e[1]}\\n    at Handler.${r.pick(['create', 'update', 'get', 'list'])} (/app/dist/services/${st.service}.js:${20 + r.int(400)}:${5 + r.int(40)})\\n    at process.processTicksAndRejections (node:internal/process/task_queues:105:5)\\n    at async /app/dist/routes/api.js:${10 + r.int(200)}:${5 + r.int(30)}`;
        return `${head},${this.httpFields(st.service, r.pick([500, 502, 503, 504]))},${user},"err":{"type":"${e[0]}","message":"${e[1]}","stack":"${stack}"},"msg":"${e[2]}"}`;
      }
      default:
        return `${head},"err":{"type":"Error","message":"connect ECONNREFUSED 10.96.${r.int(256)}.${r.int(256)}:5432","stack":"Error: connect ECONNREFUSED\\n    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1611:16)"},"msg":"database unreachable, exiting"}`;
    }
  }

  private bunyan(st: Stream, lvl: Level, tsMs: number): string {
    const r = this.r;
    const ms = tsMs % 1000;
    const head = `{"name":"${st.service}","hostname":"${st.pod}","pid":${st.pid},"level":${lvl === 'info' ? 30 : lvl === 'warn' ? 40 : lvl === 'error' ? 50 : 60},"req_id":"${this.uuid()}","trace_id":"${this.traceId()}"`;
    const tail = `,"time":"${this.t.ymd}T${this.t.hms}.${pad3(ms)}Z","v":0}`;
    const customer = `"customer":"cus_${word(r, BASE36, 14)}"`;
    let body: string;
    if (st.service === 'billing') {
      const invoice = `"invoice":{"id":"in_${word(r, BASE36, 24)}","amountCents":${500 + r.int(200_000)},"currency":"${r.pick(['eur', 'usd', 'gbp'])}","lines":${1 + this.skewed(30)}}`;
      body =
        lvl === 'info' ? `${invoice},${customer},"durationMs":${this.millis(900)},"msg":"invoice finalized"`
        : lvl === 'warn' ? `${invoice},${customer},"attempt":${2 + r.int(3)},"msg":"card charge retried after soft decline"`
        : lvl === 'error' ? `${invoice},${customer},"err":{"name":"StripeCardError","code":"${r.pick(['card_declined', 'expired_card', 'processing_error'])}","message":"Your card was declined."},"msg":"charge failed"`
        : `"err":{"name":"Error","message":"ledger write failed: disk quota exceeded"},"msg":"billing run aborted"`;
    } else {
      const msg = `"channel":"${r.pick(['email', 'email', 'push', 'sms'])}","template":"${r.pick(['order-confirmed', 'order-shipped', 'password-reset', 'cart-reminder'])}","recipient":"u_${1 + this.skewed(500_000)}"`;
      body =
        lvl === 'info' ? `${msg},"provider":"${r.pick(['ses', 'fcm', 'twilio'])}","messageId":"0102018c${this.hex8()}-${this.uuid()}-000000","durationMs":${this.millis(1_500)},"msg":"notification sent"`
        : lvl === 'warn' ? `${msg},"queueDepth":${1_000 + r.int(40_000)},"msg":"send queue backing up"`
        : lvl === 'error' ? `${msg},"err":{"name":"Error","message":"SMTP 421 4.4.2 connection timed out","code":"ETIMEDOUT"},"msg":"notification failed"`
        : `"err":{"name":"Error","message":"queue consumer lost its channel"},"msg":"consumer stopped"`;
    }
    return `${head},${body}${tail}`;
  }

  private sql(): string {
    const r = this.r;
    switch (r.int(6)) {
      case 0:
        return `SELECT o.id, o.status, o.total_cents, o.created_at FROM orders o WHERE o.customer_id = ${1 + this.skewed(800_000)} ORDER BY o.created_at DESC LIMIT 20`;
      case 1:
        return `UPDATE inventory SET reserved = reserved + ${1 + r.int(5)} WHERE sku = 'SKU-${100_000 + this.skewed(250_000)}' AND warehouse_id = ${1 + r.int(12)}`;
      case 2:
        return `INSERT INTO order_items (order_id, sku, qty, price_cents) VALUES (${200_000_000 + r.int(9_000_000)}, 'SKU-${100_000 + this.skewed(250_000)}', ${1 + r.int(5)}, ${99 + r.int(50_000)})`;
      case 3:
        return `SELECT p.id, p.name, p.price_cents FROM products p JOIN categories c ON c.id = p.category_id WHERE c.slug = '${r.pick(CATEGORIES)}' AND p.active ORDER BY p.popularity DESC LIMIT 48 OFFSET ${48 * this.skewed(40)}`;
      case 4:
        return `SELECT count(*) FROM events WHERE tenant_id = ${1 + r.int(3000)} AND created_at >= now() - interval '${1 + r.int(30)} days'`;
      default:
        return `UPDATE sessions SET last_seen_at = now() WHERE id = '${this.uuid()}'`;
    }
  }

  private postgres(st: Stream, lvl: Level, tsMs: number): string {
    const r = this.r;
    const pid = this.pgPids[this.skewed(this.pgPids.length)];
    const p = `${this.t.ymd} ${this.t.hms}.${pad3(tsMs % 1000)} UTC [${pid}] `;
    switch (lvl) {
      case 'info': {
        const x = r.int(20);
        if (x < 12) return `${p}LOG:  duration: ${this.millis(4_000)} ms  statement: ${this.sql()}`;
        if (x < 14) return `${p}LOG:  duration: ${this.millis(900)} ms  execute S_${1 + r.int(60)}: SELECT id, email, status FROM customers WHERE id = $1\n${p}DETAIL:  parameters: $1 = '${1 + this.skewed(800_000)}'`;
        if (x < 15) return `${p}LOG:  connection received: host=${this.podIp()} port=${32_768 + r.int(28_000)}`;
        if (x < 16) return `${p}LOG:  connection authorized: user=${r.pick(APPS.slice(0, 5))} database=shop application_name=${r.pick(['node-postgres', 'pgbouncer', 'psql'])} SSL enabled (protocol=TLSv1.3, cipher=TLS_AES_256_GCM_SHA384, bits=256)`;
        if (x < 17) return `${p}LOG:  disconnection: session time: ${r.int(3)}:${pad2(r.int(60))}:${pad2(r.int(60))}.${pad3(r.int(1000))} user=${r.pick(APPS.slice(0, 5))} database=shop host=${this.podIp()} port=${32_768 + r.int(28_000)}`;
        if (x < 18) {
          const cp = `${this.t.ymd} ${this.t.hms}.${pad3(tsMs % 1000)} UTC [${st.pid}] `;
          return r.int(2) === 0
            ? `${cp}LOG:  checkpoint starting: ${r.pick(['time', 'time', 'wal'])}`
            : `${cp}LOG:  checkpoint complete: wrote ${r.int(20_000)} buffers (${r.int(30)}.${r.int(10)}%); 0 WAL file(s) added, ${r.int(4)} removed, ${r.int(12)} recycled; write=${this.millis(270_000)} s, sync=0.${pad3(r.int(200))} s, total=${this.millis(270_000)} s; sync files=${r.int(400)}, longest=0.${pad3(r.int(100))} s, average=0.00${r.int(10)} s; distance=${r.int(900_000)} kB, estimate=${r.int(900_000)} kB; lsn=${(0x20 + r.int(32)).toString(16).toUpperCase()}/${this.hex8().toUpperCase()}, redo lsn=${(0x20 + r.int(32)).toString(16).toUpperCase()}/${this.hex8().toUpperCase()}`;
        }
        return `${p}LOG:  automatic ${r.int(2) === 0 ? 'vacuum' : 'analyze'} of table "shop.public.${r.pick(TABLES)}": system usage: CPU: user: ${this.millis(3)} s, system: 0.${pad2(r.int(100))} s, elapsed: ${this.millis(30)} s`;
      }
      case 'warn':
        return r.int(3) === 0
          ? `${p}WARNING:  there is already a transaction in progress`
          : r.int(2) === 0
            ? `${p}WARNING:  there is no transaction in progress`
            : `${p}WARNING:  terminating connection because of crash of another server process\n${p}DETAIL:  The postmaster has commanded this server process to roll back the current transaction and exit.`;
      case 'error': {
        const x = r.int(6);
        const order = 200_000_000 + r.int(9_000_000);
        const sku = 100_000 + this.skewed(250_000);
        if (x === 0) return `${p}ERROR:  duplicate key value violates unique constraint "order_items_pkey"\n${p}DETAIL:  Key (order_id, sku)=(${order}, SKU-${sku}) already exists.\n${p}STATEMENT:  INSERT INTO order_items (order_id, sku, qty, price_cents) VALUES (${order}, 'SKU-${sku}', 1, ${99 + r.int(50_000)})`;
        if (x === 1) return `${p}ERROR:  insert or update on table "order_items" violates foreign key constraint "order_items_order_id_fkey"\n${p}DETAIL:  Key (order_id)=(${order}) is not present in table "orders".`;
        if (x === 2) {
          const other = this.pgPids[r.int(this.pgPids.length)];
          const tx = 90_000_000 + r.int(9_000_000);
          const id = 1 + this.skewed(800_000);
          return `${p}ERROR:  deadlock detected\n${p}DETAIL:  Process ${pid} waits for ShareLock on transaction ${tx}; blocked by process ${other}.\n\tProcess ${other} waits for ShareLock on transaction ${tx + 1 + r.int(40)}; blocked by process ${pid}.\n\tProcess ${pid}: UPDATE accounts SET balance_cents = balance_cents - ${r.int(10_000)} WHERE id = ${id}\n\tProcess ${other}: UPDATE accounts SET balance_cents = balance_cents + ${r.int(10_000)} WHERE id = ${id + 1}\n${p}HINT:  See server log for query details.\n${p}CONTEXT:  while updating tuple (${r.int(90_000)},${1 + r.int(60)}) in relation "accounts"\n${p}STATEMENT:  UPDATE accounts SET balance_cents = balance_cents - ${r.int(10_000)} WHERE id = ${id}`;
        }
        if (x === 3) return `${p}ERROR:  canceling statement due to statement timeout\n${p}STATEMENT:  ${this.sql()}`;
        if (x === 4) return `${p}ERROR:  could not serialize access due to concurrent update\n${p}STATEMENT:  UPDATE inventory SET reserved = reserved + 1 WHERE sku = 'SKU-${sku}' AND warehouse_id = ${1 + r.int(12)}`;
        return `${p}ERROR:  relation "order_archive_${2020 + r.int(6)}_${pad2(1 + r.int(12))}" does not exist at character ${15 + r.int(40)}`;
      }
      default:
        return r.pick([
          `${p}FATAL:  password authentication failed for user "${r.pick(['reporting', 'readonly', 'postgres'])}"\n${p}DETAIL:  Connection matched file "/etc/postgresql/pg_hba.conf" line ${90 + r.int(20)}: "host all all 0.0.0.0/0 scram-sha-256"`,
          `${p}FATAL:  terminating connection due to administrator command`,
          `${p}FATAL:  remaining connection slots are reserved for roles with the SUPERUSER attribute`,
          `${p}FATAL:  canceling authentication due to timeout`,
        ]);
    }
  }

  /** A klog line: `Lmmdd hh:mm:ss.uuuuuu pid file:line] msg key=value...`. */
  private klog(st: Stream, lvl: Level, tsMs: number): string {
    const head = `${lvl === 'info' ? 'I' : lvl === 'warn' ? 'W' : lvl === 'error' ? 'E' : 'F'}${this.t.mmdd} ${this.t.hms}.${pad3(tsMs % 1000)}${pad3(this.r.int(1000))} ${String(st.pid).padStart(7)} `;
    switch (st.shape) {
      case 'kubelet':
        return head + this.kubelet(lvl);
      case 'auth':
        return head + this.auth(lvl);
      default:
        return head + this.controlPlane(st.shape, lvl);
    }
  }

  private kubelet(lvl: Level): string {
    const r = this.r;
    const pod = this.aPod();
    const at = `pod="${pod.ref}" podUID="${pod.uid}"`;
    switch (lvl) {
      case 'info':
        switch (r.int(6)) {
          case 0:
            return `kubelet.go:2453] "SyncLoop (PLEG): event for pod" pod="${pod.ref}" event={"ID":"${pod.uid}","Type":"${r.pick(['ContainerStarted', 'ContainerDied'])}","Data":"${this.traceId()}${this.traceId()}"}`;
          case 1:
            return `pod_startup_latency_tracker.go:104] "Observed pod startup duration" pod="${pod.ref}" podStartSLOduration=${this.millis(30)} podStartE2EDuration="${this.millis(90)}s"`;
          case 2:
            return `reconciler_common.go:245] "operationExecutor.VerifyControllerAttachedVolume started for volume \\"kube-api-access-${word(r, K8S_ALPHABET, 5)}\\" (UniqueName: \\"kubernetes.io/projected/${pod.uid}-kube-api-access\\") pod \\"${pod.name}\\" (UID: \\"${pod.uid}\\") " ${at}`;
          case 3:
            return `prober.go:107] "Probe failed" probeType="${r.pick(['Readiness', 'Liveness'])}" ${at} containerName="${pod.app}" probeResult="failure" output="Get \\"http://${this.podIp()}:8080/healthz\\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)"`;
          case 4:
            return `kubelet.go:2421] "SyncLoop UPDATE" source="api" pods=["${pod.ref}"]`;
          default:
            return `scope.go:117] "RemoveContainer" containerID="${this.traceId()}${this.traceId()}"`;
        }
      case 'warn':
        return r.int(2) === 0
          ? `dns.go:153] "Nameserver limits exceeded" err="Nameserver limits were exceeded, some nameservers have been omitted, the applied nameserver line is: 10.96.0.10 169.254.20.10 10.0.0.2"`
          : `pod_container_deletor.go:80] "Container not found in pod's containers" containerID="containerd://${this.traceId()}${this.traceId()}"`;
      case 'error':
        return r.int(2) === 0
          ? `pod_workers.go:1301] "Error syncing pod, skipping" err="failed to \\"StartContainer\\" for \\"${pod.app}\\" with CrashLoopBackOff: \\"back-off ${r.pick(['10s', '20s', '40s', '1m20s', '2m40s', '5m0s'])} restarting failed container=${pod.app} pod=${pod.name}_${pod.ref.split('/')[0]}(${pod.uid})\\"" ${at}`
          : `kuberuntime_manager.go:1274] "Unhandled Error" err="failed to pull image \\"registry.example.com/${pod.app}:1.${r.int(60)}.${r.int(20)}\\": rpc error: code = DeadlineExceeded desc = context deadline exceeded" logger="UnhandledError" ${at}`;
      default:
        return `kubelet.go:1700] "Failed to start ContainerManager" err="failed to initialize top level QOS containers: root container [kubepods] doesn't exist"`;
    }
  }

  private controlPlane(shape: Shape, lvl: Level): string {
    const r = this.r;
    const pod = this.aPod();
    const [ns, name] = pod.ref.split('/');
    const rs = name.slice(0, name.lastIndexOf('-'));
    switch (lvl) {
      case 'info':
        if (shape === 'scheduler') {
          return r.int(3) === 0
            ? `event.go:389] "Event occurred" object="${pod.ref}" fieldPath="" kind="Pod" apiVersion="v1" type="Warning" reason="FailedScheduling" message="0/6 nodes are available: ${1 + r.int(4)} Insufficient cpu, ${r.int(3)} node(s) didn't match pod anti-affinity rules. preemption: 0/6 nodes are available: 6 No preemption victims found for incoming pod."`
            : `schedule_one.go:314] "Successfully bound pod to node" pod="${pod.ref}" node="${r.pick(NODE_NAMES)}" evaluatedNodes=6 feasibleNodes=${1 + r.int(6)}`;
        }
        return r.int(2) === 0
          ? `event.go:389] "Event occurred" object="${ns}/${rs}" fieldPath="" kind="ReplicaSet" apiVersion="apps/v1" type="Normal" reason="SuccessfulCreate" message="Created pod: ${name}"`
          : `replica_set.go:679] "Finished syncing" logger="replicaset-controller" kind="ReplicaSet" key="${ns}/${rs}" duration="${this.millis(900)}µs"`;
      case 'warn':
        return `reflector.go:561] k8s.io/client-go/informers/factory.go:160: watch of *v1.${r.pick(['Pod', 'EndpointSlice', 'ConfigMap', 'Node'])} ended with: an error on the server ("unable to decode an event from the watch stream: http2: client connection lost") has prevented the request from succeeding`;
      case 'error':
        return shape === 'scheduler'
          ? `schedule_one.go:1055] "Error scheduling pod; retrying" err="Operation cannot be fulfilled on pods/binding \\"${name}\\": pod ${name} is already assigned to node \\"${r.pick(NODE_NAMES)}\\"" pod="${pod.ref}"`
          : `replica_set.go:566] "Unhandled Error" err="sync \\"${ns}/${rs}\\" failed with pods \\"${name}\\" is forbidden: exceeded quota: compute-resources, requested: limits.memory=${r.pick([256, 512, 1024])}Mi, used: limits.memory=${7000 + r.int(1100)}Mi, limited: limits.memory=8Gi" logger="UnhandledError"`;
      default:
        return `leaderelection.go:${r.int(2) === 0 ? 297 : 332}] "leaderelection lost"`;
    }
  }

  private auth(lvl: Level): string {
    const r = this.r;
    const req = `client="${r.pick(CLIENTS)}" user="u_${1 + this.skewed(500_000)}" ip="${this.clientIps[this.skewed(this.clientIps.length)]}" requestID="${this.uuid()}"`;
    switch (lvl) {
      case 'info':
        return r.int(3) === 0
          ? `handler.go:${118 + r.int(4)}] "Login succeeded" ${req} mfa=${r.int(4) === 0} method="POST" path="/login" status=302 latency="${this.millis(400)}ms"`
          : `handler.go:${142 + r.int(4)}] "Token issued" ${req} grant="${r.pick(['authorization_code', 'refresh_token', 'client_credentials'])}" scope="openid profile orders:read" method="POST" path="/oauth2/token" status=200 latency="${this.millis(120)}ms"`;
      case 'warn':
        return r.int(3) === 0
          ? `ratelimit.go:88] "Rate limited" ${req} method="POST" path="/login" status=429 latency="${this.millis(5)}ms"`
          : `handler.go:131] "Login failed" ${req} reason="${r.pick(['invalid_password', 'unknown_user', 'mfa_required'])}" attempt=${1 + r.int(5)} method="POST" path="/login" status=401 latency="${this.millis(300)}ms"`;
      case 'error':
        return r.int(2) === 0
          ? `handler.go:201] "Token request failed" ${req} err="upstream timed out: dial tcp 10.0.${r.int(4)}.${r.int(256)}:636: i/o timeout" backend="ldap" method="POST" path="/oauth2/token" status=503 latency="${5_000 + r.int(5_000)}.${pad3(r.int(1000))}ms"`
          : `userinfo.go:77] "Userinfo lookup failed" ${req} err="context deadline exceeded" method="GET" path="/oauth2/userinfo" status=504 latency="${10_000 + r.int(1000)}.${pad3(r.int(1000))}ms"`;
      default:
        return `keys.go:54] "Signing key unavailable" ${req} err="open /var/run/secrets/auth/signing.pem: no such file or directory" method="POST" path="/oauth2/token" status=500 latency="${this.millis(3)}ms"`;
    }
  }
}
