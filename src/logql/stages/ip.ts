/**
 * Loki's `ip("...")` matcher (pkg/logql/log/ip.go), used by the line filters `|= ip("…")` /
 * `!= ip("…")` and the label filters `addr = ip("…")` / `addr != ip("…")`.
 *
 * A pattern is a single address (`192.168.0.1`, `::1`), a CIDR prefix (`192.168.0.0/16`,
 * `2001:db8::/32`) or an inclusive range of one family (`192.168.0.1-192.168.0.23`), parsed as
 * Go's net/netip and netipx parse them (IPv4 without leading zeros, IPv6 with `::`, an
 * embedded IPv4 tail and an optional zone). The text searched — the line, or the label's
 * value — is scanned for IPv4/IPv6-looking runs (Loki's hints: a digit followed by a dot
 * within three characters, or hex digits followed by a colon); it matches when any run parses
 * as an address the pattern contains. Addresses of the two families never match each other.
 */

interface Addr {
  v6: boolean;
  n: bigint;
  zone: string;
}

type IPMatcher = { kind: 'addr'; a: Addr } | { kind: 'prefix'; a: Addr; bits: number } | { kind: 'range'; from: Addr; to: Addr };

export class IPPatternError extends Error {}

function parseV4(s: string): bigint | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0n;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || (p.length > 1 && p[0] === '0')) return undefined;
    const v = Number(p);
    if (v > 255) return undefined;
    n = (n << 8n) | BigInt(v);
  }
  return n;
}

function parseV6(s: string): bigint | undefined {
  let tail: bigint | undefined;
  let body = s;
  // An embedded IPv4 address as the last 32 bits.
  const lastColon = s.lastIndexOf(':');
  if (lastColon >= 0 && s.indexOf('.', lastColon) > lastColon) {
    tail = parseV4(s.slice(lastColon + 1));
    if (tail === undefined) return undefined;
    body = s.slice(0, lastColon + 1) + '0:0';
  }
  const dbl = body.indexOf('::');
  if (dbl >= 0 && body.indexOf('::', dbl + 1) >= 0) return undefined;
  const groupsOf = (t: string): string[] | undefined => (t === '' ? [] : t.split(':'));
  let groups: string[] | undefined;
  if (dbl >= 0) {
    const head = groupsOf(body.slice(0, dbl));
    const rest = groupsOf(body.slice(dbl + 2));
    if (head === undefined || rest === undefined) return undefined;
    const missing = 8 - head.length - rest.length;
    if (missing < 1) return undefined;
    groups = [...head, ...new Array<string>(missing).fill('0'), ...rest];
  } else groups = groupsOf(body);
  if (groups === undefined || groups.length !== 8) return undefined;
  let n = 0n;
  for (const g of groups) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
    n = (n << 16n) | BigInt(parseInt(g, 16));
  }
  if (tail !== undefined) n = (n & ~0xffffffffn) | tail;
  return n;
}

/** Go's netip.ParseAddr for the forms that matter; undefined when `s` is not an address. */
export function parseAddr(s: string): Addr | undefined {
  if (s.includes(':')) {
    const pct = s.indexOf('%');
    const zone = pct >= 0 ? s.slice(pct + 1) : '';
    if (pct >= 0 && zone === '') return undefined;
    const n = parseV6(pct >= 0 ? s.slice(0, pct) : s);
    return n === undefined ? undefined : { v6: true, n, zone };
  }
  const n = parseV4(s);
  return n === undefined ? undefined : { v6: false, n, zone: '' };
}

function cmp(a: Addr, b: Addr): number {
  if (a.v6 !== b.v6) return a.v6 ? 1 : -1;
  return a.n < b.n ? -1 : a.n > b.n ? 1 : a.zone < b.zone ? -1 : a.zone > b.zone ? 1 : 0;
}

/** Parses an `ip("…")` pattern; throws `ip: invalid pattern: "…"` as Loki does. */
export function parseIPPattern(pattern: string): IPMatcher {
  const a = parseAddr(pattern);
  if (a !== undefined) return { kind: 'addr', a };
  const slash = pattern.indexOf('/');
  if (slash >= 0) {
    const base = parseAddr(pattern.slice(0, slash));
    const bitsText = pattern.slice(slash + 1);
    if (base !== undefined && base.zone === '' && /^(0|[1-9]\d{0,2})$/.test(bitsText)) {
      const bits = Number(bitsText);
      if (bits <= (base.v6 ? 128 : 32)) return { kind: 'prefix', a: base, bits };
    }
  }
  const dash = pattern.indexOf('-');
  if (dash >= 0) {
    const from = parseAddr(pattern.slice(0, dash));
    const to = parseAddr(pattern.slice(dash + 1));
    if (from !== undefined && to !== undefined && from.v6 === to.v6 && from.zone === '' && to.zone === '' && cmp(from, to) <= 0) return { kind: 'range', from, to };
  }
  throw new IPPatternError(`ip: invalid pattern: ${JSON.stringify(pattern)}`);
}

function contains(m: IPMatcher, ip: Addr): boolean {
  switch (m.kind) {
    case 'addr':
      return cmp(m.a, ip) === 0;
    case 'prefix': {
      if (ip.v6 !== m.a.v6 || ip.zone !== '') return false;
      const width = m.a.v6 ? 128n : 32n;
      const shift = width - BigInt(m.bits);
      return ip.n >> shift === m.a.n >> shift;
    }
    case 'range': {
      if (ip.v6 !== m.from.v6) return false;
      const plain = { ...ip, zone: '' };
      return cmp(m.from, plain) <= 0 && cmp(plain, m.to) <= 0;
    }
  }
}

const isV4Char = (c: number): boolean => (c >= 48 && c <= 57) || c === 46;
const isV6Char = (c: number): boolean => (c >= 48 && c <= 58) || c === 46 || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const isHex = (c: string | undefined): boolean => c !== undefined && ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'));

function v4Hint(s: string, i: number): boolean {
  return isDigit(s[i]) && (s[i + 1] === '.' || s[i + 2] === '.' || s[i + 3] === '.');
}

function v6Hint(s: string, i: number): boolean {
  const [a, b, c, d, e] = [s[i], s[i + 1], s[i + 2], s[i + 3], s[i + 4]];
  return (
    (a === ':' && b === ':' && isHex(c)) ||
    (isHex(a) && b === ':') ||
    (isHex(a) && isHex(b) && c === ':') ||
    (isHex(a) && isHex(b) && isHex(c) && d === ':') ||
    (isHex(a) && isHex(b) && isHex(c) && isHex(d) && e === ':')
  );
}

/** Builds the predicate "`text` holds an address the pattern contains". Throws on a bad pattern. */
export function ipMatcher(pattern: string): (text: string) => boolean {
  const m = parseIPPattern(pattern);
  return (text) => {
    const n = text.length;
    const tryRun = (start: number, isChar: (c: number) => boolean): number => {
      let end = start;
      while (end < n && isChar(text.charCodeAt(end))) end++;
      const ip = parseAddr(text.slice(start, end));
      return ip !== undefined && contains(m, ip) ? -1 : end - start;
    };
    for (let i = 0; i < n; i++) {
      // Loki needs 4 (IPv4) or 5 (IPv6) bytes left to look for a hint.
      if (i + 3 < n && v4Hint(text, i)) {
        const len = tryRun(i, isV4Char);
        if (len < 0) return true;
        i += len;
        continue;
      }
      if (i + 4 < n && v6Hint(text, i)) {
        const len = tryRun(i, isV6Char);
        if (len < 0) return true;
        i += len;
      }
    }
    return false;
  };
}
