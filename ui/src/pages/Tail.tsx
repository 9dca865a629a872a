/**
 * Live tail: follows a log query over Loki's tail WebSocket, newest line on top. Pause freezes
 * the view while lines keep arriving; a dropped connection is retried with backoff and resumes
 * after the last entry seen. Page state in the query string: `query`, `follow=1` (tailing, so a
 * reload carries on), `keep` (lines kept).
 *
 * Browsers cannot set headers on a WebSocket, so the tenant goes in the `orgId` parameter.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import { getTenant } from '../api';
import { navigate, useLocation } from '../router';
import { LogList, useUniqueLabelsSetting } from '../components/LogList';
import { ColumnPicker, useColumnsSetting } from '../components/ColumnPicker';
import type { FilterAction } from '../types';
import { useTail } from '../components/tail/use-tail';
import { TailStatusBar } from '../components/tail/TailStatusBar';
import { CAP_CHOICES } from '../components/tail/tail-buffer';
import { applyFilter, lineFilterTerms } from '../logql/rewrite';
import { AppLink } from '../components/overview/AppLink';
import { formatCount } from '../components/overview/format';
import '../pages.css';
import '../tail.css';

const DEFAULT_CAP = 5000;

function capOf(s: string | null): number {
  const n = Number(s);
  return (CAP_CHOICES as readonly number[]).includes(n) ? n : DEFAULT_CAP;
}

export function TailPage() {
  const { params } = useLocation();
  const urlQuery = params.get('query') ?? '';
  const cap = capOf(params.get('keep'));
  const [draft, setDraft] = useState(urlQuery);
  const tenant = getTenant();
  const [snap, session] = useTail(cap, tenant);
  const running = snap.status.kind !== 'stopped' && snap.status.kind !== 'failed';
  const highlight = useMemo(() => lineFilterTerms(snap.query), [snap.query]);
  const [showLabels, setShowLabels] = useUniqueLabelsSetting();
  const [columns, setColumns] = useColumnsSetting('tail');
  const inputRef = useRef<HTMLInputElement>(null);

  const setUrl = (patch: Record<string, string | undefined>): void => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(patch)) {
      if (v) next.set(k, v);
      else next.delete(k);
    }
    navigate('/tail', next, true);
  };

  const start = (q: string): void => {
    const query = q.trim();
    if (!query) return;
    setDraft(query);
    setUrl({ query, follow: '1' });
    session.start(query);
  };
  const stop = (): void => {
    session.stop();
    setUrl({ follow: undefined });
  };

  // A link or reload with follow=1 starts tailing at once.
  useEffect(() => {
    if (params.get('follow') === '1' && urlQuery.trim()) session.start(urlQuery.trim());
    else inputRef.current?.focus();
    // Only on mount: later changes to the URL come from this page itself.
  }, []);

  const addFilter = (f: FilterAction): void => {
    const base = snap.query || draft;
    const next = applyFilter(base, f);
    if (running) start(next);
    else setDraft(next);
  };

  const empty = !running
    ? snap.status.kind === 'failed'
      ? 'The tail stopped; fix the query above and press Start.'
      : 'Enter a log query such as {service="api"} |= "error" and press Start to follow it as lines arrive.'
    : snap.status.kind === 'live'
      ? `Following ${snap.query} — no matching line in the last hour yet. New lines show up here as soon as they are pushed (POST /loki/api/v1/push).`
      : 'Connecting…';

  return (
    <section className="tail-page" aria-labelledby="tail-title">
      <h1 id="tail-title" className="visually-hidden">
        Live tail
      </h1>
      <form
        className="tail-toolbar"
        onSubmit={(e) => {
          e.preventDefault();
          if (!running || draft.trim() !== snap.query) start(draft);
        }}
      >
        <input
          ref={inputRef}
          className="query-input"
          aria-label="Log query to follow"
          placeholder='{service="api"} |= "error"'
          spellCheck={false}
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
        />
        {(!running || draft.trim() !== snap.query) && (
          <button type="submit" className="primary" disabled={!draft.trim()} aria-label={running ? 'Follow the edited query' : 'Start following'}>
            ▶ {running ? 'Restart' : 'Start'}
          </button>
        )}
        {running && (
          <button type="button" className="danger" onClick={stop} aria-label="Stop following">
            ■ Stop
          </button>
        )}
        <button type="button" disabled={!running && !snap.paused} aria-pressed={snap.paused} onClick={() => (snap.paused ? session.resume() : session.pause())} aria-label={snap.paused ? 'Resume the view' : 'Pause the view'}>
          {snap.paused ? '▶ Resume' : '❚❚ Pause'}
        </button>
        <label className="inline-field">
          <input type="checkbox" checked={showLabels} onChange={(e) => setShowLabels(e.target.checked)} />
          <span>Unique labels</span>
        </label>
        <ColumnPicker entries={snap.entries} columns={columns} onChange={setColumns} />
        <label className="inline-field">
          <span>Keep</span>
          <select
            aria-label="Lines kept (oldest dropped)"
            value={cap}
            onChange={(e) => {
              session.setCap(Number(e.target.value));
              setUrl({ keep: e.target.value === String(DEFAULT_CAP) ? undefined : e.target.value });
            }}
          >
            {CAP_CHOICES.map((c) => (
              <option key={c} value={c}>
                {formatCount(c)} lines
              </option>
            ))}
          </select>
        </label>
        <button type="button" onClick={() => session.clear()} disabled={snap.kept === 0 && snap.entries.length === 0} aria-label="Clear the lines shown">
          Clear
        </button>
        {snap.query && (
          <AppLink to={`/explore?${new URLSearchParams({ query: snap.query, from: 'now-1h' }).toString()}`} className="toolbar-link" label="Open this query in Explore">
            Explore ↗
          </AppLink>
        )}
      </form>

      <TailStatusBar snap={snap} onResume={() => session.resume()} />

      {snap.status.kind === 'failed' && (
        <div className="error-box" role="alert">
          {snap.status.reason}
        </div>
      )}
      {snap.notices.map((n) => (
        <div key={n.id} className={`notice notice-${n.kind}`} role={n.kind === 'reconnected' ? 'status' : 'alert'}>
          <span>
            {n.text}
          </span>
          <button type="button" className="icon-button" aria-label="Dismiss notice" onClick={() => session.dismissNotice(n.id)}>
            ×
          </button>
        </div>
      ))}

      <div className="tail-list">
        <LogList entries={snap.entries} follow={!snap.paused} label="Live tail lines" emptyText={empty} onAddFilter={addFilter} highlight={highlight} showLabels={showLabels} columns={columns} onColumnsChange={setColumns} />
      </div>
    </section>
  );
}
