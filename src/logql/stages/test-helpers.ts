/** Test helper: runs the stages of `{app="x"} <stages>` over one line. */
import type { Labels } from '../../model/labels.js';
import { parseLogSelector } from '../parser.js';
import { buildPipeline, type PipelineResult } from '../pipeline.js';

export function runStages(stages: string, line: string, stream: Labels = { app: 'x' }, meta?: Labels, level?: string, ts = 0n): PipelineResult | null {
  return buildPipeline(parseLogSelector('{app="x"} ' + stages).stages).process(ts, line, stream, meta, level);
}
