/**
 * The runtime form of a pipeline stage. A stage sees the current line and the entry's labels
 * builder, and returns the (possibly rewritten) line, or null to drop the entry.
 * Stages may keep per-stage caches but must not keep per-entry state between calls.
 */
import type { LabelsBuilder } from '../labels-builder.js';

export interface StageRunner {
  process(line: string, labels: LabelsBuilder, ts: bigint): string | null;
  /** True for stages that never change labels (line filters, label filters). */
  readonly keepsLabels: boolean;
}

/** Loki's `__error__` values. */
export const ERR_JSON = 'JSONParserErr';
export const ERR_LOGFMT = 'LogfmtParserErr';
export const ERR_LABEL_FILTER = 'LabelFilterErr';
export const ERR_TEMPLATE = 'TemplateFormatErr';

/** Loki's label-name sanitizer: invalid characters become `_`, a leading digit gets a `_` prefix. */
export function sanitizeLabelKey(key: string, isPrefix: boolean): string {
  key = key.trim();
  if (key.length === 0) return key;
  let out = isPrefix && key.charCodeAt(0) >= 48 && key.charCodeAt(0) <= 57 ? '_' : '';
  let clean = true;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    if (!((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || (c >= 48 && c <= 57))) {
      clean = false;
      break;
    }
  }
  if (clean) return out + key;
  for (const ch of key) {
    const c = ch.charCodeAt(0);
    out += (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || (c >= 48 && c <= 57) ? ch : '_';
  }
  return out;
}

/**
 * Name a parser gives an extracted label: `<name>_extracted` when the stream or the entry's
 * structured metadata has `<name>` (Loki 3).
 */
export function parsedName(labels: LabelsBuilder, name: string): string {
  return labels.collides(name) ? name + '_extracted' : name;
}

/** Sets a parser's label under its collision-free name; the first value in an entry wins. */
export function extractLabel(labels: LabelsBuilder, name: string, value: string): void {
  labels.extract(parsedName(labels, name), value);
}

/** Loki replaces U+FFFD (invalid UTF-8) in extracted values with a space. */
export function cleanValue(v: string): string {
  return v.includes('\uFFFD') ? v.replace(/\uFFFD/g, ' ') : v;
}
