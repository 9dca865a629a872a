/**
 * Choosing the columns of a log list: `useColumnsSetting` keeps a page's choice (remembered per
 * page in the browser), and `ColumnPicker` is a small popover listing the stream labels, metadata
 * and fields seen in the entries, each a checkbox. The names are collected only while the popover
 * is open, so a live tail does not pay for it on every arriving line.
 */
import { useCallback, useEffect, useId, useMemo, useRef, useState } from 'react';
import type { LogEntry } from '../types';
import { loadColumns, MAX_COLUMNS, saveColumns, seenNames, toggleColumn } from './log-columns';
import './column-picker.css';

/** The columns chosen on `page` (`explore`, `tail`) and a setter that remembers them. */
export function useColumnsSetting(page: string): [string[], (columns: string[]) => void] {
  const [columns, setColumns] = useState<string[]>(() => loadColumns(localStorage, page));
  const set = useCallback(
    (next: string[]) => {
      saveColumns(localStorage, page, next);
      setColumns(next);
    },
    [page],
  );
  return [columns, set];
}

interface Props {
  entries: readonly LogEntry[];
  columns: string[];
  onChange: (columns: string[]) => void;
}

export function ColumnPicker({ entries, columns, onChange }: Props) {
  const [open, setOpen] = useState(false);
  const box = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const panelId = useId();

  // Close on a click elsewhere; Escape closes and gives focus back to the button.
  useEffect(() => {
    if (!open) return;
    const onDown = (e: MouseEvent): void => {
      if (!box.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', onDown);
    return () => document.removeEventListener('mousedown', onDown);
  }, [open]);

  return (
    <div
      className="column-picker"
      ref={box}
      onKeyDown={(e) => {
        if (e.key === 'Escape' && open) {
          e.preventDefault();
          setOpen(false);
          button.current?.focus();
        }
      }}
    >
      <button ref={button} type="button" aria-expanded={open} aria-controls={panelId} onClick={() => setOpen((o) => !o)} title="Show labels or fields as columns">
        Columns{columns.length > 0 ? ` (${columns.length})` : ''} ▾
      </button>
      {open && <PickerPanel id={panelId} entries={entries} columns={columns} onChange={onChange} />}
    </div>
  );
}

function PickerPanel({ id, entries, columns, onChange }: Props & { id: string }) {
  const seen = useMemo(() => seenNames(entries), [entries]);
  // Chosen names not in the entries now (an empty buffer, say) stay listed, so they can be removed.
  const other = columns.filter((c) => !seen.labels.includes(c) && !seen.metadata.includes(c) && !seen.fields.includes(c));
  const groups: [string, string[]][] = [
    ['Chosen', other],
    ['Stream labels', seen.labels],
    ['Structured metadata', seen.metadata],
    ['Fields', seen.fields],
  ];
  const empty = groups.every(([, names]) => names.length === 0);
  return (
    <div id={id} className="column-picker-panel" role="group" aria-label="Columns to show">
      {empty && <p className="dim small">No labels or fields in the lines shown yet.</p>}
      {groups.map(([title, names]) =>
        names.length === 0 ? null : (
          <fieldset key={title}>
            <legend>{title}</legend>
            {names.map((n) => (
              <label key={n} className="column-picker-option">
                <input type="checkbox" checked={columns.includes(n)} onChange={() => onChange(toggleColumn(columns, n))} />
                <span>{n}</span>
              </label>
            ))}
          </fieldset>
        ),
      )}
      <p className="dim small">
        At most {MAX_COLUMNS} columns.{' '}
        {columns.length > 0 && (
          <button type="button" className="link-btn" onClick={() => onChange([])}>
            Clear all
          </button>
        )}
      </p>
    </div>
  );
}
