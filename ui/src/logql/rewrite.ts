/**
 * Query rewriting for click-to-filter: add a label matcher to the stream selector(s), a line
 * filter after them, or a parser plus label filter at the end of the log pipeline. Works on the
 * highlight tokens, so it keeps the user's formatting and comments and copes with half-valid text;
 * every function returns the query unchanged when the filter is already there.
 */
import { highlightTokens, PARSERS, type HighlightToken } from './tokens.js';
import { quoteValue } from './completion.js';

export type FilterRequest =
  | { kind: 'label'; name: string; value: string; op: '=' | '!=' }
  | { kind: 'line'; text: string; op: '|=' | '!=' | '|>' }
  /** A label filter stage; `parser` is added first when the pipeline has no parser yet. */
  | { kind: 'field'; name: string; value: string; op: '=' | '!='; parser?: 'json' | 'logfmt' };

interface SelectorSpan {
  /** Offset of `{`. */
  open: number;
  /** Offset just past `}` (or the end of the text when unclosed). */
  close: number;
  /** Where this selector's log pipeline ends: before `[range]`, `)` or the end of the text. */
  pipelineEnd: number;
  /** Tokens of the pipeline (between close and pipelineEnd). */
  pipeline: HighlightToken[];
  matchers: { name: string; op: string; value: string; start: number; end: number }[];
}

const significant = (t: HighlightToken): boolean => t.kind !== 'space' && t.kind !== 'comment';

/** Decodes a LogQL string literal ("..." with escapes, or `raw`). */
export function unquote(s: string): string {
  if (s.startsWith('`')) return s.slice(1, s.endsWith('`') && s.length > 1 ? -1 : undefined);
  const body = s.slice(1, s.length > 1 && s.endsWith('"') ? -1 : undefined);
  return body.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : c));
}

function selectorSpans(query: string): SelectorSpan[] {
  const toks = highlightTokens(query);
  const spans: SelectorSpan[] = [];
  for (let i = 0; i < toks.length; i++) {
    if (toks[i].text !== '{') continue;
    const open = toks[i].start;
    let j = i + 1;
    const inner: HighlightToken[] = [];
    while (j < toks.length && toks[j].text !== '}') {
      if (significant(toks[j])) inner.push(toks[j]);
      j++;
    }
    const close = j < toks.length ? toks[j].start + 1 : query.length;
    const matchers: SelectorSpan['matchers'] = [];
    for (let k = 0; k + 2 < inner.length; k++) {
      const [a, b, c] = [inner[k], inner[k + 1], inner[k + 2]];
      if (a.kind === 'label' && ['=', '!=', '=~', '!~'].includes(b.text) && c.kind === 'string') {
        matchers.push({ name: a.text, op: b.text, value: unquote(c.text), start: a.start, end: c.start + c.text.length });
      }
    }
    // The pipeline runs until a `[` or an unbalanced `)` (the end of a range aggregation's argument).
    let k = j + 1;
    let depth = 0;
    const pipeline: HighlightToken[] = [];
    let pipelineEnd = query.length;
    for (; k < toks.length; k++) {
      const t = toks[k];
      if (t.text === '(') depth++;
      else if (t.text === ')') {
        if (depth === 0) break;
        depth--;
      } else if (t.text === '[' && depth === 0) break;
      else if (t.text === '{') break;
      pipeline.push(t);
    }
    if (k < toks.length) pipelineEnd = toks[k].start;
    // Trailing whitespace and comments belong after the insertion point.
    while (pipeline.length && !significant(pipeline[pipeline.length - 1])) pipelineEnd = pipeline.pop()!.start;
    spans.push({ open, close, pipelineEnd: Math.max(pipelineEnd, close), pipeline, matchers });
    i = j;
  }
  return spans;
}

/** A metric query starts with something other than a stream selector (a function, number, paren). */
export function isMetricQuery(query: string): boolean {
  const first = highlightTokens(query).find(significant);
  return first !== undefined && first.text !== '{';
}

/** Applies edits (offset ranges in the original text) from the last to the first. */
function edit(query: string, edits: { at: number; end?: number; text: string }[]): string {
  let out = query;
  for (const e of [...edits].sort((a, b) => b.at - a.at)) out = out.slice(0, e.at) + e.text + out.slice(e.end ?? e.at);
  return out;
}

/** Adds `name op "value"` to every stream selector (an `=` replaces an `=` on the same label). */
export function addLabelMatcher(query: string, name: string, value: string, op: '=' | '!='): string {
  const matcher = `${name}${op}${quoteValue(value)}`;
  const spans = selectorSpans(query);
  if (spans.length === 0) return query.trim() === '' ? `{${matcher}}` : `{${matcher}} ${query.trim()}`;
  const edits: { at: number; end?: number; text: string }[] = [];
  for (const s of spans) {
    if (s.matchers.some((m) => m.name === name && m.op === op && m.value === value)) continue;
    const same = op === '=' ? s.matchers.find((m) => m.name === name && m.op === '=') : undefined;
    if (same) {
      edits.push({ at: same.start, end: same.end, text: matcher });
      continue;
    }
    const inner = query.slice(s.open + 1, s.close - 1).trim();
    const closeAt = query[s.close - 1] === '}' ? s.close - 1 : s.close;
    // Insert right after the last non-space character inside the braces.
    let at = closeAt;
    while (at > s.open + 1 && /\s/.test(query[at - 1])) at--;
    const unclosed = query[s.close - 1] !== '}';
    edits.push({ at, text: (inner === '' ? matcher : `, ${matcher}`) + (unclosed ? '}' : '') });
  }
  return edit(query, edits);
}

