/**
 * Explore: write a LogQL query, run it over a time range, read the lines (or the chart of a
 * metric query) and refine by clicking. A log query has two tabs: its lines, and the patterns of
 * its streams (click one to filter by it). The view lives in the URL (`query`, `from`, `to`,
 * `limit`, `view`), so a link reproduces it and back/forward steps through the queries run.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { navigate, useLocation } from '../router';
import { QueryEditor } from '../components/explore/QueryEditor';
import { TimeRangePicker } from '../components/explore/TimeRangePicker';
import { QueryStatsBar } from '../components/explore/QueryStatsBar';
import { MAX_PAGE_LIMIT } from '../components/explore/paging';
import { ExploreEmpty } from '../components/explore/ExploreEmpty';
import { SeriesTable } from '../components/explore/SeriesTable';
import { useExploreQuery } from '../components/explore/use-explore-query';
import { PatternsPanel } from '../components/explore/PatternsPanel';
import { ShareControls } from '../components/explore/ShareControls';
import { SavedQueries } from '../components/explore/SavedQueries';
import { LogList, useUniqueLabelsSetting } from '../components/LogList';
import { FieldsSidebar } from '../components/explore/FieldsSidebar';
import { useColumnsSetting } from '../components/ColumnPicker';
import { TimeSeriesChart } from '../components/TimeSeriesChart';
import { applyFilter, lineFilterTerms } from '../logql/rewrite';
import { parseErrorPosition } from '../logql/parse-error';
import { RELATIVE_RANGES, describeRange, resolveRange } from '../time';
import type { FilterAction } from '../types';
import '../components/explore/explore.css';

const DEFAULT_FROM = 'now-1h';
const LIMITS = [100, 500, 1000, 2000, MAX_PAGE_LIMIT];
const DEFAULT_LIMIT = 1000;
const WRAP_KEY = 'logsentinel.explore.wrap';

export function ExplorePage() {
  const { params } = useLocation();
  const query = params.get('query') ?? '';
  const from = params.get('from') || DEFAULT_FROM;
  const to = params.get('to') || 'now';
  const limitParam = Number(params.get('limit'));
  const limit = Number.isInteger(limitParam) && limitParam > 0 ? Math.min(limitParam, MAX_PAGE_LIMIT) : DEFAULT_LIMIT;
  const view = params.get('view') === 'patterns' ? 'patterns' : 'logs';

  const [draft, setDraft] = useState(query);
  const [run, setRun] = useState(0);
  // Back/forward (or a link) brings a new query: show it in the editor.
  useEffect(() => setDraft(query), [query]);

  const [res, cancel, loadOlder, loadNewer] = useExploreQuery({ query, from, to, limit, run });

  const go = useCallback(
    (next: { query?: string; from?: string; to?: string; limit?: number; view?: 'logs' | 'patterns' }, replace = false): void => {
      const v = next.view ?? view;
      navigate(
        '/explore',
        {
          query: next.query ?? query,
          from: next.from ?? from,
          to: next.to ?? to,
          limit: String(next.limit ?? limit) === String(DEFAULT_LIMIT) ? undefined : String(next.limit ?? limit),
          view: v === 'patterns' ? v : undefined,
        },
        replace,
      );
      setRun((r) => r + 1);
    },
    [query, from, to, limit, view],
  );

  const runDraft = (): void => go({ query: draft });
  // Charts span the range the result covers, whatever part of it has data.
  const chartRange = useMemo(() => (res.endMs > res.startMs ? { fromS: res.startMs / 1000, toS: res.endMs / 1000 } : undefined), [res.startMs, res.endMs]);
  const onZoom = useCallback((fromS: number, toS: number) => go({ from: String(Math.floor(fromS * 1000)), to: String(Math.ceil(toS * 1000)) }), [go]);
  const onAddFilter = useCallback((f: FilterAction) => go({ query: applyFilter(query, f) }), [go, query]);
  const onPickPattern = useCallback((pattern: string) => go({ query: applyFilter(query, { kind: 'line', text: pattern, op: '|>' }), view: 'logs' }), [go, query]);

  // The current range, for completion (refreshed when the range changes or a query runs).
  const range = useMemo(() => {
    try {
      return resolveRange(from, to, Date.now());
    } catch {
      return { startMs: Date.now() - 3_600_000, endMs: Date.now() };
    }
    // `run` is a dependency on purpose: a re-run re-resolves a relative range.
  }, [from, to, run]);

  const highlight = useMemo(() => lineFilterTerms(query), [query]);
  const [wrap, setWrap] = useState(() => localStorage.getItem(WRAP_KEY) === '1');
  const [showLabels, setShowLabels] = useUniqueLabelsSetting();
  const [columns, setColumns] = useColumnsSetting('explore');

  const zoomOut = (): void => {
    const span = range.endMs - range.startMs;
    const end = Math.min(Date.now(), range.endMs + span / 2);
    go({ from: String(Math.floor(end - span * 2)), to: to === 'now' ? 'now' : String(Math.ceil(end)) });
  };

  // `/` focuses the editor from anywhere on the page but a text field.
  const section = useRef<HTMLElement>(null);
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      const t = e.target as HTMLElement;
      const typing = t.closest('textarea, select, [contenteditable]') || (t instanceof HTMLInputElement && !['checkbox', 'radio', 'button', 'submit'].includes(t.type));
      if (e.key !== '/' || e.ctrlKey || e.metaKey || e.altKey || typing) return;
      e.preventDefault();
      section.current?.querySelector<HTMLTextAreaElement>('.qe-textarea')?.focus();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const parseErr = res.error && res.error.status === 400 ? parseErrorPosition(res.error.message, query) : undefined;
  const loading = res.status === 'loading';
  const rangeText = describeRange(from, to, Date.now());
  const widen = RELATIVE_RANGES.filter((r) => {
    try {
      return resolveRange(r.from, 'now', Date.now()).startMs < range.startMs;
    } catch {
      return false;
    }
  }).slice(0, 3);

  return (
    <section className="explore" ref={section} aria-label="Explore">
      <div className="explore-query">
        <QueryEditor value={draft} onChange={setDraft} onRun={runDraft} startMs={range.startMs} endMs={range.endMs} error={draft === query ? parseErr : undefined} autoFocus={!query} />
        <div className="explore-actions">
          {loading ? (
            <button type="button" onClick={cancel} aria-label="Cancel query">
              Cancel
            </button>
          ) : (
            <button type="button" className="primary" onClick={runDraft} aria-label="Run query" title="Run (Shift+Enter)">
              Run
            </button>
          )}
        </div>
      </div>
      <div className="explore-toolbar">
        <TimeRangePicker from={from} to={to} onChange={(f, t) => go({ from: f, to: t })} />
        <button type="button" onClick={zoomOut} aria-label="Zoom out (double the time range)" title="Zoom out">
          −
        </button>
        <label className="explore-field">
          <span>Limit</span>
          <select aria-label="Line limit" value={limit} onChange={(e) => go({ limit: Number(e.target.value) })}>
            {LIMITS.map((l) => (
              <option key={l} value={l}>
                {l}
              </option>
            ))}
          </select>
        </label>
        <label className="explore-field">
          <input
            type="checkbox"
            checked={wrap}
            onChange={(e) => {
              setWrap(e.target.checked);
              localStorage.setItem(WRAP_KEY, e.target.checked ? '1' : '0');
            }}
          />
          <span>Wrap lines</span>
        </label>
        <label className="explore-field">
          <input type="checkbox" checked={showLabels} onChange={(e) => setShowLabels(e.target.checked)} />
          <span>Unique labels</span>
        </label>
        <SavedQueries query={draft} from={from} to={to} onOpen={(s) => go(s)} />
        <ShareControls query={query} entries={res.entries} startMs={res.startMs} endMs={res.endMs} limit={limit} view={view} onPickQuery={(q) => go({ query: q })} />
        <QueryStatsBar result={res} limit={limit} />
      </div>
      <div className={`explore-progress${loading ? ' explore-progress-on' : ''}`} role="progressbar" aria-label="Query progress" aria-busy={loading} aria-valuetext={loading ? 'running' : 'idle'} />
      {res.status === 'error' && res.error && (
        <div className="error-box" role="alert">
          <strong>{res.error.status ? `HTTP ${res.error.status}` : 'Error'}:</strong> {res.error.message}
        </div>
      )}
      {!query.trim() && <ExploreEmpty onPick={(q) => { setDraft(q); go({ query: q }); }} startMs={range.startMs} endMs={range.endMs} />}
      {query.trim() && res.kind === 'metric' && res.status !== 'error' && (
        <div className="explore-metric">
          {res.series.length > 0 ? (
            <>
              <TimeSeriesChart series={res.series} kind="line" label="Metric query result" onZoom={onZoom} height={280} showLegend range={chartRange} />
              <SeriesTable series={res.series} />
            </>
          ) : (
            res.status === 'done' && <div className="empty">The query returned no series in {rangeText.toLowerCase()}. Try a wider range.</div>
          )}
        </div>
      )}
      {query.trim() && res.kind === 'logs' && (
        <div className="explore-tabs" role="tablist" aria-label="Result view">
          <button type="button" role="tab" aria-selected={view === 'logs'} className={view === 'logs' ? 'active' : ''} onClick={() => go({ view: 'logs' })}>
            Logs
          </button>
          <button type="button" role="tab" aria-selected={view === 'patterns'} className={view === 'patterns' ? 'active' : ''} onClick={() => go({ view: 'patterns' })}>
            Patterns
          </button>
        </div>
      )}
      {query.trim() && res.kind === 'logs' && view === 'patterns' && <PatternsPanel query={query} startMs={range.startMs} endMs={range.endMs} run={run} onPick={onPickPattern} />}
      {query.trim() && res.kind === 'logs' && view === 'logs' && res.status !== 'error' && (
        <>
          <div className="explore-volume">
            {res.volume.length > 0 && <TimeSeriesChart series={res.volume} kind="bars" stacked label="Log volume by level" onZoom={onZoom} height={110} showLegend range={chartRange} />}
            {res.volumeError && <div className="explore-volume-error">Log volume unavailable: {res.volumeError}</div>}
          </div>
          {res.entries.length > 0 && (
            <div className="explore-results">
              <FieldsSidebar entries={res.entries} onAddFilter={onAddFilter} columns={columns} onColumnsChange={setColumns} />
              <LogList entries={res.entries} onAddFilter={onAddFilter} label="Log lines" highlight={highlight} wrap={wrap} showLabels={showLabels} columns={columns} onColumnsChange={setColumns} />
            </div>
          )}
          {res.status === 'done' && res.entries.length > 0 && (
            <div className="explore-older" role="status">
              <span className="dim small">
                {res.entries.length.toLocaleString()} lines shown{res.more ? '' : ', the oldest in the range'}
                {res.olderError && <span className="level-error"> · {res.olderError}</span>}
                {res.newerPages ? <span className="explore-newer"> · {(res.newerAdded ?? 0).toLocaleString()} newer lines loaded</span> : null}
                {res.newerError && <span className="level-error"> · {res.newerError}</span>}
              </span>
              {/* A range ending now: lines may have arrived since the query ran. */}
              {to.startsWith('now') && (
                <button type="button" onClick={loadNewer} disabled={res.loadingNewer} title="Read the lines that arrived since the query ran, up to the limit">
                  {res.loadingNewer ? 'Loading newer lines…' : 'Load newer lines'}
                </button>
              )}
              {res.more && (
                <button type="button" onClick={loadOlder} disabled={res.loadingOlder}>
                  {res.loadingOlder ? 'Loading older lines…' : `Load ${limit.toLocaleString()} older lines`}
                </button>
              )}
            </div>
          )}
          {res.status === 'done' && res.entries.length === 0 && (
            <div className="empty explore-no-results">
              <p>No log lines match this query in {rangeText.startsWith('Last') ? rangeText.toLowerCase() : rangeText}.</p>
              {widen.length > 0 && (
                <p>
                  Try a wider range:{' '}
                  {widen.map((r) => (
                    <button key={r.from} type="button" onClick={() => go({ from: r.from, to: 'now' })}>
                      {r.label}
                    </button>
                  ))}
                </p>
              )}
            </div>
          )}
        </>
      )}
    </section>
  );
}
