/**
 * `| keep a, b="v"`: removes every label not named (a named label with a matcher is kept
 * only when its value matches). `__error__` and `__error_details__` are always kept, as in Loki.
 */
import type { KeepStage } from '../ast.js';
import { ERROR_DETAILS_LABEL, ERROR_LABEL } from '../labels-builder.js';
import { matchValue } from '../matcher.js';
import type { StageRunner } from './stage.js';

export function keepStage(stage: KeepStage): StageRunner {
  const specs = stage.labels;
  return {
    keepsLabels: false,
    process(line, labels) {
      for (const name of labels.names()) {
        if (name === ERROR_LABEL || name === ERROR_DETAILS_LABEL) continue;
        let keep = false;
        for (const s of specs) {
          if (s.name !== name) continue;
          if (s.matcher === undefined || matchValue(s.matcher.op, s.matcher.value, labels.get(name) ?? '')) {
            keep = true;
            break;
          }
        }
        if (!keep) labels.delete(name);
      }
      return line;
    },
  };
}
