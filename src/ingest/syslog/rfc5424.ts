/**
 * RFC 5424 (https://www.rfc-editor.org/rfc/rfc5424#section-6) after `<PRI>1 `:
 *
 *   TIMESTAMP SP HOSTNAME SP APP-NAME SP PROCID SP MSGID SP STRUCTURED-DATA [SP MSG]
 *
 * Header fields are printable US-ASCII within the RFC's lengths (255, 48, 128, 32), `-` being
 * the NILVALUE. Structured data becomes metadata named `sd_<SD-ID>_<PARAM-NAME>` (normalised to
 * label-name characters, so `exampleSDID@32473` + `iut` → `sd_exampleSDID_32473_iut`); a name
 * repeated in one message keeps every value, joined with `,`; an SD-ELEMENT without parameters
 * (`[origin]`) carries nothing and leaves no metadata.
 * PARAM-VALUE escapes (`\"`, `\\`, `\]`) are undone; any other backslash stays (§6.3.3).
 * A UTF-8 BOM opening MSG is removed (§6.4).
 */
import { parseRfc3339 } from '../common/timestamp.js';
import { normalizeMetadataName } from '../common/validate.js';
import type { SyslogMessage } from './message.js';

const MAX_HOSTNAME = 255;
const MAX_APP_NAME = 48;
const MAX_PROCID = 128;
const MAX_MSGID = 32;
const MAX_SD_NAME = 32;

type Parsed = Omit<SyslogMessage, 'format' | 'facility' | 'severity'>;

/** The end of the printable-ASCII token starting at `i`, or -1 when it is empty/too long/bad. */
function tokenEnd(s: string, i: number, max: number): number {
  let j = i;
  while (j < s.length) {
    const c = s.charCodeAt(j);
    if (c === 32) break;
    if (c < 33 || c > 126) return -1;
    j++;
  }
  if (j === i || j - i > max) return -1;
  return j;
}

/**
 * Parses the message after `<PRI>1 ` (starting at `at`). Returns the fields, or the reason the
 * message is not valid RFC 5424.
 */
export function parseRfc5424(s: string, at: number): Parsed | string {
  const out: Parsed = { msg: '' };
  let i = at;
  const fields: Array<[string, number]> = [['TIMESTAMP', 64], ['HOSTNAME', MAX_HOSTNAME], ['APP-NAME', MAX_APP_NAME], ['PROCID', MAX_PROCID], ['MSGID', MAX_MSGID]];
  const values: Array<string | undefined> = [];
  for (const [name, max] of fields) {
    const end = tokenEnd(s, i, max);
    if (end < 0) return `invalid RFC 5424 ${name}`;
    if (s.charCodeAt(end) !== 32) return `missing RFC 5424 field after ${name}`;
    const v = s.slice(i, end);
    values.push(v === '-' ? undefined : v);
    i = end + 1;
  }
  const [ts, hostname, app, procid, msgid] = values;
  if (ts !== undefined) {
    try {
      out.ts = parseRfc3339(ts);
    } catch (err) {
      return `invalid RFC 5424 TIMESTAMP: ${(err as Error).message}`;
    }
  }
  if (hostname !== undefined) out.hostname = hostname;
  if (app !== undefined) out.app = app;
  if (procid !== undefined) out.procid = procid;
  if (msgid !== undefined) out.msgid = msgid;

  // STRUCTURED-DATA
  if (s.charCodeAt(i) === 45 /* - */) {
    i++;
  } else if (s.charCodeAt(i) === 91 /* [ */) {
    const sd: Record<string, string> = {};
    while (s.charCodeAt(i) === 91) {
      const r = parseElement(s, i + 1, sd);
      if (typeof r === 'string') return r;
      i = r;
    }
    if (Object.keys(sd).length > 0) out.sd = sd;
  } else {
    return 'invalid RFC 5424 STRUCTURED-DATA: expected "-" or "["';
  }
  if (i < s.length) {
    if (s.charCodeAt(i) !== 32) return 'invalid RFC 5424 STRUCTURED-DATA: expected a space before MSG';
    i++;
  }
  let msg = s.slice(i);
  if (msg.charCodeAt(0) === 0xfeff) msg = msg.slice(1);
  out.msg = msg;
  return out;
}

function sdName(s: string, i: number): number {
  let j = i;
  while (j < s.length) {
    const c = s.charCodeAt(j);
    if (c === 32 || c === 61 /* = */ || c === 93 /* ] */ || c === 34 /* " */) break;
    if (c < 33 || c > 126) return -1;
    j++;
  }
  return j === i || j - i > MAX_SD_NAME ? -1 : j;
}

/** Parses one SD-ELEMENT after its `[`; returns the index after `]` or the error. */
function parseElement(s: string, i: number, sd: Record<string, string>): number | string {
  const idEnd = sdName(s, i);
  if (idEnd < 0) return 'invalid RFC 5424 SD-ID';
  const id = s.slice(i, idEnd);
  i = idEnd;
  for (;;) {
    const c = s.charCodeAt(i);
    if (c === 93 /* ] */) return i + 1;
    if (c !== 32) return `invalid RFC 5424 SD-ELEMENT [${id}: expected " " or "]"`;
    i++;
    const nameEnd = sdName(s, i);
    if (nameEnd < 0) return `invalid RFC 5424 PARAM-NAME in [${id}`;
    const name = s.slice(i, nameEnd);
    if (s.charCodeAt(nameEnd) !== 61 || s.charCodeAt(nameEnd + 1) !== 34) return `invalid RFC 5424 SD-PARAM ${name} in [${id}: expected ="`;
    i = nameEnd + 2;
    let value = '';
    let from = i;
    for (;;) {
      if (i >= s.length) return `invalid RFC 5424 PARAM-VALUE of ${name} in [${id}: missing closing quote`;
      const v = s.charCodeAt(i);
      if (v === 34) break;
      if (v === 92 /* \ */) {
        const n = s.charCodeAt(i + 1);
        if (n === 34 || n === 92 || n === 93) {
          value += s.slice(from, i);
          from = i + 1;
          i += 2;
          continue;
        }
      }
      i++;
    }
    value += s.slice(from, i);
    i++;
    const key = normalizeMetadataName(`sd_${id}_${name}`);
    const prev = sd[key];
    sd[key] = prev === undefined ? value : prev + ',' + value;
  }
}
