/**
 * The result list shared by Explore and Live tail: virtualised (@tanstack/react-virtual), so only
 * the rows in view are in the DOM and thousands of lines scroll smoothly. A row shows the time in
 * the browser's zone (ms), the level, the stream labels that differ between the entries listed
 * (unless `showLabels` is false), the chosen columns (`columns`: labels or fields by name, in a header
 * that can remove them) and the line; clicking it or pressing Enter expands it to
 * its stream labels, structured metadata and fields (the server's parsed labels, else the line
 * parsed here as JSON or logfmt), each with buttons that ask the page to add a filter.
 * Arrow keys move between rows; Home/End jump.
 */
import { memo, useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { FilterAction, LogEntry } from '../types';
import { formatNs } from '../time';
import { uniqueLabelNames } from '../entries';
import { LogContext } from './LogContext';
import { columnValue, entryFields } from './entry-fields';
import './log-list.css';

export interface LogListProps {
  /** Newest first. */
  entries: LogEntry[];
  /** Clicking a label / field / line fragment in an expanded row. */
  onAddFilter?: (f: FilterAction) => void;
  /** Shown when `entries` is empty. */
  emptyText?: string;
  /** Keep the newest entry in view as entries arrive (live tail), unless the user scrolled away. */
  follow?: boolean;
  /** Accessible name of the list. */
  label?: string;
  /** Texts to mark in the lines (e.g. the query's `|=` filters); pass a stable array. */
  highlight?: string[];
  /** Wrap long lines instead of cutting them at the edge. */
  wrap?: boolean;
  /** Show each row's unique labels (those that differ between the entries listed); default true. */
  showLabels?: boolean;
  /** Labels / metadata / fields shown as columns after the level, by name; pass a stable array. */
  columns?: string[];
  /** Given, the column header offers to remove a column. */
  onColumnsChange?: (columns: string[]) => void;
}

const NO_COLUMNS: string[] = [];

const ROW_HEIGHT = 22;

// Memoised: a page re-rendering for other reasons (typing a query) does not re-render the rows.
export const LogList = memo(function LogList({ entries, onAddFilter, emptyText, follow, label, highlight, wrap, showLabels = true, columns = NO_COLUMNS, onColumnsChange }: LogListProps) {
  const unique = useMemo(() => (showLabels ? uniqueLabelNames(entries) : []), [entries, showLabels]);
  const scroller = useRef<HTMLDivElement>(null);
  const [expanded, setExpanded] = useState<Set<string>>(() => new Set());
  const [focusIdx, setFocusIdx] = useState(0);
  const virt = useVirtualizer({
    count: entries.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
    getItemKey: (i) => entries[i].id,
  });

  // Live tail: new entries arrive at the top. At the top we stay there (the newest is in view);
  // scrolled away, we shift by the rows added so the lines being read do not move.
  const firstId = useRef<string | undefined>(undefined);
  useLayoutEffect(() => {
    const prev = firstId.current;
    firstId.current = entries[0]?.id;
    const el = scroller.current;
    if (!follow || !el || prev === undefined || prev === entries[0]?.id) return;
    const added = entries.findIndex((e) => e.id === prev);
    if (el.scrollTop <= 4) el.scrollTop = 0;
    else if (added > 0) el.scrollTop += added * ROW_HEIGHT;
  }, [entries, follow]);

  const toggle = useCallback((id: string) => {
    setExpanded((s) => {
      const n = new Set(s);
      if (n.has(id)) n.delete(id);
      else n.add(id);
      return n;
    });
  }, []);

  const focusRow = (i: number): void => {
    const idx = Math.max(0, Math.min(entries.length - 1, i));
    setFocusIdx(idx);
    const find = (): HTMLElement | null | undefined => scroller.current?.querySelector<HTMLElement>(`[data-index="${idx}"] .log-row-main`);
    const el = find();
    if (el) {
      el.focus();
      el.scrollIntoView({ block: 'nearest' });
      return;
    }
    // Not rendered yet: scroll there, then focus once the virtualiser has drawn it.
    virt.scrollToIndex(idx, { align: 'auto' });
    requestAnimationFrame(() => requestAnimationFrame(() => find()?.focus()));
  };

  useEffect(() => {
    if (focusIdx >= entries.length) setFocusIdx(0);
  }, [entries.length, focusIdx]);

  if (entries.length === 0) return <div className="empty log-empty">{emptyText ?? 'No log lines.'}</div>;

  const onKeyDown = (e: React.KeyboardEvent<HTMLDivElement>): void => {
    const row = (e.target as HTMLElement).closest<HTMLElement>('[data-index]');
    if (!row || !(e.target as HTMLElement).classList.contains('log-row-main')) return;
    const i = Number(row.dataset.index);
    const step = Math.max(1, Math.floor((scroller.current?.clientHeight ?? 400) / ROW_HEIGHT) - 1);
    const moves: Record<string, number> = { ArrowDown: i + 1, ArrowUp: i - 1, PageDown: i + step, PageUp: i - step, Home: 0, End: entries.length - 1 };
    if (e.key in moves) {
      e.preventDefault();
      focusRow(moves[e.key]);
    } else if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      toggle(entries[i].id);
    }
  };

  const items = virt.getVirtualItems();
  return (
    <div className="log-view">
      {columns.length > 0 && <ColumnHeader columns={columns} onColumnsChange={onColumnsChange} />}
      <div ref={scroller} className={`log-list${wrap ? ' log-list-wrap' : ''}`} role="list" aria-label={label ?? 'Log lines'} onKeyDown={onKeyDown}>
        <div style={{ height: virt.getTotalSize(), position: 'relative', width: '100%' }}>
          <div style={{ position: 'absolute', top: 0, left: 0, width: '100%', transform: `translateY(${items[0]?.start ?? 0}px)` }}>
            {items.map((it) => {
              const e = entries[it.index];
              return (
                <div key={it.key} data-index={it.index} ref={virt.measureElement} role="listitem" className={`log-row${it.index % 2 ? ' log-row-odd' : ''}`}>
                  <Row entry={e} index={it.index} unique={unique} columns={columns} highlight={highlight} open={expanded.has(e.id)} tabbable={it.index === focusIdx} onToggle={toggle} onAddFilter={onAddFilter} onFocusIndex={setFocusIdx} />
                </div>
              );
            })}
          </div>
        </div>
      </div>
    </div>
  );
});

