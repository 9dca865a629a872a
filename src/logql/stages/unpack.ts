/**
 * `| unpack`: the line is a JSON object written by Promtail's `pack` stage; its string fields
 * become labels and the `_entry` field replaces the line. As in Loki 3: non-string fields are
 * ignored; an object without `_entry` is left unchanged and adds no labels; a line that does
 * not start with `{` sets `__error__="JSONParserErr"` ("expecting json object(6), but it is
 * not"); an empty line is left alone.
 */
import type { UnpackStage } from '../ast.js';
import { JsonScanner, JsonSyntaxError, JSON_ERR, unescapeJson } from './json-scan.js';
import { cleanValue, ERR_JSON, extractLabel, sanitizeLabelKey, type StageRunner } from './stage.js';

export function unpackStage(_stage: UnpackStage): StageRunner {
  return {
    keepsLabels: false,
    process(line, labels) {
      if (line.length === 0) return line;
      if (line[0] !== '{') {
        labels.setErr(ERR_JSON, 'expecting json object(6), but it is not');
        return line;
      }
      const sc = new JsonScanner(line);
      let entry: string | undefined;
      const found: Array<[string, string]> = [];
      try {
        sc.object((key) => {
          if (line[sc.i] !== '"') {
            sc.skip();
            return;
          }
          if (key === '_entry') {
            const v = unescapeJson(sc.rawString());
            if (v === undefined) sc.fail(JSON_ERR.escape);
            entry = v;
          } else found.push([key, cleanValue(sc.string())]);
        });
      } catch (err) {
        if (!(err instanceof JsonSyntaxError)) throw err;
        labels.setErr(ERR_JSON, err.message);
        return line;
      }
      if (entry === undefined) return line;
      for (const [k, v] of found) {
        const name = sanitizeLabelKey(k, true);
        if (name !== '') extractLabel(labels, name, v);
      }
      return entry;
    },
  };
}
