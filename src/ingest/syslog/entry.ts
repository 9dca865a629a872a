/**
 * A decoded syslog message as LogSentinel stores it (also in docs/ingest-syslog.md):
 *
 *  - line:      MSG (RFC 5424 BOM removed); a malformed message is kept whole as the line.
 *  - labels:    `host` = HOSTNAME, else the sender's address; `app` = APP-NAME / TAG when the
 *               message has one. No `service` label: `app` is what syslog calls it, and the UI
 *               and LogQL users can group by it directly. A malformed message gets `app="unknown"`.
 *  - level:     from the severity (0–2 critical, 3 error, 4 warn, 5–6 info, 7 debug); without a
 *               readable PRI, detected from the line.
 *  - metadata:  `facility` and `severity` as keywords (`auth`, `err`), `procid`, `msgid`,
 *               structured data as `sd_<id>_<param>`, and `syslog_error` naming why a message
 *               was kept raw, cut or re-stamped (batcher.ts).
 *  - timestamp: TIMESTAMP, else the time the message was received.
 */
import type { Metadata } from '../../model/entry.js';
import type { Level } from '../../model/level.js';
import { FACILITY_NAMES, SEVERITY_NAMES, severityLevel, type SyslogMessage } from './message.js';

export const UNKNOWN_APP = 'unknown';

export interface SyslogEntry {
  labels: Record<string, string>;
  /** `labels` as one string, to find the stream again without sorting. */
  sig: string;
  ts: bigint | undefined;
  line: string;
  metadata: Metadata;
  level: Level | undefined;
}

/** The peer address as a label value: IPv4-mapped IPv6 addresses lose their `::ffff:` prefix. */
export function peerHost(address: string | undefined): string {
  if (address === undefined || address === '') return 'unknown';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

/** Labels, metadata and level of a parsed message; `cut` is set when the framer truncated it. */
export function toEntry(m: SyslogMessage, peer: string, cut: boolean): SyslogEntry {
  const md: Metadata = {};
  if (m.facility !== undefined) md.facility = FACILITY_NAMES[m.facility];
  if (m.severity !== undefined) md.severity = SEVERITY_NAMES[m.severity];
  const level = m.severity !== undefined ? severityLevel(m.severity) : undefined;
  const host = m.hostname ?? peer;
  if (m.error !== undefined) {
    md.syslog_error = cut ? `message cut to the size limit; ${m.error}` : m.error;
    return { labels: { app: UNKNOWN_APP, host }, sig: UNKNOWN_APP + '\x00' + host, ts: undefined, line: m.msg, metadata: md, level };
  }
  if (m.procid !== undefined) md.procid = m.procid;
  if (m.msgid !== undefined) md.msgid = m.msgid;
  if (m.sd !== undefined) Object.assign(md, m.sd);
  if (cut) md.syslog_error = 'message cut to the size limit';
  const labels: Record<string, string> = m.app !== undefined ? { app: m.app, host } : { host };
  const sig = (m.app ?? '') + '\x00' + host;
  return { labels, sig, ts: m.ts, line: m.msg, metadata: md, level };
}
