/**
 * `/loki/api/v1/detected_labels`: the stream labels worth offering as filters, with their
 * cardinality, by Loki's rules (pkg/querier/querier.go `DetectedLabels`,
 * `countLabelsAndCardinality`, `shouldRejectLabel`):
 * - every label of the selected streams is a candidate; its values are the distinct values
 *   those streams carry;
 * - `cluster`, `namespace`, `instance` and `pod` are always kept (Loki's static labels);
 * - any other label is dropped when every value is an ID — a number or a UUID — except a label
 *   with at most two values that are all `0`/`1` (a boolean, not an ID);
 * - cardinality is the number of distinct values (Loki estimates it with a HyperLogLog sketch,
 *   which is exact at these sizes).
 * Loki answers in map order; this answers sorted by label name. A label named `detected_level`
 * is treated like any other.
 */
import type { Labels } from '../../model/labels.js';
import { isGoFloat } from './field-type.js';

export interface DetectedLabel {
  label: string;
  cardinality: number;
}

export const STATIC_LABELS: ReadonlySet<string> = new Set(['cluster', 'namespace', 'instance', 'pod']);

const UUID36_RE = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const HEX32_RE = /^[0-9a-fA-F]{32}$/;

/** google/uuid `Parse`: the 36-character form, `urn:uuid:` + it, `{...}` around it, or 32 hex digits. */
export function isUuid(v: string): boolean {
  switch (v.length) {
    case 36:
      return UUID36_RE.test(v);
    case 45:
      return v.slice(0, 9).toLowerCase() === 'urn:uuid:' && UUID36_RE.test(v.slice(9));
    case 38:
      return v[0] === '{' && v[37] === '}' && UUID36_RE.test(v.slice(1, 37));
    case 32:
      return HEX32_RE.test(v);
    default:
      return false;
  }
}

/** A value Loki counts as an ID: one Go's `ParseFloat` or google/uuid's `Parse` accepts. */
export function isIdValue(v: string): boolean {
  return isGoFloat(v) || isUuid(v);
}

/** Loki's `shouldRejectLabel`: no values, or only IDs (a 0/1 pair is a boolean, kept). */
export function shouldRejectLabel(values: readonly string[]): boolean {
  if (values.length === 0) return true;
  if (values.length > 2) return values.every(isIdValue);
  if (values.every((v) => v === '0' || v === '1')) return false;
  return values.every(isIdValue);
}

/** The detected labels of a set of streams (each stream's label set once). */
export function detectLabels(streams: Iterable<Labels>): DetectedLabel[] {
  const values = new Map<string, Set<string>>();
  for (const labels of streams) {
    for (const name in labels) {
      let set = values.get(name);
      if (!set) values.set(name, (set = new Set()));
      set.add(labels[name]);
    }
  }
  const out: DetectedLabel[] = [];
  for (const [label, set] of values) {
    const vals = [...set];
    if ((STATIC_LABELS.has(label) && vals.length > 0) || !shouldRejectLabel(vals)) out.push({ label, cardinality: set.size });
  }
  return out.sort((a, b) => (a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
}
