/**
 * PostgreSQL COPY text format (https://www.postgresql.org/docs/15/sql-copy.html#id-1.9.3.55.9.2):
 * one row per line, columns separated by tab, `\N` for NULL, and backslash, newline, carriage
 * return and tab escaped with a backslash. PostgreSQL text cannot hold U+0000, so `toPgText`
 * replaces it with U+FFFD; this is the only way a stored line can differ from what was sent.
 */
export function toPgText(s: string): string {
  return s.includes('\u0000') ? s.replace(/\u0000/g, '\uFFFD') : s;
}

const NEEDS_ESCAPE = /[\\\n\r\t\u0000]/;

/** One column value in COPY text format (`null` → `\N`). */
export function copyField(v: string | null): string {
  if (v === null) return '\\N';
  if (!NEEDS_ESCAPE.test(v)) return v;
  return v.replace(/[\\\n\r\t\u0000]/g, (c) => (c === '\\' ? '\\\\' : c === '\n' ? '\\n' : c === '\r' ? '\\r' : c === '\t' ? '\\t' : '\uFFFD'));
}