/** Names the columns above the rows, aligned with them, each with a button to remove it. */
function ColumnHeader({ columns, onColumnsChange }: { columns: string[]; onColumnsChange?: (columns: string[]) => void }) {
  return (
    <div className="log-columns-head" role="group" aria-label="Columns">
      <span className="log-level-bar" aria-hidden="true" />
      <span className="log-time">Time</span>
      <span className="log-level">Level</span>
      {columns.map((c) => (
        <span key={c} className="log-col" title={c}>
          <span className="log-col-name">{c}</span>
          {onColumnsChange && (
            <button type="button" className="icon-button log-col-remove" aria-label={`Remove column ${c}`} title={`Remove column ${c}`} onClick={() => onColumnsChange(columns.filter((x) => x !== c))}>
              ×
            </button>
          )}
        </span>
      ))}
      <span className="log-line">Line</span>
    </div>
  );
}

interface RowProps {
  entry: LogEntry;
  index: number;
  /** The label names shown on the row (the unique labels of the list). */
  unique: string[];
  /** The names shown as columns. */
  columns: string[];
  highlight?: string[];
  open: boolean;
  tabbable: boolean;
  onToggle: (id: string) => void;
  onAddFilter?: (f: FilterAction) => void;
  onFocusIndex: (i: number) => void;
}

const Row = memo(function Row({ entry: e, index, unique, columns, highlight, open, tabbable, onToggle, onAddFilter, onFocusIndex }: RowProps) {
  return (
    <>
      <div
        className="log-row-main"
        role="button"
        tabIndex={tabbable ? 0 : -1}
        aria-expanded={open}
        onFocus={() => onFocusIndex(index)}
        onClick={() => {
          // Selecting text in the line should not toggle the row.
          if (window.getSelection()?.toString()) return;
          onToggle(e.id);
        }}
      >
        <span className={`log-level-bar bg-level-${e.level}`} aria-hidden="true" />
        <time className="log-time" dateTime={new Date(Number(e.ts.slice(0, -6) || 0)).toISOString()}>
          {formatNs(e.ts)}
        </time>
        <span className={`log-level level-${e.level}`}>{e.level}</span>
        {columns.map((c) => {
          const v = columnValue(e, c);
          return (
            <span key={c} className={`log-col${v === undefined ? ' log-col-none' : ''}`} title={v === undefined ? `no ${c}` : `${c}=${v}`}>
              {v ?? '–'}
            </span>
          );
        })}
        {unique.length > 0 && (
          <span className="log-labels">
            {unique.map((k) => (e.labels[k] === undefined ? null : <span key={k} className="log-label" title={`${k}="${e.labels[k]}"`}>{e.labels[k]}</span>))}
          </span>
        )}
        <span className="log-line">{marked(e.line, highlight)}</span>
      </div>
      {open && <Details entry={e} onAddFilter={onAddFilter} />}
    </>
  );
});

/** The line with every occurrence of the terms in <mark> (case-sensitive, as `|=` matches). */
function marked(line: string, terms: string[] | undefined): React.ReactNode {
  if (!terms || terms.length === 0) return line;
  const out: React.ReactNode[] = [];
  let i = 0;
  let last = 0;
  while (i < line.length) {
    const t = terms.find((x) => line.startsWith(x, i));
    if (!t) {
      i++;
      continue;
    }
    if (i > last) out.push(line.slice(last, i));
    out.push(<mark key={i}>{t}</mark>);
    i += t.length;
    last = i;
  }
  if (last === 0) return line;
  if (last < line.length) out.push(line.slice(last));
  return out;
}

