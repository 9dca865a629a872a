/**
 * One syslog message, decoded: what the RFC 5424 and RFC 3164 parsers produce and what the
 * listener turns into a `LogEntry`. `parseSyslog` picks the format per message from what follows
 * the PRI (`1 ` is RFC 5424's VERSION; anything else is read as BSD syslog, RFC 3164).
 *
 * Contract: parsing never throws. A message that cannot be read is returned with `error` set and
 * `msg` holding the whole message as received, so the caller keeps it as a raw line.
 */
import type { Level } from '../../model/level.js';
import { parseRfc5424 } from './rfc5424.js';
import { parseRfc3164 } from './rfc3164.js';

export interface SyslogMessage {
  /** Facility code 0–23, when the PRI could be read. */
  facility?: number;
  /** Severity code 0–7, when the PRI could be read. */
  severity?: number;
  /** Timestamp in ns since the epoch; absent when the message has none (NILVALUE, BSD without time). */
  ts?: bigint;
  hostname?: string;
  /** RFC 5424 APP-NAME, or the TAG of a BSD message. */
  app?: string;
  procid?: string;
  msgid?: string;
  /** Structured data, already flattened to normalised metadata names (`sd_<id>_<param>`). */
  sd?: Record<string, string>;
  /** The MSG part (BOM removed); for a malformed message, the whole message. */
  msg: string;
  format: 'rfc5424' | 'rfc3164' | 'unknown';
  /** Why the message could not be parsed; `msg` is then the raw message. */
  error?: string;
}

/** Facility keywords (RFC 5424 table 1, names as syslog.conf and logger `-p` write them). */
export const FACILITY_NAMES: readonly string[] = [
  'kern', 'user', 'mail', 'daemon', 'auth', 'syslog', 'lpr', 'news',
  'uucp', 'cron', 'authpriv', 'ftp', 'ntp', 'audit', 'alert', 'clock',
  'local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7',
];

/** Severity keywords (RFC 5424 table 2). */
export const SEVERITY_NAMES: readonly string[] = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'];

/** Severity → LogSentinel level: 0–2 critical, 3 error, 4 warn, 5–6 info, 7 debug. */
const SEVERITY_LEVELS: readonly Level[] = ['critical', 'critical', 'critical', 'error', 'warn', 'info', 'info', 'debug'];

export function severityLevel(severity: number): Level {
  return SEVERITY_LEVELS[severity] ?? 'unknown';
}

/**
 * Reads `<PRI>` at the start of `s` (RFC 5424 §6.2.1: 1–3 digits, 0–191, no leading zeros
 * except `<0>`). Returns the PRI value and the index after `>`, or `undefined`.
 */
export function readPri(s: string): { pri: number; end: number } | undefined {
  if (s.charCodeAt(0) !== 60 /* < */) return undefined;
  let i = 1;
  let pri = 0;
  while (i < s.length && i <= 4) {
    const c = s.charCodeAt(i);
    if (c === 62 /* > */) break;
    if (c < 48 || c > 57) return undefined;
    pri = pri * 10 + (c - 48);
    i++;
  }
  const digits = i - 1;
  if (s.charCodeAt(i) !== 62 || digits < 1 || digits > 3) return undefined;
  if (digits > 1 && s.charCodeAt(1) === 48) return undefined;
  if (pri > 191) return undefined;
  return { pri, end: i + 1 };
}

/**
 * Parses one syslog message (already framed, without its trailing newline). `nowMs` decides the
 * year of BSD timestamps, which carry none.
 */
export function parseSyslog(text: string, nowMs: number): SyslogMessage {
  const p = readPri(text);
  if (p === undefined) {
    return { msg: text, format: 'unknown', error: text.length === 0 ? 'empty message' : 'missing or invalid PRI' };
  }
  const facility = p.pri >> 3;
  const severity = p.pri & 7;
  if (text.charCodeAt(p.end) === 49 /* 1 */ && text.charCodeAt(p.end + 1) === 32) {
    const m = parseRfc5424(text, p.end + 2);
    if (typeof m === 'string') return { facility, severity, msg: text, format: 'rfc5424', error: m };
    return { facility, severity, ...m, format: 'rfc5424' };
  }
  return { facility, severity, ...parseRfc3164(text, p.end, nowMs), format: 'rfc3164' };
}
