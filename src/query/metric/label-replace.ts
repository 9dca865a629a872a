/**
 * `label_replace(v, "dst", "replacement", "src", "regex")`, Prometheus' semantics: the regex is
 * anchored and matched against the value of `src` ("" when missing); on a match `dst` is set to
 * the expanded replacement (`$1`, `${name}`), or removed when that is empty; otherwise the
 * sample is unchanged.
 */
import type { LabelReplaceExpr } from '../../logql/ast.js';
import type { Labels } from '../../model/labels.js';
import { compileAnchoredRegex, expandTemplate } from '../../logql/regex.js';
import { sortLabels } from '../../model/labels.js';
import type { InstantSample } from './series.js';

export function labelReplacer(expr: LabelReplaceExpr): (labels: Labels) => Labels {
  const re = compileAnchoredRegex(expr.regex);
  const names = re.namedGroups();
  const n = re.groupCount();
  return (labels) => {
    const m = re.matcher(labels[expr.src] ?? '');
    if (!m.matches()) return labels;
    const groups: Array<string | undefined> = [];
    for (let i = 0; i <= n; i++) groups.push(m.group(i) ?? undefined);
    const v = expandTemplate(expr.replacement, groups, names);
    const out: Labels = { ...labels };
    if (v === '') delete out[expr.dst];
    else out[expr.dst] = v;
    return sortLabels(out);
  };
}

export function evalLabelReplace(expr: LabelReplaceExpr, vec: InstantSample[], replace = labelReplacer(expr)): InstantSample[] {
  return vec.map((s) => ({ labels: replace(s.labels), value: s.value }));
}
