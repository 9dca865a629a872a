/**
 * What the editor can complete at the cursor: a label name or a label value inside a stream
 * selector, or a pipeline stage after `|`. Pure text logic over highlightTokens, so it is tested
 * without a DOM. `from`/`to` delimit the text a chosen completion replaces.
 */
import { highlightTokens, PARSERS, STAGES, type HighlightToken } from './tokens.js';

export type CompletionContext =
  | { kind: 'label-name'; prefix: string; from: number; to: number }
  /** `quoted`: the cursor is inside an opening quote (the replacement keeps it). */
  | { kind: 'label-value'; label: string; prefix: string; from: number; to: number; quoted: boolean }
  | { kind: 'stage'; prefix: string; from: number; to: number };

export interface CompletionItem {
  /** Shown in the list. */
  label: string;
  /** Inserted in place of `from..to`. */
  insert: string;
  /** Where the cursor goes, relative to the insertion start (default: its end). */
  cursor?: number;
  detail?: string;
}

/** The completion context at `cursor` (an offset into `text`), or undefined when there is none. */
export function completionContext(text: string, cursor: number): CompletionContext | undefined {
  const toks = highlightTokens(text);
  // The token the cursor is in or just after (a cursor at a boundary belongs to the token before).
  let idx = -1;
  for (let k = 0; k < toks.length; k++) {
    const t = toks[k];
    if (t.start < cursor && cursor <= t.start + t.text.length) {
      idx = k;
      break;
    }
  }
  const cur = idx >= 0 ? toks[idx] : undefined;
  const before = (k: number): HighlightToken | undefined => {
    for (let j = k - 1; j >= 0; j--) if (toks[j].kind !== 'space' && toks[j].kind !== 'comment') return toks[j];
    return undefined;
  };
  const inSelector = (k: number): boolean => {
    let depth = 0;
    for (let j = 0; j < k; j++) {
      if (toks[j].text === '{') depth++;
      else if (toks[j].text === '}') depth = Math.max(0, depth - 1);
    }
    return depth > 0;
  };
  const valueContext = (opIdx: number, from: number, to: number, prefix: string, quoted: boolean): CompletionContext | undefined => {
    const name = before(opIdx);
    if (!name || name.kind !== 'label') return undefined;
    return { kind: 'label-value', label: name.text, prefix, from, to, quoted };
  };

  if (cur && cur.kind === 'string') {
    // Inside a string: a label value if the string follows `name op` in a selector.
    const endsClosed = !cur.unterminated;
    if (endsClosed && cursor === cur.start + cur.text.length) return undefined;
    if (!inSelector(idx) || cur.text[0] !== '"') return undefined;
    const op = before(idx);
    if (!op || !['=', '!=', '=~', '!~'].includes(op.text)) return undefined;
    const prefix = cur.text.slice(1, cursor - cur.start);
    // A closed string is replaced whole; an unfinished one up to the cursor (the rest may be `}`).
    const to = endsClosed ? cur.start + cur.text.length : cursor;
    return valueContext(toks.indexOf(op), cur.start, to, prefix, true);
  }

  if (cur && (cur.kind === 'label' || cur.kind === 'ident' || cur.kind === 'parser' || cur.kind === 'function' || cur.kind === 'keyword')) {
    const prefix = cur.text.slice(0, cursor - cur.start);
    const prev = before(idx);
    if (inSelector(idx)) {
      if (!prev || prev.text === '{' || prev.text === ',') return { kind: 'label-name', prefix, from: cur.start, to: cur.start + cur.text.length };
      return undefined;
    }
    if (prev && prev.kind === 'pipe') return { kind: 'stage', prefix, from: cur.start, to: cur.start + cur.text.length };
    return undefined;
  }

  // The cursor sits after whitespace or punctuation: what would the next token be?
  const prevIdx = cur ? (cur.kind === 'space' ? idx : idx + 1) : toks.length;
  const prev = before(prevIdx);
  if (!prev) return undefined;
  if (inSelector(prevIdx)) {
    if (prev.text === '{' || prev.text === ',') return { kind: 'label-name', prefix: '', from: cursor, to: cursor };
    if (['=', '!=', '=~', '!~'].includes(prev.text)) return valueContext(toks.indexOf(prev), cursor, cursor, '', false);
    return undefined;
  }
  if (prev.kind === 'pipe') return { kind: 'stage', prefix: '', from: cursor, to: cursor };
  return undefined;
}

