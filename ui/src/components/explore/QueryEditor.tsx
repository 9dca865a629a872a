/**
 * The LogQL editor: a plain <textarea> (so typing, undo, IME and screen readers behave as the
 * browser makes them) under a highlighted <pre> that shows the same text coloured by
 * logql/tokens. Completion of label names, label values (fetched for the current range) and
 * pipeline stages opens while typing, or with Ctrl+Space; ↑/↓ choose, Enter/Tab accept, Esc
 * closes. Shift+Enter or Ctrl/⌘+Enter runs the query. A parse error from the server is marked
 * in the text and explained under the editor with a caret at its column.
 */
import { Fragment, useCallback, useEffect, useId, useLayoutEffect, useRef, useState } from 'react';
import { highlightTokens } from '../../logql/tokens';
import { applyCompletion, completionContext, completionItems, scopeSelector, usedLabels, type CompletionContext, type CompletionItem } from '../../logql/completion';
import type { ParseErrorPosition } from '../../logql/parse-error';
import { getJson } from '../../api';
import { msToNs } from '../../time';

export interface QueryEditorProps {
  value: string;
  onChange: (v: string) => void;
  onRun: () => void;
  /** The current range, for label name/value completion. */
  startMs: number;
  endMs: number;
  error?: ParseErrorPosition;
  /** Focus the editor on mount. */
  autoFocus?: boolean;
}

interface Popup {
  ctx: CompletionContext;
  items: CompletionItem[];
  sel: number;
}

/** Label names and values per range, fetched once each (a new range empties the cache). */
function useLabelSource(startMs: number, endMs: number): (ctx: CompletionContext, scope?: string) => Promise<string[]> {
  const cache = useRef(new Map<string, Promise<string[]>>());
  // Round the range to the minute so relative ranges do not refetch on every keystroke.
  const key = `${Math.floor(startMs / 60_000)}:${Math.floor(endMs / 60_000)}`;
  const keyRef = useRef(key);
  if (keyRef.current !== key) {
    keyRef.current = key;
    cache.current.clear();
  }
  return useCallback(
    (ctx: CompletionContext, scope?: string): Promise<string[]> => {
      if (ctx.kind === 'stage') return Promise.resolve([]);
      const path = ctx.kind === 'label-name' ? '/loki/api/v1/labels' : `/loki/api/v1/label/${encodeURIComponent(ctx.label)}/values`;
      // Names and values are scoped to the streams the selector's other matchers choose.
      const query = scope;
      const key = path + (query ? '?' + query : '');
      let p = cache.current.get(key);
      if (!p) {
        p = getJson<{ data?: string[] }>(path, { start: msToNs(startMs), end: msToNs(endMs), query })
          .then((r) => {
            const list = r.data ?? [];
            // `level` is an indexed column usable in selectors, though not a stream label.
            return ctx.kind === 'label-name' && !list.includes('level') ? [...list, 'level'] : list;
          })
          .catch(() => {
            cache.current.delete(key);
            return [];
          });
        cache.current.set(key, p);
      }
      return p;
    },
    [startMs, endMs],
  );
}