/**
 * Adds a line filter after the line filters that follow every stream selector (before any parser,
 * where filters run inside the store).
 */
export function addLineFilter(query: string, text: string, op: '|=' | '!=' | '|>'): string {
  const filter = `${op} ${quoteValue(text)}`;
  const spans = selectorSpans(query);
  if (spans.length === 0) return query;
  const edits = spans
    .filter((s) => !hasLineFilter(s, op, text))
    .map((s) => ({ at: lineFiltersEnd(s), text: ' ' + filter }));
  return edit(query, edits);
}

const LINE_FILTER_OPS = ['|=', '!=', '|~', '!~', '|>', '!>'];

/** The offset just past the line filters (`|= "a" or "b" != "c"`) right after a selector. */
function lineFiltersEnd(s: SelectorSpan): number {
  let end = s.close;
  const p = s.pipeline.filter(significant);
  for (let k = 0; k + 1 < p.length; k += 2) {
    const isOp = LINE_FILTER_OPS.includes(p[k].text) || (p[k].kind === 'keyword' && p[k].text === 'or');
    if (!isOp || p[k + 1].kind !== 'string') break;
    end = p[k + 1].start + p[k + 1].text.length;
  }
  return end;
}

function hasLineFilter(s: SelectorSpan, op: string, text: string): boolean {
  const p = s.pipeline.filter(significant);
  for (let k = 0; k + 1 < p.length; k++) if (p[k].text === op && p[k + 1].kind === 'string' && unquote(p[k + 1].text) === text) return true;
  return false;
}

/** The parser stage already in a selector's pipeline, if any. */
function parserOf(s: SelectorSpan): string | undefined {
  const p = s.pipeline.filter(significant);
  for (let k = 0; k + 1 < p.length; k++) if (p[k].kind === 'pipe' && PARSERS.includes(p[k + 1].text)) return p[k + 1].text;
  return undefined;
}

/** Label names must be identifiers: other characters become `_` (as Loki's json parser does). */
export function sanitizeLabelName(name: string): string {
  const s = name.replace(/[^A-Za-z0-9_]/g, '_');
  return /^[0-9]/.test(s) ? '_' + s : s;
}

/** Adds `| name op "value"` at the end of every log pipeline, after `| parser` when one is needed. */
export function addFieldFilter(query: string, name: string, value: string, op: '=' | '!=', parser?: 'json' | 'logfmt'): string {
  const filter = `| ${sanitizeLabelName(name)}${op}${quoteValue(value)}`;
  const spans = selectorSpans(query);
  if (spans.length === 0) return query;
  const edits: { at: number; text: string }[] = [];
  for (const s of spans) {
    const pipeText = query.slice(s.close, s.pipelineEnd);
    if (pipeText.replace(/\s+/g, '').includes(filter.replace(/\s+/g, ''))) continue;
    const stage = parser && !parserOf(s) ? `| ${parser} ` : '';
    edits.push({ at: s.pipelineEnd, text: ' ' + stage + filter });
  }
  return edit(query, edits);
}

/** Applies a click-to-filter request to `query`. */
export function applyFilter(query: string, f: FilterRequest): string {
  switch (f.kind) {
    case 'label':
      return addLabelMatcher(query, f.name, f.value, f.op);
    case 'line':
      return addLineFilter(query, f.text, f.op);
    case 'field':
      return addFieldFilter(query, f.name, f.value, f.op, f.parser);
  }
}

/** The literal texts of the `|=` filters after the first selector (for highlighting matches). */
export function lineFilterTerms(query: string): string[] {
  const s = selectorSpans(query)[0];
  if (!s) return [];
  const p = s.pipeline.filter(significant);
  const out: string[] = [];
  let keep = false;
  for (let k = 0; k + 1 < p.length; k++) {
    if (p[k].text === '|=') keep = true;
    else if (LINE_FILTER_OPS.includes(p[k].text)) keep = false;
    else if (!(p[k].kind === 'keyword' && p[k].text === 'or')) continue;
    const v = p[k + 1];
    if (keep && v.kind === 'string') {
      const t = unquote(v.text);
      if (t && !out.includes(t)) out.push(t);
    }
  }
  return out;
}

/** The first stream selector with the line filters right after it: the part the store can count. */
export function selectorWithLineFilters(query: string): string | undefined {
  const s = selectorSpans(query)[0];
  return s ? query.slice(s.open, lineFiltersEnd(s)) : undefined;
}

/** The first stream selector alone (`{app="x"}`), as the patterns API takes it. */
export function streamSelectorOf(query: string): string | undefined {
  const s = selectorSpans(query)[0];
  return s ? query.slice(s.open, s.close) : undefined;
}

/** The log volume query for a log query: lines per step by detected level. */
export function volumeQuery(logQuery: string, stepSeconds: number): string {
  // A `#` comment would swallow the closing brackets: drop comments first.
  const q = highlightTokens(logQuery)
    .filter((t) => t.kind !== 'comment')
    .map((t) => t.text)
    .join('')
    .trim();
  return `sum by (level) (count_over_time(${q} [${stepSeconds}s]))`;
}
