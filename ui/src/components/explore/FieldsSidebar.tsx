/**
 * Explore's fields sidebar (Kibana Discover's field list, Seq's and vmui's field stats): for the
 * lines shown, the stream labels, structured metadata and fields (the server's parsed labels, or
 * the lines parsed here as JSON or logfmt), each with how many of the lines have it; opening a
 * field lists its most frequent values with counts and shares. A value filters FOR itself when
 * clicked, ≠ beside it filters AGAINST it (the same FilterAction plumbing as the expanded rows);
 * ▥ shows the field as a column of the list. Collapsible (remembered per browser); every control
 * is a button, so it works from the keyboard.
 */
import { memo, useId, useMemo, useState } from 'react';
import type { FilterAction, LogEntry } from '../../types';
import { toggleColumn } from '../log-columns';
import { fieldStats, filterFor, percent, type FieldSource, type FieldStat } from './field-stats';
import './fields-sidebar.css';

interface Props {
  /** The lines shown (stats are recomputed only when this array changes). */
  entries: LogEntry[];
  onAddFilter: (f: FilterAction) => void;
  columns: string[];
  onColumnsChange: (columns: string[]) => void;
}

const OPEN_KEY = 'logsentinel.explore.fieldsSidebar';

const SECTIONS: { source: FieldSource; title: string }[] = [
  { source: 'label', title: 'Stream labels' },
  { source: 'metadata', title: 'Structured metadata' },
  { source: 'field', title: 'Fields' },
];

export const FieldsSidebar = memo(function FieldsSidebar({ entries, onAddFilter, columns, onColumnsChange }: Props) {
  const [open, setOpenState] = useState(() => localStorage.getItem(OPEN_KEY) !== '0');
  const setOpen = (v: boolean): void => {
    localStorage.setItem(OPEN_KEY, v ? '1' : '0');
    setOpenState(v);
  };
  const bodyId = useId();
  if (!open) {
    return (
      <aside className="fields-sidebar fields-sidebar-closed" aria-label="Fields">
        <button type="button" aria-expanded={false} onClick={() => setOpen(true)} title="Show the fields of the lines">
          Fields ›
        </button>
      </aside>
    );
  }
  return (
    <aside className="fields-sidebar" aria-label="Fields">
      <div className="fs-head">
        <h2>Fields</h2>
        <button type="button" className="fs-collapse" aria-expanded={true} aria-controls={bodyId} aria-label="Hide the fields sidebar" title="Hide the fields sidebar" onClick={() => setOpen(false)}>
          ‹
        </button>
      </div>
      <FieldsBody id={bodyId} entries={entries} onAddFilter={onAddFilter} columns={columns} onColumnsChange={onColumnsChange} />
    </aside>
  );
});

function FieldsBody({ id, entries, onAddFilter, columns, onColumnsChange }: Props & { id: string }) {
  // Counted only while the sidebar is open, once per result (entries are replaced, not mutated).
  const stats = useMemo(() => fieldStats(entries), [entries]);
  const [find, setFind] = useState('');
  const [expanded, setExpanded] = useState<Set<string>>(() => new Set());
  const needle = find.trim().toLowerCase();
  const shown = needle ? stats.fields.filter((f) => f.name.toLowerCase().includes(needle)) : stats.fields;
  const toggle = (key: string): void =>
    setExpanded((s) => {
      const n = new Set(s);
      if (n.has(key)) n.delete(key);
      else n.add(key);
      return n;
    });
  // Fields parsed here say how (json, logfmt); the server's parsed labels say nothing more.
  const formats = [...new Set(stats.fields.map((f) => f.parser).filter((p) => p !== undefined))].sort();
  return (
    <div id={id} className="fs-body">
      <p className="fs-total">in the {stats.total.toLocaleString()} lines shown</p>
      <input type="search" className="fs-find" aria-label="Find a field" placeholder="Find a field" value={find} onChange={(e) => setFind(e.target.value)} />
      {SECTIONS.map(({ source, title }) => {
        const list = shown.filter((f) => f.source === source);
        if (list.length === 0) return null;
        const heading = source === 'field' && formats.length > 0 ? `${title} (${formats.join(', ')})` : title;
        return (
          <section key={source} className="fs-section" aria-label={title}>
            <h3>{heading}</h3>
            <ul>
              {list.map((f) => {
                const key = `${f.source}:${f.name}`;
                return (
                  <FieldItem
                    key={key}
                    field={f}
                    total={stats.total}
                    open={expanded.has(key)}
                    onToggle={() => toggle(key)}
                    isColumn={columns.includes(f.name)}
                    onColumn={() => onColumnsChange(toggleColumn(columns, f.name))}
                    onAddFilter={onAddFilter}
                  />
                );
              })}
            </ul>
          </section>
        );
      })}
      {shown.length === 0 && <p className="dim small">{needle ? 'No field matches.' : 'No labels or fields.'}</p>}
    </div>
  );
}

interface ItemProps {
  field: FieldStat;
  total: number;
  open: boolean;
  onToggle: () => void;
  isColumn: boolean;
  onColumn: () => void;
  onAddFilter: (f: FilterAction) => void;
}

function FieldItem({ field: f, total, open, onToggle, isColumn, onColumn, onAddFilter }: ItemProps) {
  const valuesId = useId();
  return (
    <li className="fs-field">
      <div className="fs-field-row">
        <button type="button" className="fs-field-name" aria-expanded={open} aria-controls={valuesId} aria-label={`${f.name}: in ${f.count} of ${total} lines, ${f.distinct} distinct values`} onClick={onToggle}>
          <span className="fs-caret" aria-hidden="true">
            {open ? '▾' : '▸'}
          </span>
          <span className="fs-name">{f.name}</span>
          <span className="fs-count" title={`in ${f.count} of ${total} lines (${percent(f.count, total)})`}>
            {f.count.toLocaleString()}
          </span>
        </button>
        <button type="button" className={`fs-col-btn${isColumn ? ' fs-col-on' : ''}`} aria-pressed={isColumn} aria-label={`Show ${f.name} as a column`} title={isColumn ? `Remove the ${f.name} column` : `Show ${f.name} as a column`} onClick={onColumn}>
          ▥
        </button>
      </div>
      {open && (
        <ul id={valuesId} className="fs-values" aria-label={`Top values of ${f.name}`}>
          {f.top.map((v) => {
            const expr = `${f.name}="${v.value}"`;
            const share = percent(v.count, total);
            return (
              <li key={v.value} className="fs-value">
                <span className="fs-bar" style={{ width: share.replace(/[<>]/g, '') }} aria-hidden="true" />
                <button type="button" className="fs-value-for" aria-label={`Filter for ${expr}`} title={`Only lines with ${expr}`} onClick={() => onAddFilter(filterFor(f, v.value, '='))}>
                  <span className="fs-v">{v.value === '' ? '(empty)' : v.value}</span>
                  <span className="fs-n">{v.count.toLocaleString()}</span>
                  <span className="fs-p">{share}</span>
                </button>
                <button type="button" className="filter-btn" aria-label={`Filter against ${expr}`} title={`Lines without ${expr}`} onClick={() => onAddFilter(filterFor(f, v.value, '!='))}>
                  ≠
                </button>
              </li>
            );
          })}
          {f.distinct > f.top.length && <li className="fs-more">{(f.distinct - f.top.length).toLocaleString()} more values</li>}
        </ul>
      )}
    </li>
  );
}
