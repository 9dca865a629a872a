/**
 * go-humanize's `Bytes(n)` as Loki prints byte sizes (BytesLabelFilter.String, detected field
 * values), with the space Loki strips already removed: SI units, one decimal below 10
 * (`9B`, `1.0kB`, `2.1MB`, `124MB`). https://github.com/dustin/go-humanize bytes.go
 */

const SI_SIZES = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB'];

export function humanizeBytes(n: number): string {
  if (n < 10) return `${n}B`;
  const e = Math.floor(Math.log(n) / Math.log(1000));
  const val = Math.floor((n / 1000 ** e) * 10 + 0.5) / 10;
  return (val < 10 ? val.toFixed(1) : String(roundHalfEven(val))) + SI_SIZES[e];
}

/** Go's `%.0f`: exact halves round to the even neighbour (`122.5` → `122`, `123.5` → `124`). */
function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  if (x - f !== 0.5) return Math.round(x);
  return f % 2 === 0 ? f : f + 1;
}