/** Escapes a label value for a double-quoted LogQL string. */
export function quoteValue(v: string): string {
  return '"' + v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n') + '"';
}

/**
 * The items offered in `ctx`, given the known label names or values, best matches first:
 * those starting with the prefix, then those containing it (case-insensitive), each group in
 * the candidates' order.
 */
export function completionItems(ctx: CompletionContext, candidates: string[]): CompletionItem[] {
  const p = ctx.prefix.toLowerCase();
  const rank = (s: string): number => {
    const l = s.toLowerCase();
    if (l.startsWith(p)) return 0;
    if (l.includes(p)) return 1;
    return -1;
  };
  const pick = (list: string[]): string[] =>
    list
      .map((s) => ({ s, r: rank(s) }))
      .filter((x) => x.r >= 0)
      // Stable: within a rank the candidates keep their order (the server's sorted lists, parsers before stages).
      .sort((a, b) => a.r - b.r)
      .map((x) => x.s);
  switch (ctx.kind) {
    case 'label-name':
      return pick(candidates).map((s) => ({ label: s, insert: s + '=""', cursor: s.length + 2, detail: 'label' }));
    case 'label-value':
      return pick(candidates).map((s) => ({ label: s, insert: quoteValue(s), detail: ctx.label }));
    case 'stage':
      return pick([...PARSERS, ...STAGES]).map((s) => ({ label: s, insert: s, detail: PARSERS.includes(s) ? 'parser' : 'stage' }));
  }
}

/** Applies `item` at `ctx`: the new text and cursor offset. */
export function applyCompletion(text: string, ctx: CompletionContext, item: CompletionItem): { text: string; cursor: number } {
  const next = text.slice(0, ctx.from) + item.insert + text.slice(ctx.to);
  return { text: next, cursor: ctx.from + (item.cursor ?? item.insert.length) };
}

/**
 * The other matchers of the selector the cursor is in, as a selector (`{a="x", b=~"y"}`), to
 * scope label value completion to the streams already chosen. Undefined when there is no
 * equality matcher with a value (the server rejects selectors that match everything).
 */
export function scopeSelector(text: string, cursor: number): string | undefined {
  const ms = otherMatchers(text, cursor);
  const anchored = ms.some((m) => m.op === '=' && m.value.length > 2);
  return anchored ? `{${ms.map((m) => m.name + m.op + m.value).join(', ')}}` : undefined;
}

/** Label names matched in the selector the cursor is in, except at the cursor. */
export function usedLabels(text: string, cursor: number): string[] {
  return otherMatchers(text, cursor).map((m) => m.name);
}

/** The complete matchers of the selector around `cursor`, other than the one being edited. */
function otherMatchers(text: string, cursor: number): { name: string; op: string; value: string }[] {
  const toks = highlightTokens(text).filter((t) => t.kind !== 'space' && t.kind !== 'comment');
  let open = -1;
  for (let k = 0; k < toks.length && toks[k].start < cursor; k++) {
    if (toks[k].text === '{') open = k;
    else if (toks[k].text === '}') open = -1;
  }
  if (open < 0) return [];
  const out: { name: string; op: string; value: string }[] = [];
  for (let k = open + 1; k + 2 < toks.length && toks[k].text !== '}'; k++) {
    const [a, b, c] = [toks[k], toks[k + 1], toks[k + 2]];
    if (a.kind !== 'label' || !['=', '!=', '=~', '!~'].includes(b.text) || c.kind !== 'string' || c.unterminated) continue;
    const end = c.start + c.text.length;
    if (cursor >= a.start && cursor <= end) continue;
    out.push({ name: a.text, op: b.text, value: c.text });
    k += 2;
  }
  return out;
}
