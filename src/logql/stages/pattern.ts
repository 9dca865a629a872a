/**
 * `| pattern "<ip> - <_> [<ts>] \"<method> <path> <_>\""`: named captures become labels;
 * when the line stops matching part-way, the captures matched so far are kept (Loki).
 */
import type { PatternStage } from '../ast.js';
import { compilePattern } from './pattern-matcher.js';
import { extractLabel, type StageRunner } from './stage.js';

export function patternStage(stage: PatternStage): StageRunner {
  const p = compilePattern(stage.pattern, { filterOnly: false });
  return {
    keepsLabels: false,
    process(line, labels) {
      const values = p.matches(line);
      for (let i = 0; i < values.length; i++) extractLabel(labels, p.names[i], values[i]);
      return line;
    },
  };
}
