/**
 * `| regexp "(?P<name>re)"`: named groups of the first match become labels (RE2 syntax,
 * unanchored). A line that does not match is kept, with no labels added (Loki). A name the
 * stream or the entry's structured metadata has becomes `<name>_extracted`.
 */
import type { RegexpStage } from '../ast.js';
import { compileRegex } from '../regex.js';
import { extractLabel, sanitizeLabelKey, type StageRunner } from './stage.js';

export function regexpStage(stage: RegexpStage): StageRunner {
  const re = compileRegex(stage.pattern);
  const groups = Object.entries(re.namedGroups()).map(([name, idx]) => ({ name: sanitizeLabelKey(name, true), idx }));
  return {
    keepsLabels: false,
    process(line, labels) {
      const m = re.exec(line);
      if (m === null) return line;
      for (const g of groups) {
        const v = m[g.idx] as string | undefined;
        extractLabel(labels, g.name, v ?? '');
      }
      return line;
    },
  };
}
