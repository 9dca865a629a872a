/**
 * `| json` and `| json a="x.y", b="z[0]"`. Without parameters every string, number and
 * boolean field becomes a label; nested objects are flattened with `_` (`{"a":{"b":1}}` →
 * `a_b`), arrays and nulls are skipped, names are sanitized. With parameters only the given
 * paths are extracted (objects and arrays as JSON text, missing paths as ""). A line that is
 * not a JSON object sets `__error__="JSONParserErr"` and keeps the entry.
 */
import type { JsonStage } from '../ast.js';
import { parseJsonPath } from '../json-path.js';
import type { LabelsBuilder } from '../labels-builder.js';
import { extractJsonPaths, JsonSyntaxError, walkJsonObject } from './json-scan.js';
import { ERR_JSON, parsedName, sanitizeLabelKey, type StageRunner } from './stage.js';

export function jsonStage(stage: JsonStage): StageRunner {
  if (stage.params.length > 0) return jsonExpressionStage(stage);
  const keyCache = new Map<string, string>();
  let cur: LabelsBuilder;
  const onKey = (prefix: string, key: string): string | undefined => {
    const ck = prefix + '\x00' + key;
    let k = keyCache.get(ck);
    if (k === undefined) {
      k = prefix === '' ? sanitizeLabelKey(key, true) : prefix + '_' + sanitizeLabelKey(key, false);
      if (keyCache.size > 10000) keyCache.clear();
      keyCache.set(ck, k);
    }
    return k === '' ? undefined : k;
  };
  const emit = (key: string, value: string): void => {
    cur.set(parsedName(cur, key), value);
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
      const c = line.trimStart()[0];
      if (c !== '{' && c !== '[' && c !== '"') {
        labels.setErr(ERR_JSON, 'Value is not an object');
        return line;
      }
      let values: Array<string | undefined>;
      try {
        values = extractJsonPaths(line, paths);
      } catch (err) {
        if (!(err instanceof JsonSyntaxError)) throw err;
        labels.setErr(ERR_JSON, err.message);
        values = [];
      }
      for (let i = 0; i < ids.length; i++) labels.set(parsedName(labels, ids[i]), values[i] ?? '');
      return line;
    },
  };
}
