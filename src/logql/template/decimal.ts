/**
 * sprig's float arithmetic (`addf`, `subf`, `mulf`, `divf`) goes through shopspring/decimal:
 * each operand is converted with `decimal.NewFromFloat` (its shortest decimal form), the
 * operation is exact in decimal (division rounded to 16 decimal places), and the result is
 * converted back to the nearest float64. `round` is sprig's: scale by 10^places, take the
 * ceiling when the fraction is at least `roundOn` (0.5 by default), the floor otherwise — so
 * negative halves go down, as in Go.
 */

/** A decimal as an integer mantissa and a power-of-ten exponent: m × 10^e. */
interface Dec {
  m: bigint;
  e: number;
}

function fromFloat(x: number): Dec {
  // The shortest representation that round-trips, as NewFromFloat uses.
  const [mant, expPart] = x.toExponential().split('e');
  const exp = Number(expPart);
  const neg = mant.startsWith('-');
  const digits = mant.replace('-', '').replace('.', '');
  const fracLen = digits.length - 1;
  const m = BigInt(digits) * (neg ? -1n : 1n);
  return { m, e: exp - fracLen };
}

function align(a: Dec, b: Dec): [bigint, bigint, number] {
  const e = Math.min(a.e, b.e);
  return [a.m * 10n ** BigInt(a.e - e), b.m * 10n ** BigInt(b.e - e), e];
}

function toFloat(d: Dec): number {
  return Number(`${d.m}e${d.e}`);
}

const DIV_PRECISION = 16;

/** One sprig float operation on two float64 operands. */
export function decimalOp(op: '+' | '-' | '*' | '/', x: number, y: number): number {
  if (!Number.isFinite(x) || !Number.isFinite(y)) {
    // decimal cannot hold these; fall back to float arithmetic.
    return op === '+' ? x + y : op === '-' ? x - y : op === '*' ? x * y : x / y;
  }
  const a = fromFloat(x);
  const b = fromFloat(y);
  switch (op) {
    case '+': {
      const [p, q, e] = align(a, b);
      return toFloat({ m: p + q, e });
    }
    case '-': {
      const [p, q, e] = align(a, b);
      return toFloat({ m: p - q, e });
    }
    case '*':
      return toFloat({ m: a.m * b.m, e: a.e + b.e });
    case '/': {
      // Quotient to DIV_PRECISION decimal places, rounded half away from zero (decimal.Div).
      const shift = DIV_PRECISION + 1 + Math.max(0, b.e - a.e) + 20;
      const num = a.m * 10n ** BigInt(shift);
      let q = num / b.m; // truncated, exponent a.e - b.e - shift
      let e = a.e - b.e - shift;
      // Bring to exactly DIV_PRECISION places (exponent -DIV_PRECISION), rounding half up in magnitude.
      const drop = -DIV_PRECISION - e;
      if (drop > 0) {
        const p = 10n ** BigInt(drop);
        const neg = q < 0n;
        let r = (neg ? -q : q) / p;
        const rem = (neg ? -q : q) % p;
        if (rem * 2n >= p) r += 1n;
        q = neg ? -r : r;
        e += drop;
      }
      return toFloat({ m: q, e });
    }
  }
}

/** sprig's round(value, places, roundOn). */
export function sprigRound(value: number, places: number, roundOn: number): number {
  const pow = Math.pow(10, places);
  const digit = pow * value;
  const frac = digit - Math.trunc(digit);
  const r = frac >= roundOn ? Math.ceil(digit) : Math.floor(digit);
  return r / pow;
}
