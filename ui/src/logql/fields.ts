/**
 * Client-side field extraction for expanded rows: a line that is a JSON object or logfmt gives
 * its fields, named the way Loki's `| json` / `| logfmt` name them (nested JSON keys joined by
 * `_`, characters outside [A-Za-z0-9_] replaced by `_`), so a click can turn a field into a
 * `| json | name="value"` filter that matches the same lines.
 */

export interface ParsedFields {
  format: 'json' | 'logfmt';
  fields: [string, string][];
}

const sanitize = (k: string): string => k.replace(/[^A-Za-z0-9_]/g, '_');

function flatten(prefix: string, v: unknown, out: [string, string][]): void {
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) flatten(prefix ? `${prefix}_${sanitize(k)}` : sanitize(k), x, out);
    return;
  }
  // Loki's json parser skips arrays and keeps scalars as text.
  if (Array.isArray(v)) return;
  out.push([prefix, v === null ? '' : String(v)]);
}

/** The fields of a JSON-object line, or undefined when the line is not one. */
export function parseJsonFields(line: string): [string, string][] | undefined {
  const t = line.trim();
  if (!t.startsWith('{') || !t.endsWith('}')) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(t);
  } catch {
    return undefined;
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const out: [string, string][] = [];
  flatten('', v, out);
  return out;
}

/**
 * logfmt (https://brandur.org/logfmt): `key=value`, `key="quoted \" value"`, bare `key`.
 * Returns undefined unless at least one `key=value` pair is found and every word parses.
 */
export function parseLogfmt(line: string): [string, string][] | undefined {
  const out: [string, string][] = [];
  let i = 0;
  const n = line.length;
  let pairs = 0;
  while (i < n) {
    while (i < n && line[i] === ' ') i++;
    if (i >= n) break;
    const ks = i;
    while (i < n && line[i] !== '=' && line[i] !== ' ' && line[i] !== '"') i++;
    const key = line.slice(ks, i);
    if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(key)) return undefined;
    if (i >= n || line[i] === ' ') {
      out.push([key, '']);
      continue;
    }
    if (line[i] === '"') return undefined;
    i++; // '='
    let value = '';
    if (line[i] === '"') {
      i++;
      let closed = false;
      while (i < n) {
        const c = line[i];
        if (c === '\\' && i + 1 < n) {
          const e = line[i + 1];
          value += e === 'n' ? '\n' : e === 't' ? '\t' : e;
          i += 2;
          continue;
        }
        if (c === '"') {
          closed = true;
          i++;
          break;
        }
        value += c;
        i++;
      }
      if (!closed) return undefined;
      if (i < n && line[i] !== ' ') return undefined;
    } else {
      const vs = i;
      while (i < n && line[i] !== ' ') i++;
      value = line.slice(vs, i);
      if (value.includes('"')) return undefined;
    }
    out.push([key, value]);
    pairs++;
  }
  return pairs > 0 ? out.map(([k, v]) => [sanitize(k), v]) : undefined;
}

/** JSON first, then logfmt; undefined for free text. */
export function parseLineFields(line: string): ParsedFields | undefined {
  const j = parseJsonFields(line);
  if (j) return { format: 'json', fields: j };
  const l = parseLogfmt(line);
  if (l) return { format: 'logfmt', fields: l };
  return undefined;
}
