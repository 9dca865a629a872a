/**
 * Conversions between LogSentinel's unsigned 64-bit stream ids and PostgreSQL's signed BIGINT.
 * The id is stored as its two's-complement reinterpretation (ids ≥ 2^63 become negative), which
 * keeps every bit; it is only compared for equality in SQL, never ordered.
 */
export function toSigned(id: bigint): bigint {
  return BigInt.asIntN(64, id);
}

export function toUnsigned(v: bigint): bigint {
  return BigInt.asUintN(64, v);
}
