/**
 * BSD syslog (RFC 3164, https://www.rfc-editor.org/rfc/rfc3164#section-4.1) after `<PRI>`:
 *
 *   Mmm dd hh:mm:ss HOSTNAME TAG[PID]: MSG
 *
 * as real senders write it, which is looser than the RFC:
 *  - the timestamp may carry a fraction (`07:06:52.123`), a year (`Nov 22 2026 07:06:52`, Cisco),
 *    or be an RFC 3339 timestamp instead (rsyslog's high-precision forwarding);
 *  - a timestamp without a year is read in the server's local time zone, in the nearest year that
 *    does not put it more than a day in the future (a December message read in January is last
 *    year's);
 *  - the timestamp and the hostname may be missing (`<13>myapp: msg`, as local senders write it):
 *    without a timestamp no hostname is looked for; after one, a word ending in `:` or carrying
 *    `[pid]` is the tag, not a hostname;
 *  - the TAG ends at `[`, `:` or a space, is at most 48 characters, and is only taken as a tag when
 *    `:` or `[pid]` follows it; otherwise everything after the hostname is MSG.
 * Nothing here is an error: whatever cannot be read as a header part is MSG (RFC 3164 §4.3.3).
 */
import { parseRfc3339 } from '../common/timestamp.js';
import type { SyslogMessage } from './message.js';

type Parsed = Omit<SyslogMessage, 'format' | 'facility' | 'severity'>;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const BSD_TS_RE = /^([A-Z][a-z]{2}) {1,2}(\d{1,2}) (?:(\d{4}) )?(\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?(?= |$)/;
const ISO_TS_RE = /^\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d\S*(?= |$)/;
const TAG_RE = /^([^\s:[\]]{1,48})(?:\[([^\]\s]{1,128})\])?(:)?(?: |$)/;
const MAX_HOSTNAME = 255;
const DAY_MS = 86_400_000;

/** A BSD timestamp's time in ns, or undefined when the date does not exist. */
function bsdTime(m: RegExpExecArray, nowMs: number): bigint | undefined {
  const month = MONTHS.indexOf(m[1]);
  if (month < 0) return undefined;
  const day = +m[2];
  const h = +m[4];
  const mi = +m[5];
  const sec = +m[6];
  if (h > 23 || mi > 59 || sec > 60) return undefined;
  const make = (year: number): number | undefined => {
    const d = new Date(year, month, day, h, mi, Math.min(sec, 59));
    return d.getMonth() === month && d.getDate() === day ? d.getTime() : undefined;
  };
  let ms: number | undefined;
  if (m[3] !== undefined) {
    ms = make(+m[3]);
  } else {
    // Nearest year that is not more than a day ahead; Feb 29 may need a few years back.
    const y0 = new Date(nowMs).getFullYear() + 1;
    for (let y = y0; y > y0 - 9 && ms === undefined; y--) {
      const t = make(y);
      if (t !== undefined && t <= nowMs + DAY_MS) ms = t;
    }
  }
  if (ms === undefined || ms < 0) return undefined;
  const frac = m[7] === undefined ? 0n : BigInt(m[7].padEnd(9, '0'));
  return BigInt(ms) * 1_000_000n + frac;
}

/** Parses a BSD message after its `<PRI>` (starting at `at`); `nowMs` picks the year. Never fails. */
export function parseRfc3164(s: string, at: number, nowMs: number): Parsed {
  const out: Parsed = { msg: '' };
  let rest = s.slice(at);
  let hadTime = false;
  const b = BSD_TS_RE.exec(rest);
  if (b !== null) {
    const ts = bsdTime(b, nowMs);
    if (ts !== undefined) {
      out.ts = ts;
      hadTime = true;
      rest = rest.slice(b[0].length + 1);
    }
  } else {
    const iso = ISO_TS_RE.exec(rest);
    if (iso !== null) {
      try {
        out.ts = parseRfc3339(iso[0]);
        hadTime = true;
        rest = rest.slice(iso[0].length + 1);
      } catch {
        // not a timestamp after all: part of MSG
      }
    }
  }
  if (hadTime) {
    const sp = rest.indexOf(' ');
    const word = sp < 0 ? rest : rest.slice(0, sp);
    const t = TAG_RE.exec(rest);
    const isTag = t !== null && (t[2] !== undefined || t[3] !== undefined);
    if (!isTag && word.length > 0 && word.length <= MAX_HOSTNAME && sp > 0 && printable(word)) {
      out.hostname = word;
      rest = rest.slice(sp + 1);
    }
  }
  const t = TAG_RE.exec(rest);
  if (t !== null && (t[2] !== undefined || t[3] !== undefined)) {
    out.app = t[1];
    if (t[2] !== undefined) out.procid = t[2];
    rest = rest.slice(t[0].length);
  }
  out.msg = rest;
  return out;
}

function printable(w: string): boolean {
  for (let i = 0; i < w.length; i++) {
    const c = w.charCodeAt(i);
    if (c < 33 || c > 126) return false;
  }
  return true;
}
