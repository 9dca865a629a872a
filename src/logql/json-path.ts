/**
 * Loki's JSON parameter expressions (`| json a="x.y", b="z[0]", c="[\"key with space\"]"`):
 * a dotted path of field names, `[n]` array indexes and `["key"]` quoted keys.
 */

export type JsonPath = Array<string | number>;

const FIELD = /^[a-zA-Z0-9_\-@$:]/;

/** Parses a JSON parameter expression into path segments; throws on a malformed expression. */
export function parseJsonPath(expr: string): JsonPath {
  const fail = (cause: string): never => {
    throw new Error(`cannot parse json expression ${JSON.stringify(expr)}: ${cause}`);
  };
  const out: JsonPath = [];
  let i = 0;
  const n = expr.length;
  if (n === 0) fail('empty expression');
  let expectField = true;
  while (i < n) {
    const c = expr[i];
    if (c === '.') {
      if (i === 0 || expectField) fail(`unexpected "." at position ${i}`);
      expectField = true;
      i++;
      continue;
    }
    if (c === '[') {
      i++;
      if (expr[i] === '"') {
        let v = '';
        i++;
        while (i < n && expr[i] !== '"') {
          if (expr[i] === '\\' && i + 1 < n) i++;
          v += expr[i++];
        }
        if (expr[i] !== '"') fail('unterminated quoted key');
        i++;
        out.push(v);
      } else {
        const s = i;
        while (i < n && expr[i] >= '0' && expr[i] <= '9') i++;
        if (s === i) fail(`expected an index or a quoted key at position ${s}`);
        out.push(Number(expr.slice(s, i)));
      }
      if (expr[i] !== ']') fail(`expected "]" at position ${i}`);
      i++;
      expectField = false;
      continue;
    }
    if (!expectField) fail(`unexpected ${JSON.stringify(c)} at position ${i}`);
    const s = i;
    while (i < n && FIELD.test(expr[i])) i++;
    if (s === i) fail(`unexpected ${JSON.stringify(c)} at position ${i}`);
    out.push(expr.slice(s, i));
    expectField = false;
  }
  if (expectField) fail('expression ends with "."');
  return out;
}
