/**
 * Explore's Patterns tab: the log patterns of the query's streams (`GET /loki/api/v1/patterns`,
 * mined as lines are ingested; docs/patterns.md), each with its level, total count over the range
 * and a sparkline of its counts. Clicking a pattern adds it as a pattern line filter (`|> "..."`,
 * `<_>` matching anything) to the query.
 */
import { useEffect, useMemo, useState } from 'react';
import { ApiError, getJson } from '../../api';
import { chooseStep, msToNs } from '../../time';
import { streamSelectorOf } from '../../logql/rewrite';

export interface PatternSeries {
  pattern: string;
  level?: string;
  samples: Array<[number, number]>;
}

interface Props {
  query: string;
  startMs: number;
  endMs: number;
  /** Changes to force a reload of an unchanged view. */
  run: number;
  onPick: (pattern: string) => void;
}

type State = { status: 'loading' } | { status: 'error'; message: string } | { status: 'done'; data: PatternSeries[] };

const POINTS = 60;

/** An inline SVG line of counts over [startMs, endMs], `POINTS` buckets wide. */
export function Sparkline({ samples, startMs, endMs, stepS }: { samples: Array<[number, number]>; startMs: number; endMs: number; stepS: number }) {
  const w = 120;
  const h = 24;
  const n = Math.max(1, Math.ceil((endMs - startMs) / 1000 / stepS));
  const buckets = new Array<number>(n).fill(0);
  for (const [t, c] of samples) {
    const i = Math.floor((t * 1000 - startMs) / 1000 / stepS);
    if (i >= 0 && i < n) buckets[i] += c;
  }
  const max = Math.max(1, ...buckets);
  const pts = buckets.map((v, i) => `${((i + 0.5) * w) / n},${h - 1 - (v / max) * (h - 2)}`).join(' ');
  return (
    <svg className="pattern-spark" width={w} height={h} viewBox={`0 0 ${w} ${h}`} role="img" aria-label={`counts over time, at most ${max} per ${stepS}s`}>
      <polyline points={pts} fill="none" stroke="currentColor" strokeWidth="1.5" />
    </svg>
  );
}

export function PatternsPanel({ query, startMs, endMs, run, onPick }: Props) {
  const [state, setState] = useState<State>({ status: 'loading' });
  const selector = useMemo(() => streamSelectorOf(query), [query]);
  const stepS = chooseStep(endMs - startMs, POINTS);

  useEffect(() => {
    if (!selector) {
      setState({ status: 'error', message: 'The query has no stream selector.' });
      return;
    }
    const ac = new AbortController();
    setState({ status: 'loading' });
    getJson<{ status: string; data: PatternSeries[] }>('/loki/api/v1/patterns', { query: selector, start: msToNs(startMs), end: msToNs(endMs), step: stepS }, ac.signal)
      .then((r) => setState({ status: 'done', data: r.data ?? [] }))
      .catch((err: unknown) => {
        if ((err as Error).name === 'AbortError') return;
        setState({ status: 'error', message: err instanceof ApiError ? `HTTP ${err.status}: ${err.message}` : (err as Error).message });
      });
    return () => ac.abort();
  }, [selector, startMs, endMs, stepS, run]);

  if (state.status === 'loading') return <div className="empty" aria-busy="true">Loading patterns…</div>;
  if (state.status === 'error') {
    return (
      <div className="error-box" role="alert">
        Patterns unavailable: {state.message}
      </div>
    );
  }
  if (state.data.length === 0) return <div className="empty">No patterns for {selector} in this range.</div>;
  return (
    <div className="patterns-wrap">
      <table className="patterns-table" aria-label="Patterns">
        <thead>
          <tr>
            <th scope="col">Pattern</th>
            <th scope="col">Level</th>
            <th scope="col" className="num">
              Count
            </th>
            <th scope="col">Over time</th>
          </tr>
        </thead>
        <tbody>
          {state.data.map((p) => {
            const total = p.samples.reduce((n, s) => n + s[1], 0);
            return (
              <tr key={`${p.level ?? ''}\u0000${p.pattern}`}>
                <td className="pattern-text">
                  <button type="button" className="pattern-pick" title="Add this pattern as a line filter" onClick={() => onPick(p.pattern)}>
                    {p.pattern}
                  </button>
                </td>
                <td>
                  <span className={`level-badge level-${p.level ?? 'unknown'}`}>{p.level ?? 'unknown'}</span>
                </td>
                <td className="num">{total.toLocaleString()}</td>
                <td>
                  <Sparkline samples={p.samples} startMs={startMs} endMs={endMs} stepS={stepS} />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
