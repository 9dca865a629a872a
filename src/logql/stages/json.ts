/**
 * `| json` and `| json a="x.y", b="z[0]"`, as Loki 3 runs them (pkg/logql/log/parser.go).
 *
 * Without parameters every string, number and boolean field becomes a label; nested objects
 * are flattened with `_` (`{"a":{"b":1}}` → `a_b`), arrays and nulls are skipped, names are
 * sanitized, and a key that sanitizes to nothing (`" "`) adds no level to the prefix
 * (`{" ": {"foo":"bar"}}` → `foo`; `{" ":"bar"}` gives a label with an empty name, as Loki's does). The first value of a duplicated key wins. U+FFFD in a value
 * becomes a space. A line that is not a JSON object sets `__error__="JSONParserErr"` with
 * jsonparser's text in `__error_details__`; fields read before the error stay extracted.
 *
 * With parameters only the given paths are extracted (objects and arrays as JSON text, missing
 * paths as ""). A line that does not start with `{`, `[` or `"` sets only `__error__`; a line
 * that breaks later keeps what was found and sets no error (jsonparser's EachKey stops quietly).
 */
import type { JsonStage } from '../ast.js';
import { parseJsonPath } from '../json-path.js';
import type { LabelsBuilder } from '../labels-builder.js';
import { extractJsonPaths, JsonSyntaxError, walkJsonObject } from './json-scan.js';
import { cleanValue, ERR_JSON, extractLabel, parsedName, sanitizeLabelKey, type StageRunner } from './stage.js';

export function jsonStage(stage: JsonStage): StageRunner {
  if (stage.params.length > 0) return jsonExpressionStage(stage);
  const keyCache = new Map<string, string>();
  let cur: LabelsBuilder;
  const onKey = (prefix: string, key: string): string | undefined => {
    const ck = prefix + '\x00' + key;
    let k = keyCache.get(ck);
    if (k === undefined) {
      if (prefix === '') k = sanitizeLabelKey(key, true);
      else {
        const s = sanitizeLabelKey(key, false);
        k = s === '' ? prefix + '_' : prefix + '_' + s;
      }
      if (keyCache.size > 10000) keyCache.clear();
      keyCache.set(ck, k);
    }
    return k;
  };
  const emit = (key: string, value: string): void => {
    // A key of spaces (or "") at the top level gives a label with an empty name, as in Loki.
    extractLabel(cur, key, cleanValue(value));
  };
  return {
    keepsLabels: false,
    process(line, labels) {
      cur = labels;
      try {
        walkJsonObject(line, onKey, emit);
      } catch (err) {
        if (!(err instanceof JsonSyntaxError)) throw err;
        labels.setErr(ERR_JSON, err.message);
      }
      return line;
    },
  };
}

function jsonExpressionStage(stage: JsonStage): StageRunner {
  const ids = stage.params.map((p) => p.name);
  const paths = stage.params.map((p) => parseJsonPath(p.expr));
  return {
    keepsLabels: false,
    process(line, labels) {
      if (line.length === 0) return line;
      const c = line[0];
      if (c !== '{' && c !== '[' && c !== '"') {
        labels.setErr(ERR_JSON);
        return line;
      }
      let values: Array<string | undefined>;
      try {
        values = extractJsonPaths(line, paths);
      } catch (err) {
        if (!(err instanceof JsonSyntaxError)) throw err;
        values = (err as JsonSyntaxError & { partial?: Array<string | undefined> }).partial ?? [];
      }
      for (let i = 0; i < ids.length; i++) {
        const v = values[i];
        if (v !== undefined) labels.set(parsedName(labels, ids[i]), cleanValue(v));
        else if (labels.get(ids[i]) === undefined) labels.set(ids[i], '');
      }
      return line;
    },
  };
}
