/**
 * Stream labels: a small, sorted set of low-cardinality name/value pairs.
 * Invariant: label names match Prometheus' `[a-zA-Z_][a-zA-Z0-9_]*`; a canonical string
 * (`{a="1", b="2"}`, names sorted, Go-style escaping as Loki prints it) identifies the set.
 */
export type Labels = Record<string, string>;

/** Returns a new object with the same labels, names sorted. */
export function sortLabels(labels: Labels): Labels {
  const out: Labels = {};
  for (const k of Object.keys(labels).sort()) out[k] = labels[k];
  return out;
}

function escapeValue(v: string): string {
  let needs = false;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c === 34 || c === 92 || c === 10 || c === 13 || c === 9) {
      needs = true;
      break;
    }
  }
  if (!needs) return v;
  return v.replace(/[\\"\n\r\t]/g, (c) => (c === '\n' ? '\\n' : c === '\r' ? '\\r' : c === '\t' ? '\\t' : '\\' + c));
}

/** Loki's printed form of a label set: `{a="1", b="2"}`, names sorted. */
export function labelsToString(labels: Labels): string {
  const keys = Object.keys(labels).sort();
  let s = '{';
  for (let i = 0; i < keys.length; i++) {
    if (i > 0) s += ', ';
    s += keys[i] + '="' + escapeValue(labels[keys[i]]) + '"';
  }
  return s + '}';
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
export function isValidLabelName(name: string): boolean {
  return LABEL_NAME.test(name);
}

/**
 * Parses the label-set form used by Loki's protobuf push (`{a="1", b="2"}`): only `=` matchers,
 * double-quoted or back-quoted values with Go escapes. Throws with the position of the problem.
 */
export function parseLabels(input: string): Labels {
  const out: Labels = {};
  let i = 0;
  const n = input.length;
  const ws = (): void => {
    while (i < n && (input[i] === ' ' || input[i] === '\t' || input[i] === '\n' || input[i] === '\r')) i++;
  };
  const fail = (msg: string): never => {
    throw new Error(`cannot parse labels ${JSON.stringify(input.slice(0, 200))}: ${msg} at position ${i}`);
  };
  ws();
  if (input[i] !== '{') fail('expected "{"');
  i++;
  ws();
  if (input[i] === '}') {
    i++;
    ws();
    if (i !== n) fail('unexpected text after "}"');
    return out;
  }
  for (;;) {
    ws();
    const start = i;
    while (i < n && /[a-zA-Z0-9_]/.test(input[i])) i++;
    const name = input.slice(start, i);
    if (!isValidLabelName(name)) fail(`invalid label name ${JSON.stringify(name)}`);
    ws();
    if (input[i] !== '=') fail('expected "="');
    i++;
    ws();
    const q = input[i];
    if (q !== '"' && q !== '`') fail('expected quoted label value');
    i++;
    let v = '';
    for (;;) {
      if (i >= n) fail('unterminated label value');
      const c = input[i];
      if (c === q) {
        i++;
        break;
      }
      if (c === '\\' && q === '"') {
        const e = input[i + 1];
        i += 2;
        switch (e) {
          case 'n': v += '\n'; break;
          case 't': v += '\t'; break;
          case 'r': v += '\r'; break;
          case '\\': v += '\\'; break;
          case '"': v += '"'; break;
          case "'": v += "'"; break;
          case 'u': {
            const hex = input.slice(i, i + 4);
            if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail('invalid \\u escape');
            v += String.fromCharCode(parseInt(hex, 16));
            i += 4;
            break;
          }
          default:
            fail(`invalid escape \\${e ?? ''}`);
        }
        continue;
      }
      v += c;
      i++;
    }
    out[name] = v;
    ws();
    if (input[i] === ',') {
      i++;
      continue;
    }
    if (input[i] === '}') {
      i++;
      break;
    }
    fail('expected "," or "}"');
  }
  ws();
  if (i !== n) fail('unexpected text after "}"');
  return out;
}

// FNV-1a 64-bit, computed on two 32-bit halves to avoid BigInt arithmetic per byte.
function fnv1a64(s: string): bigint {
  let h0 = 0x2325; // low 16 bits
  let h1 = 0x8422;
  let h2 = 0x9ce4;
  let h3 = 0xcbf2; // high 16 bits
  const buf = Buffer.from(s, 'utf8');
  for (let i = 0; i < buf.length; i++) {
    h0 ^= buf[i];
    // multiply by FNV prime 0x100000001b3 in 16-bit limbs
    const t0 = h0 * 0x1b3;
    const t1 = h1 * 0x1b3;
    const t2 = h2 * 0x1b3;
    const t3 = h3 * 0x1b3;
    const u2 = t2 + (h0 << 8);
    const u3 = t3 + (h1 << 8);
    const c1 = t1 + (t0 >>> 16);
    h0 = t0 & 0xffff;
    const c2 = u2 + (c1 >>> 16);
    h1 = c1 & 0xffff;
    h3 = (u3 + (c2 >>> 16)) & 0xffff;
    h2 = c2 & 0xffff;
  }
  return (BigInt(h3) << 48n) | (BigInt(h2) << 32n) | (BigInt(h1) << 16n) | BigInt(h0);
}

/**
 * The stable 64-bit id of a stream: FNV-1a over tenant and the sorted labels, as an unsigned value.
 * Stable across processes and versions; changing it is a storage migration.
 */
export function streamId(tenant: string, labels: Labels): bigint {
  let s = tenant;
  for (const k of Object.keys(labels).sort()) s += '\x00' + k + '\x00' + labels[k];
  return fnv1a64(s);
}
