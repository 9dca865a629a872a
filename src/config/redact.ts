/**
 * Keeping secrets out of everything LogSentinel prints: log lines, error messages, `--help`,
 * `/metrics` and config dumps. One helper for all of them, so a new printer cannot forget one.
 *
 * Three layers:
 * - `redactUrl(url)`: a URL as it may be shown — password, query values (tokens travel there) and,
 *   for URLs whose path is the secret (Slack incoming webhooks), the path replaced by `***`.
 * - `scrubSecrets(text)`: free text (an error message from pg or ioredis, a YAML parse error that
 *   quotes the file) with every `scheme://user:password@` credential and every registered secret
 *   value replaced by `***`.
 * - `registerSecret(value)`: values known to be secret (the options marked `secret` in the schema,
 *   the password and path of their URLs) are remembered process-wide, so `scrubSecrets` finds them
 *   wherever a library happens to echo them. The logger scrubs every line with it.
 */

export const REDACTED = '***';

export interface RedactOptions {
  /** Hide the path too: for URLs whose path carries the secret (Slack webhooks). */
  path?: boolean;
}

/** The URL without its password and query values (and path when asked), for messages. */
export function redactUrl(url: string, opts: RedactOptions = {}): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return '<invalid url>';
  }
  if (u.password) u.password = REDACTED;
  if (opts.path && u.pathname !== '/' && u.pathname !== '') u.pathname = '/' + REDACTED;
  if (u.search) {
    const q = new URLSearchParams();
    for (const k of u.searchParams.keys()) q.set(k, REDACTED);
    // URLSearchParams would percent-encode the asterisks.
    u.search = '?' + [...q.keys()].map((k) => `${encodeURIComponent(k)}=${REDACTED}`).join('&');
  }
  return u.toString();
}

/** Whether a URL's path is a bearer secret (Slack's `/services/T…/B…/<token>`, Discord, Teams, ...). */
export function pathIsSecret(url: string): boolean {
  try {
    const h = new URL(url).hostname;
    return /(^|\.)slack\.com$/.test(h) || /(^|\.)discord(app)?\.com$/.test(h) || /(^|\.)office\.com$/.test(h) || /(^|\.)webhook\.office\.com$/.test(h);
  } catch {
    return false;
  }
}

// `scheme://user:password@` anywhere in a text; the user part stays (it names who, not how).
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/[^\s/:@'"<>]*:)[^\s/@'"<>]+@/gi;

const secrets = new Set<string>();
/** Secrets shorter than this are not registered: scrubbing `ab` everywhere would maim every message. */
const MIN_SECRET_LENGTH = 4;
let secretPattern: RegExp | undefined;

/** Remembers a value that must never be printed. Values from URLs: their password and query values, and the path when it is the secret. */
export function registerSecret(value: string): void {
  if (value.length < MIN_SECRET_LENGTH || secrets.has(value)) return;
  secrets.add(value);
  // Percent-decoded forms appear in library messages (pg prints the decoded password).
  try {
    const decoded = decodeURIComponent(value);
    if (decoded !== value && decoded.length >= MIN_SECRET_LENGTH) secrets.add(decoded);
  } catch {
    // not percent-encoded
  }
  secretPattern = undefined;
}

/** Registers what is secret in an option value: a URL's password, query values and (for webhook URLs) path; anything else as a whole. */
export function registerSecretValue(value: string): void {
  if (value === '') return;
  let u: URL | undefined;
  try {
    u = /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? new URL(value) : undefined;
  } catch {
    u = undefined;
  }
  if (u === undefined) {
    registerSecret(value);
    return;
  }
  if (u.password) registerSecret(u.password);
  for (const v of u.searchParams.values()) registerSecret(v);
  if (pathIsSecret(value) && u.pathname.length > 1) registerSecret(u.pathname.slice(1));
  // the whole URL too, so it is found even when a library re-encodes parts of it
  registerSecret(value);
}

/** Forgets every registered secret (tests). */
export function clearSecrets(): void {
  secrets.clear();
  secretPattern = undefined;
}

function pattern(): RegExp | undefined {
  if (secrets.size === 0) return undefined;
  // Longest first, so a URL is replaced as a whole before its password is.
  secretPattern ??= new RegExp([...secrets].sort((a, b) => b.length - a.length).map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g');
  return secretPattern;
}

/** `text` with URL credentials and registered secrets replaced by `***`. */
export function scrubSecrets(text: string): string {
  let out = text.includes('://') ? text.replace(URL_CREDENTIALS, `$1${REDACTED}@`) : text;
  const p = pattern();
  if (p !== undefined) out = out.replace(p, REDACTED);
  return out;
}

/**
 * A copy of a value fit for printing: strings scrubbed, errors copied with message, stack and
 * properties scrubbed (ioredis puts the failed command, an `AUTH` password included, on its errors),
 * plain objects and arrays scrubbed to a small depth (anything deeper is left out); instances of
 * other classes are returned as they are, for their own serializers.
 */
export function scrubValue(v: unknown, depth = 0): unknown {
  if (typeof v === 'string') return scrubSecrets(v);
  if (v === null || typeof v !== 'object') return v;
  if (depth > 4) return '[omitted]';
  if (Array.isArray(v)) return v.map((x) => scrubValue(x, depth + 1));
  if (v instanceof Error) {
    const copy = new Error(scrubSecrets(v.message));
    copy.name = v.name;
    copy.stack = v.stack === undefined ? undefined : scrubSecrets(v.stack);
    for (const [k, x] of Object.entries(v)) (copy as unknown as Record<string, unknown>)[k] = scrubValue(x, depth + 1);
    if (v.cause !== undefined) copy.cause = scrubValue(v.cause, depth + 1);
    return copy;
  }
  // Class instances (a Fastify request, a socket) are left to their own serializers.
  const proto = Object.getPrototypeOf(v) as unknown;
  if (proto !== Object.prototype && proto !== null) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[k] = scrubValue(x, depth + 1);
  return out;
}
