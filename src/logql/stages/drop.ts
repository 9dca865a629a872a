/**
 * `| drop a, b="v", c=~"re"`: removes the named labels (any category, `__error__` and
 * `__error_details__` included); with a matcher, only when the current value matches.
 */
import type { DropStage } from '../ast.js';
import { matchValue } from '../matcher.js';
import type { StageRunner } from './stage.js';

export function dropStage(stage: DropStage): StageRunner {
  const specs = stage.labels;
  return {
    keepsLabels: false,
    process(line, labels) {
      for (const s of specs) {
        if (s.matcher === undefined) {
          labels.delete(s.name);
          continue;
        }
        const v = labels.get(s.name);
        if (v !== undefined && matchValue(s.matcher.op, s.matcher.value, v)) labels.delete(s.name);
      }
      return line;
    },
  };
}