function Details({ entry: e, onAddFilter }: { entry: LogEntry; onAddFilter?: (f: FilterAction) => void }) {
  const { server, format: parser, fields, errors } = entryFields(e);
  const [selection, setSelection] = useState('');
  return (
    <div
      className="log-details"
      onMouseUp={(ev) => {
        // Pressing a button must not forget the selection it is about to use.
        if ((ev.target as HTMLElement).closest('button')) return;
        setSelection(window.getSelection()?.toString().trim() ?? '');
      }}
    >
      <pre className="log-full-line">{e.line}</pre>
      {onAddFilter && (
        <div className="log-line-actions">
          <button type="button" disabled={!selection} onMouseDown={(ev) => ev.preventDefault()} onClick={() => onAddFilter({ kind: 'line', text: selection, op: '|=' })} aria-label="Show lines containing the selected text">
            |= selection
          </button>
          <button type="button" disabled={!selection} onMouseDown={(ev) => ev.preventDefault()} onClick={() => onAddFilter({ kind: 'line', text: selection, op: '!=' })} aria-label="Hide lines containing the selected text">
            != selection
          </button>
          {!selection && <span className="log-hint">select text in the line to filter by it</span>}
          <CopyButton text={e.line} />
          <LogContext entry={e} />
        </div>
      )}
      <FieldTable title="Stream labels" rows={Object.entries(e.labels)} onFilter={onAddFilter && ((name, value, op) => onAddFilter({ kind: 'label', name, value, op }))} />
      <FieldTable
        title="Structured metadata"
        rows={Object.entries(e.metadata)}
        // `level` is an indexed column, so it filters best in the selector.
        onFilter={onAddFilter && ((name, value, op) => onAddFilter(name === 'level' ? { kind: 'label', name, value, op } : { kind: 'field', name, value, op }))}
      />
      <FieldTable
        title={server ? 'Parsed fields' : parser ? `Fields (${parser})` : 'Fields'}
        rows={fields}
        onFilter={onAddFilter && ((name, value, op) => onAddFilter({ kind: 'field', name, value, op, ...(parser ? { parser } : {}) }))}
      />
      {errors.length > 0 && <FieldTable title="Parser errors" rows={errors} />}
    </div>
  );
}

/** Copies the line (the clipboard API exists only on https and localhost; elsewhere no button). */
function CopyButton({ text }: { text: string }) {
  const [done, setDone] = useState(false);
  if (!navigator.clipboard) return null;
  return (
    <button
      type="button"
      className="log-copy"
      aria-label="Copy the line"
      onClick={() => {
        navigator.clipboard
          .writeText(text)
          .then(() => {
            setDone(true);
            setTimeout(() => setDone(false), 1200);
          })
          .catch(() => undefined);
      }}
    >
      {done ? 'Copied' : 'Copy'}
    </button>
  );
}

function FieldTable({ title, rows, onFilter }: { title: string; rows: [string, string][]; onFilter?: (name: string, value: string, op: '=' | '!=') => void }) {
  if (rows.length === 0) return null;
  return (
    <table className="log-fields">
      <caption>{title}</caption>
      <tbody>
        {rows.map(([k, v]) => (
          <tr key={k}>
            <td className="log-field-actions">
              {onFilter && (
                <>
                  <button type="button" className="filter-btn" aria-label={`Filter ${k}="${v}"`} title={`Only ${k}="${v}"`} onClick={() => onFilter(k, v, '=')}>
                    =
                  </button>
                  <button type="button" className="filter-btn" aria-label={`Exclude ${k}="${v}"`} title={`Exclude ${k}="${v}"`} onClick={() => onFilter(k, v, '!=')}>
                    ≠
                  </button>
                </>
              )}
            </td>
            <th scope="row">{k}</th>
            <td className="log-field-value">
              {onFilter ? (
                <button type="button" className="link-btn" title={`Filter ${k}="${v}"`} onClick={() => onFilter(k, v, '=')}>
                  {v}
                </button>
              ) : (
                v
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

const UNIQUE_LABELS_KEY = 'logsentinel.uniqueLabels';

/** The "Unique labels" toggle of Explore and Live tail: on by default, remembered per browser. */
export function useUniqueLabelsSetting(): [boolean, (on: boolean) => void] {
  const [on, setOn] = useState(() => localStorage.getItem(UNIQUE_LABELS_KEY) !== '0');
  return [
    on,
    (v: boolean) => {
      localStorage.setItem(UNIQUE_LABELS_KEY, v ? '1' : '0');
      setOn(v);
    },
  ];
}