export function QueryEditor({ value, onChange, onRun, startMs, endMs, error, autoFocus }: QueryEditorProps) {
  const ta = useRef<HTMLTextAreaElement>(null);
  const pre = useRef<HTMLPreElement>(null);
  const caret = useRef<HTMLSpanElement>(null);
  const [cursor, setCursor] = useState(0);
  const [popup, setPopup] = useState<Popup | undefined>();
  const [popupPos, setPopupPos] = useState<{ left: number; top: number }>({ left: 0, top: 0 });
  const source = useLabelSource(startMs, endMs);
  const listId = useId();
  const request = useRef(0);

  const suggest = useCallback(
    (text: string, pos: number): void => {
      const ctx = completionContext(text, pos);
      const n = ++request.current;
      if (!ctx) {
        setPopup(undefined);
        return;
      }
      void source(ctx, scopeSelector(text, pos)).then((cands) => {
        if (n !== request.current) return;
        // A label already matched in this selector is rarely wanted twice.
        const used = ctx.kind === 'label-name' ? usedLabels(text, pos) : [];
        const items = completionItems(ctx, cands.filter((c) => !used.includes(c))).slice(0, 200);
        // Nothing to add: the typed word is already the only candidate.
        if (items.length === 0 || (items.length === 1 && items[0].label === ctx.prefix && ctx.kind !== 'label-name')) setPopup(undefined);
        else setPopup({ ctx, items, sel: 0 });
      });
    },
    [source],
  );

  useEffect(() => {
    if (autoFocus) ta.current?.focus();
  }, [autoFocus]);

  // Place the popup under the caret marker rendered in the overlay.
  useLayoutEffect(() => {
    if (!popup || !caret.current || !pre.current) return;
    const c = caret.current;
    setPopupPos({ left: Math.min(c.offsetLeft, pre.current.clientWidth - 260), top: c.offsetTop + c.offsetHeight + 2 });
  }, [popup, cursor, value]);

  const accept = (item: CompletionItem): void => {
    if (!popup) return;
    const r = applyCompletion(value, popup.ctx, item);
    onChange(r.text);
    setPopup(undefined);
    setCursor(r.cursor);
    requestAnimationFrame(() => {
      const el = ta.current;
      if (!el) return;
      el.focus();
      el.setSelectionRange(r.cursor, r.cursor);
      // After a label name the cursor is inside `=""`: offer its values straight away.
      suggest(r.text, r.cursor);
    });
  };

  const onKeyDown = (e: React.KeyboardEvent<HTMLTextAreaElement>): void => {
    if (popup) {
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        const d = e.key === 'ArrowDown' ? 1 : -1;
        setPopup({ ...popup, sel: (popup.sel + d + popup.items.length) % popup.items.length });
        return;
      }
      if ((e.key === 'Enter' && !e.shiftKey && !e.ctrlKey && !e.metaKey) || e.key === 'Tab') {
        e.preventDefault();
        accept(popup.items[popup.sel]);
        return;
      }
      if (e.key === 'Escape') {
        e.preventDefault();
        e.stopPropagation();
        request.current++;
        setPopup(undefined);
        return;
      }
    }
    if (e.key === 'Enter' && (e.shiftKey || e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      request.current++;
      setPopup(undefined);
      onRun();
      return;
    }
    if (!e.ctrlKey && !e.metaKey && !e.altKey && autoPair(e)) return;
    if (e.key === ' ' && e.ctrlKey) {
      e.preventDefault();
      suggest(value, e.currentTarget.selectionStart);
    }
  };

  /**
   * Brackets and quotes close themselves; typing the closing one over an auto-inserted one moves
   * past it; Backspace in an empty pair deletes both. Edits go through execCommand('insertText')
   * so the browser's undo history keeps them.
   */
  const autoPair = (e: React.KeyboardEvent<HTMLTextAreaElement>): boolean => {
    const el = e.currentTarget;
    const s = el.selectionStart;
    if (s !== el.selectionEnd) return false;
    const next = value[s] ?? '';
    const prev = value[s - 1] ?? '';
    const moveTo = (pos: number, text: string): void => {
      el.setSelectionRange(pos, pos);
      setCursor(pos);
      suggest(text, pos);
    };
    if ((e.key === '}' || e.key === ')' || e.key === ']' || (e.key === '"' && prev !== '\\')) && next === e.key) {
      e.preventDefault();
      moveTo(s + 1, value);
      return true;
    }
    const close = PAIRS[e.key];
    if (close && /^[\s)\]},|]?$/.test(next) && !(e.key === '"' && (insideString(value, s) || /\w/.test(prev)))) {
      e.preventDefault();
      if (!document.execCommand('insertText', false, e.key + close)) return false;
      const text = value.slice(0, s) + e.key + close + value.slice(s);
      moveTo(s + 1, text);
      return true;
    }
    if (e.key === 'Backspace' && PAIRS[prev] === next && next !== '') {
      e.preventDefault();
      el.setSelectionRange(s - 1, s + 1);
      document.execCommand('delete');
      return true;
    }
    return false;
  };

  const syncScroll = (): void => {
    if (pre.current && ta.current) pre.current.scrollTop = ta.current.scrollTop;
  };

  const cursorAt = popup ? cursor : -1;
  const errAt = error ? error.offset : -1;
  const errorLine = error ? (value.split('\n')[error.line - 1] ?? '') : '';
  const active = popup ? `${listId}-${popup.sel}` : undefined;

  return (
    <div className="qe">
      <div className="qe-input">
        <pre ref={pre} className="qe-highlight" aria-hidden="true">
          {renderHighlighted(value, cursorAt, errAt, caret)}
          {/* A trailing newline needs a character after it to take up its line. */}
          {'\u200b'}
        </pre>
        <textarea
          ref={ta}
          className="qe-textarea"
          aria-label="LogQL query"
          role="combobox"
          aria-autocomplete="list"
          aria-expanded={popup !== undefined}
          aria-controls={listId}
          aria-activedescendant={active}
          aria-invalid={error !== undefined}
          aria-describedby={error ? `${listId}-error` : undefined}
          spellCheck={false}
          autoCapitalize="off"
          autoComplete="off"
          autoCorrect="off"
          placeholder='{service="api"} |= "error"   — Shift+Enter to run, Ctrl+Space to complete'
          value={value}
          rows={1}
          onChange={(e) => {
            onChange(e.target.value);
            const pos = e.target.selectionStart;
            setCursor(pos);
            suggest(e.target.value, pos);
          }}
          onKeyDown={onKeyDown}
          onKeyUp={(e) => {
            if (['ArrowLeft', 'ArrowRight', 'Home', 'End'].includes(e.key)) {
              setCursor(e.currentTarget.selectionStart);
              if (popup) suggest(value, e.currentTarget.selectionStart);
            }
          }}
          onClick={(e) => {
            setCursor(e.currentTarget.selectionStart);
            setPopup(undefined);
          }}
          onBlur={() => setTimeout(() => setPopup(undefined), 150)}
          onScroll={syncScroll}
        />
        {popup && (
          <ul id={listId} role="listbox" aria-label="Completions" className="qe-completion" style={{ left: popupPos.left, top: popupPos.top }}>
            {popup.items.map((it, i) => (
              <li
                key={it.label}
                id={`${listId}-${i}`}
                role="option"
                aria-selected={i === popup.sel}
                className={i === popup.sel ? 'selected' : undefined}
                ref={i === popup.sel ? (el) => el?.scrollIntoView({ block: 'nearest' }) : undefined}
                onMouseDown={(e) => {
                  e.preventDefault();
                  accept(it);
                }}
              >
                <span className="qe-completion-label">{it.label}</span>
                {it.detail && <span className="qe-completion-detail">{it.detail}</span>}
              </li>
            ))}
          </ul>
        )}
      </div>
      {error && (
        <div className="qe-parse-error" id={`${listId}-error`} role="alert">
          <div>
            Parse error at line {error.line}, col {error.col}: {error.message}
          </div>
          <pre aria-hidden="true">
            {errorLine}
            {'\n'}
            {' '.repeat(Math.max(0, error.col - 1))}^
          </pre>
        </div>
      )}
    </div>
  );
}

