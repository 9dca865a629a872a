/**
 * `| unpack`: the line is a JSON object written by Promtail's `pack` stage; its string fields
 * become labels and the `_entry` field replaces the line. Non-string fields are ignored.
 * A line that is not a JSON object sets `__error__="JSONParserErr"`.
 */
import type { UnpackStage } from '../ast.js';
import { JsonScanner, JsonSyntaxError } from './json-scan.js';
import { ERR_JSON, parsedName, sanitizeLabelKey, type StageRunner } from './stage.js';

export function unpackStage(_stage: UnpackStage): StageRunner {
  return {
    keepsLabels: false,
    process(line, labels) {
      if (line.length === 0) return line;
      const sc = new JsonScanner(line);
      let entry: string | undefined;
      const found: Array<[string, string]> = [];
      try {
        sc.ws();
        if (line[sc.i] !== '{') sc.fail('expecting json object, but it is not');
        sc.object((key) => {
          if (line[sc.i] !== '"') {
            sc.skip();
            return;
          }
          const v = sc.string();
          if (key === '_entry') entry = v;
          else found.push([key, v]);
        });
      } catch (err) {
        if (!(err instanceof JsonSyntaxError)) throw err;
        labels.setErr(ERR_JSON, err.message);
        return line;
      }
      for (const [k, v] of found) {
        const name = sanitizeLabelKey(k, true);
        if (name !== '') labels.set(parsedName(labels, name), v);
      }
      return entry ?? line;
    },
  };
}
