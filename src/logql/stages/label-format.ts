/**
 * `| label_format dst=src, dst2="{{.a}}-{{.b}}"`: `dst=src` renames (the source label is
 * removed; nothing happens when it is absent), `dst="template"` sets a label from a template.
 * Templates see the labels as they were when the stage started (Loki). A failing template
 * sets `__error__="TemplateFormatErr"` and leaves that label unchanged.
 */
import type { LabelFormatStage } from '../ast.js';
import { executeTemplate, type TemplateContext } from '../template/exec.js';
import { parseTemplate } from '../template/parse.js';
import { ERR_TEMPLATE, type StageRunner } from './stage.js';
import { LogSentinelError } from '../../errors.js';

export function labelFormatStage(stage: LabelFormatStage): StageRunner {
  const ops = stage.ops.map((o) => ({ ...o, tpl: o.kind === 'template' ? parseTemplate(o.value) : undefined }));
  const hasTemplates = ops.some((o) => o.tpl !== undefined);
  return {
    keepsLabels: false,
    process(line, labels, ts) {
      let ctx: TemplateContext | undefined;
      if (hasTemplates) {
        const snapshot = labels.result().labels;
        ctx = { label: (n) => (typeof snapshot[n] === 'string' ? snapshot[n] : undefined), all: () => snapshot, line, ts, name: 'label' };
      }
      for (const o of ops) {
        if (o.tpl === undefined) {
          const v = labels.get(o.value);
          if (v !== undefined) {
            labels.delete(o.value);
            labels.set(o.dst, v);
          }
          continue;
        }
        try {
          labels.set(o.dst, executeTemplate(o.tpl, ctx!));
        } catch (err) {
          // A limit (output size, deadline) fails the query; anything else is Loki's per-line error.
          if (err instanceof LogSentinelError) throw err;
          labels.setErr(ERR_TEMPLATE, (err as Error).message);
        }
      }
      return line;
    },
  };
}