const PAIRS: Record<string, string> = { '{': '}', '(': ')', '[': ']', '"': '"' };

/** Whether offset `at` is inside a double-quoted string on its line. */
function insideString(text: string, at: number): boolean {
  const lineStart = text.lastIndexOf('\n', at - 1) + 1;
  let inside = false;
  for (let i = lineStart; i < at; i++) {
    if (text[i] === '\\' && inside) i++;
    else if (text[i] === '"') inside = !inside;
  }
  return inside;
}

/** The highlighted text, with a caret marker at `cursorAt` and the error character at `errAt`. */
function renderHighlighted(text: string, cursorAt: number, errAt: number, caretRef: React.RefObject<HTMLSpanElement | null>): React.ReactNode[] {
  const out: React.ReactNode[] = [];
  const cuts = [cursorAt, errAt].filter((x) => x >= 0);
  let key = 0;
  for (const t of highlightTokens(text)) {
    const end = t.start + t.text.length;
    // Split the token at the cursor and around the error character.
    const marks = new Set<number>([t.start, end]);
    for (const c of cuts) if (c > t.start && c < end) marks.add(c);
    if (errAt >= t.start && errAt + 1 < end) marks.add(errAt + 1);
    const pts = [...marks].sort((a, b) => a - b);
    for (let i = 0; i + 1 < pts.length; i++) {
      const [a, b] = [pts[i], pts[i + 1]];
      if (a === cursorAt) out.push(<span key={`c${key++}`} ref={caretRef} className="qe-caret" />);
      const cls = `tok-${t.kind}${t.unterminated ? ' tok-unterminated' : ''}${a === errAt ? ' tok-errpos' : ''}`;
      out.push(
        <span key={key++} className={cls}>
          {text.slice(a, b)}
        </span>,
      );
    }
  }
  if (cursorAt >= text.length && cursorAt >= 0) out.push(<span key="caret-end" ref={caretRef} className="qe-caret" />);
  if (errAt >= text.length && errAt >= 0) out.push(<Fragment key="err-end"><span className="tok-errpos tok-errpos-end"> </span></Fragment>);
  return out;
}
