/**
 * `| line_format "{{.a}} {{.b | ToUpper}}"`: replaces the line with the template's output.
 * A template that fails keeps the line and sets `__error__="TemplateFormatErr"` (Loki).
 */
import type { LineFormatStage } from '../ast.js';
import type { LabelsBuilder } from '../labels-builder.js';
import { executeTemplate, type TemplateContext } from '../template/exec.js';
import { parseTemplate } from '../template/parse.js';
import { ERR_TEMPLATE, type StageRunner } from './stage.js';
import { LogSentinelError } from '../../errors.js';

/** A template context reading the builder's current labels. */
export function builderContext(labels: LabelsBuilder, line: string, ts: bigint): TemplateContext {
  return {
    label: (name) => labels.get(name),
    all: () => labels.result().labels,
    line,
    ts,
  };
}

export function lineFormatStage(stage: LineFormatStage): StageRunner {
  const tpl = parseTemplate(stage.template);
  return {
    keepsLabels: true,
    process(line, labels, ts) {
      try {
        return executeTemplate(tpl, builderContext(labels, line, ts));
      } catch (err) {
        // A limit (output size, deadline) fails the query; anything else is Loki's per-line error.
        if (err instanceof LogSentinelError) throw err;
        labels.setErr(ERR_TEMPLATE, (err as Error).message);
        return line;
      }
    },
  };
}
