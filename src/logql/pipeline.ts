/**
 * Builds the runtime log pipeline from the AST's stages. The query engine calls `process` once
 * per row, so the pipeline is built once per query and reuses one labels builder: a Pipeline is
 * not re-entrant (do not interleave calls from two iterations; build one pipeline per query).
 * `process` is synchronous, so single-threaded use is always safe.
 */
import type { Labels } from '../model/labels.js';
import type { Stage } from './ast.js';
import { LabelsBuilder } from './labels-builder.js';
import type { StageRunner } from './stages/stage.js';
import { buildLineFilter, lineFilterStage, type LinePredicateFn } from './stages/line-filter.js';
import { labelFilterStage } from './stages/label-filter.js';
import { jsonStage } from './stages/json.js';
import { logfmtStage } from './stages/logfmt.js';
import { regexpStage } from './stages/regexp.js';
import { patternStage } from './stages/pattern.js';
import { unpackStage } from './stages/unpack.js';
import { lineFormatStage } from './stages/line-format.js';
import { labelFormatStage } from './stages/label-format.js';
import { dropStage } from './stages/drop.js';
import { keepStage } from './stages/keep.js';
import { decolorizeStage } from './stages/decolorize.js';

export interface PipelineResult {
  line: string;
  /** Final label set (stream + structured metadata + parsed, after drop/keep/label_format); the output stream key. */
  labels: Labels;
  /** for categorize-labels responses */
  structuredMetadata: Labels;
  parsed: Labels;
}

export interface Pipeline {
  /**
   * Runs the stages over one entry; null when a stage drops it. The label objects in the result
   * may be shared with the input or between results: callers must not mutate them.
   * `level` (LogSentinel) is the entry's detected level; it is visible as the metadata label
   * `level` when the stream has no `level` label.
   */
  process(ts: bigint, line: string, streamLabels: Labels, metadata: Labels | undefined, level?: string): PipelineResult | null;
  /** true when no stage can drop or change anything */
  readonly noop: boolean;
}

/** The registry of stage builders: AST stage type -> runtime stage. */
const BUILDERS: { [K in Stage['type']]: (s: Extract<Stage, { type: K }>) => StageRunner } = {
  line_filter: lineFilterStage,
  label_filter: labelFilterStage,
  json: jsonStage,
  logfmt: logfmtStage,
  regexp: regexpStage,
  pattern: patternStage,
  unpack: unpackStage,
  line_format: lineFormatStage,
  label_format: labelFormatStage,
  drop: dropStage,
  keep: keepStage,
  decolorize: decolorizeStage,
};

export function buildStage(stage: Stage): StageRunner {
  const b = BUILDERS[stage.type] as (s: Stage) => StageRunner;
  return b(stage);
}

export function buildPipeline(stages: Stage[]): Pipeline {
  const builder = new LabelsBuilder();
  const result = (line: string): PipelineResult => {
    const r = builder.result();
    return { line, labels: r.labels, structuredMetadata: r.structuredMetadata, parsed: r.parsed };
  };

  // Line filters only: no stage reads or writes labels, so skip the stage machinery.
  if (stages.every((s) => s.type === 'line_filter')) {
    const preds: LinePredicateFn[] = stages.map((s) => buildLineFilter(s as Extract<Stage, { type: 'line_filter' }>));
    const n = preds.length;
    return {
      noop: n === 0,
      process(_ts, line, streamLabels, metadata, level) {
        for (let i = 0; i < n; i++) if (!preds[i](line)) return null;
        builder.reset(streamLabels, metadata, level);
        return result(line);
      },
    };
  }

  const runners = stages.map(buildStage);
  const n = runners.length;
  return {
    noop: false,
    process(ts, line, streamLabels, metadata, level) {
      builder.reset(streamLabels, metadata, level);
      let cur: string | null = line;
      for (let i = 0; i < n; i++) {
        cur = runners[i].process(cur, builder, ts);
        if (cur === null) return null;
      }
      return result(cur);
    },
  };
}
