/**
 * Go's reference-time layouts (`2006-01-02T15:04:05Z07:00`) for the template functions `date`,
 * `toDate`, `unixToTime` and for printing times. LogSentinel evaluates times in UTC.
 */

/** A point in time with nanosecond precision, printed as Go prints a `time.Time`. */
export class GoTime {
  constructor(readonly ns: bigint) {}
  toString(): string {
    return formatGoTime(this.ns, '2006-01-02 15:04:05.999999999 -0700 MST');
  }
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

// Longest first at each starting character.
const TOKENS = [
  'January', 'Jan', 'Monday', 'Mon', 'MST',
  '2006', '002', '01', '02', '03', '04', '05', '06', '15', '_2', '1', '2', '3', '4', '5',
  'PM', 'pm',
  '-07:00:00', '-070000', '-07:00', '-0700', '-07',
  'Z07:00:00', 'Z070000', 'Z07:00', 'Z0700', 'Z07',
];

type Chunk = { lit: string } | { tok: string } | { frac: '0' | '9'; digits: number };

function chunks(layout: string): Chunk[] {
  const out: Chunk[] = [];
  let lit = '';
  for (let i = 0; i < layout.length; ) {
    const c = layout[i];
    if ((c === '.' || c === ',') && (layout[i + 1] === '0' || layout[i + 1] === '9')) {
      const d = layout[i + 1];
      let j = i + 1;
      while (layout[j] === d) j++;
      if (!/[0-9]/.test(layout[j] ?? '')) {
        if (lit) out.push({ lit });
        lit = '';
        out.push({ frac: d as '0' | '9', digits: j - i - 1 });
        i = j;
        continue;
      }
    }
    const tok = TOKENS.find((t) => layout.startsWith(t, i));
    if (tok && !(tok === 'Jan' && /^[a-z]/.test(layout[i + 3] ?? '') && !layout.startsWith('January', i)) && !(tok === 'Mon' && /^[a-z]/.test(layout[i + 3] ?? '') && !layout.startsWith('Monday', i))) {
      if (lit) out.push({ lit });
      lit = '';
      out.push({ tok });
      i += tok.length;
      continue;
    }
    lit += c;
    i++;
  }
  if (lit) out.push({ lit });
  return out;
}

const pad = (n: number, w: number): string => String(n).padStart(w, '0');

/** Formats `ns` (Unix nanoseconds, UTC) with a Go layout. */
export function formatGoTime(ns: bigint, layout: string): string {
  const ms = Number(ns / 1_000_000n) - (ns < 0n && ns % 1_000_000n !== 0n ? 1 : 0);
  const d = new Date(ms);
  const sub = Number(((ns % 1_000_000_000n) + 1_000_000_000n) % 1_000_000_000n);
  let out = '';
  for (const c of chunks(layout)) {
    if ('lit' in c) {
      out += c.lit;
      continue;
    }
    if ('frac' in c) {
      let f = pad(sub, 9).slice(0, c.digits);
      if (c.frac === '9') {
        f = f.replace(/0+$/, '');
        if (f) out += '.' + f;
      } else out += '.' + f;
      continue;
    }
    const h = d.getUTCHours();
    switch (c.tok) {
      case 'January': out += MONTHS[d.getUTCMonth()]; break;
      case 'Jan': out += MONTHS[d.getUTCMonth()].slice(0, 3); break;
      case 'Monday': out += DAYS[d.getUTCDay()]; break;
      case 'Mon': out += DAYS[d.getUTCDay()].slice(0, 3); break;
      case 'MST': out += 'UTC'; break;
      case '2006': out += pad(d.getUTCFullYear(), 4); break;
      case '06': out += pad(d.getUTCFullYear() % 100, 2); break;
      case '01': out += pad(d.getUTCMonth() + 1, 2); break;
      case '1': out += String(d.getUTCMonth() + 1); break;
      case '02': out += pad(d.getUTCDate(), 2); break;
      case '_2': out += String(d.getUTCDate()).padStart(2, ' '); break;
      case '2': out += String(d.getUTCDate()); break;
      case '002': {
        const start = Date.UTC(d.getUTCFullYear(), 0, 1);
        out += pad(Math.floor((ms - start) / 86400000) + 1, 3);
        break;
      }
      case '15': out += pad(h, 2); break;
      case '03': out += pad(h % 12 === 0 ? 12 : h % 12, 2); break;
      case '3': out += String(h % 12 === 0 ? 12 : h % 12); break;
      case '04': out += pad(d.getUTCMinutes(), 2); break;
      case '4': out += String(d.getUTCMinutes()); break;
      case '05': out += pad(d.getUTCSeconds(), 2); break;
      case '5': out += String(d.getUTCSeconds()); break;
      case 'PM': out += h >= 12 ? 'PM' : 'AM'; break;
      case 'pm': out += h >= 12 ? 'pm' : 'am'; break;
      default:
        // Zones: always UTC.
        out += c.tok.startsWith('Z') ? 'Z' : c.tok.replace('07', '00').replace('-', '+');
    }
  }
  return out;
}

/** Parses `value` with a Go layout (UTC unless the value has a zone offset); returns Unix ns. */
export function parseGoTime(layout: string, value: string): bigint {
  const fail = (): never => {
    throw new Error(`parsing time ${JSON.stringify(value)} as ${JSON.stringify(layout)}: cannot parse`);
  };
  let year = 1, month = 1, day = 1, hour = 0, min = 0, sec = 0, nanos = 0, offsetMin = 0;
  let pm: boolean | undefined;
  let i = 0;
  const num = (min: number, max: number): number => {
    const m = new RegExp(`^\\d{${min},${max}}`).exec(value.slice(i));
    if (!m) fail();
    i += m![0].length;
    return Number(m![0]);
  };
  const word = (list: string[], short: boolean): number => {
    for (let k = 0; k < list.length; k++) {
      const w = short ? list[k].slice(0, 3) : list[k];
      if (value.startsWith(w, i)) {
        i += w.length;
        return k;
      }
    }
    return fail();
  };
  for (const c of chunks(layout)) {
    if ('lit' in c) {
      if (!value.startsWith(c.lit, i)) fail();
      i += c.lit.length;
      continue;
    }
    if ('frac' in c) {
      if (value[i] !== '.' && value[i] !== ',') {
        if (c.frac === '9') continue;
        fail();
      }
      i++;
      const m = /^\d+/.exec(value.slice(i));
      if (!m) fail();
      nanos = Number(m![0].slice(0, 9).padEnd(9, '0'));
      i += m![0].length;
      continue;
    }
    switch (c.tok) {
      case 'January': month = word(MONTHS, false) + 1; break;
      case 'Jan': month = word(MONTHS, true) + 1; break;
      case 'Monday': word(DAYS, false); break;
      case 'Mon': word(DAYS, true); break;
      case 'MST': { const m = /^[A-Z]{3,4}/.exec(value.slice(i)); if (!m) fail(); i += m![0].length; break; }
      case '2006': year = num(4, 4); break;
      case '06': year = 2000 + num(2, 2); if (year >= 2069) year -= 100; break;
      case '01': month = num(2, 2); break;
      case '1': month = num(1, 2); break;
      case '02': day = num(2, 2); break;
      case '_2': if (value[i] === ' ') i++; day = num(1, 2); break;
      case '2': day = num(1, 2); break;
      case '002': num(3, 3); break;
      case '15': hour = num(1, 2); break;
      case '03': case '3': hour = num(1, 2); break;
      case '04': case '4': min = num(1, 2); break;
      case '05': case '5': sec = num(1, 2);
        if ((value[i] === '.' || value[i] === ',') && /\d/.test(value[i + 1] ?? '')) {
          i++;
          const m = /^\d+/.exec(value.slice(i))!;
          nanos = Number(m[0].slice(0, 9).padEnd(9, '0'));
          i += m[0].length;
        }
        break;
      case 'PM': case 'pm': {
        const w = value.slice(i, i + 2).toUpperCase();
        if (w !== 'AM' && w !== 'PM') fail();
        pm = w === 'PM';
        i += 2;
        break;
      }
      default: {
        if (c.tok.startsWith('Z') && value[i] === 'Z') {
          i++;
          break;
        }
        const m = /^([+-])(\d\d):?(\d\d)?(?::?(\d\d))?/.exec(value.slice(i));
        if (!m) fail();
        offsetMin = (m![1] === '-' ? -1 : 1) * (Number(m![2]) * 60 + Number(m![3] ?? 0));
        i += m![0].length;
      }
    }
  }
  if (i !== value.length) fail();
  if (pm !== undefined) {
    if (pm && hour < 12) hour += 12;
    if (!pm && hour === 12) hour = 0;
  }
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || min > 59 || sec > 59) fail();
  const ms = Date.UTC(year, month - 1, day, hour, min, sec) - offsetMin * 60000;
  return BigInt(ms) * 1_000_000n + BigInt(nanos);
}
