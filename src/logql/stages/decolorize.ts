/**
 * `| decolorize`: strips ANSI escape sequences (colours, cursor movement) from the line.
 * The pattern is the widely used strip-ansi expression (also what Loki uses); it is a fixed
 * pattern, not user input, and has no nested unbounded repetition.
 */
import type { DecolorizeStage } from '../ast.js';
import type { StageRunner } from './stage.js';

const ANSI = /[\u001B\u009B][[\]()#;?]*(?:(?:(?:[a-zA-Z\d]*(?:;[a-zA-Z\d]*)*)?\u0007)|(?:(?:\d{1,4}(?:;\d{0,4})*)?[\dA-PRZcf-ntqry=><~]))/g;

export function stripAnsi(line: string): string {
  if (line.indexOf('\u001B') < 0 && line.indexOf('\u009B') < 0) return line;
  return line.replace(ANSI, '');
}

export function decolorizeStage(_stage: DecolorizeStage): StageRunner {
  return { keepsLabels: true, process: (line) => stripAnsi(line) };
}
