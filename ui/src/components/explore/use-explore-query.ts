/**
 * Runs Explore's query whenever its inputs (or `run`, bumped to re-run the same view) change:
 * a metric query as a matrix over ~200 steps; a log query for its lines (with structured metadata
 * and parsed labels) and, alongside, the log volume by level over ~100 buckets. Starting a new
 * run aborts the previous one (its fetches are cancelled, their answers ignored).
 */
import { useEffect, useRef, useState } from 'react';
import { ApiError, getJson, type MatrixResult, type QueryResponse, type QueryStats } from '../../api';
import type { ChartSeries, LogEntry } from '../../types';
import { streamsToEntries } from '../../entries';
import { isMetricQuery, selectorWithLineFilters, volumeQuery } from '../../logql/rewrite';
import { chooseStep, msToNs, resolveRange } from '../../time';
import { seriesName, volumeEvalStartMs, volumeSeries } from './volume';
import { appendOlder, newerPageRequest, olderPageRequest, prependNewer } from './paging';

export interface ExploreInputs {
  query: string;
  from: string;
  to: string;
  limit: number;
  /** Changes to force a re-run of an unchanged view. */
  run: number;
}

export interface ExploreResult {
  status: 'idle' | 'loading' | 'done' | 'error';
  kind: 'logs' | 'metric';
  entries: LogEntry[];
  series: ChartSeries[];
  volume: ChartSeries[];
  volumeError?: string;
  stats?: QueryStats['summary'];
  error?: { status: number; message: string };
  /** The range the result covers. */
  startMs: number;
  endMs: number;
  /** Milliseconds from request to rendered data (client view, includes transfer). */
  elapsedMs?: number;
  /** Log queries: an older page may exist (the last page read was full). */
  more?: boolean;
  /** Log queries: older pages read so far, and whether one is being read. */
  pages?: number;
  loadingOlder?: boolean;
  olderError?: string;
  /** Log queries over a range ending now: lines read since the first page (newer than it), and whether a read is running. */
  newerAdded?: number;
  newerPages?: number;
  loadingNewer?: boolean;
  newerError?: string;
}

const CATEGORIZE = { 'X-Loki-Response-Encoding-Flags': 'categorize-labels' };

function matrixToSeries(result: MatrixResult[], fallback: string): ChartSeries[] {
  return result.map((m) => ({ name: seriesName(m.metric, fallback), points: m.values.map(([t, v]) => [t, Number(v)] as [number, number]) }));
}

function errorOf(err: unknown): { status: number; message: string } {
  if (err instanceof ApiError) return { status: err.status, message: err.message };
  return { status: 0, message: (err as Error).message };
}

export function useExploreQuery(inputs: ExploreInputs): [ExploreResult, () => void, () => void, () => void] {
  const [res, setRes] = useState<ExploreResult>({ status: 'idle', kind: 'logs', entries: [], series: [], volume: [], startMs: 0, endMs: 0 });
  const ctrl = useRef<AbortController | undefined>(undefined);

  useEffect(() => {
    ctrl.current?.abort();
    const q = inputs.query.trim();
    if (!q) {
      setRes({ status: 'idle', kind: 'logs', entries: [], series: [], volume: [], startMs: 0, endMs: 0 });
      return;
    }
    const ac = new AbortController();
    ctrl.current = ac;
    const t0 = performance.now();
    const metric = isMetricQuery(q);
    let range: { startMs: number; endMs: number };
    try {
      range = resolveRange(inputs.from, inputs.to, Date.now());
    } catch (err) {
      setRes({ status: 'error', kind: metric ? 'metric' : 'logs', entries: [], series: [], volume: [], startMs: 0, endMs: 0, error: { status: 0, message: (err as Error).message } });
      return;
    }
    const span = range.endMs - range.startMs;
    const base = { start: msToNs(range.startMs), end: msToNs(range.endMs) };
    setRes((r) => ({ ...r, status: 'loading', kind: metric ? 'metric' : 'logs', error: undefined, startMs: range.startMs, endMs: range.endMs }));

    const done = (patch: Partial<ExploreResult>): void => {
      if (ac.signal.aborted) return;
      setRes((r) => ({ ...r, ...patch, startMs: range.startMs, endMs: range.endMs }));
    };
    const fail = (err: unknown): void => {
      if ((err as Error).name === 'AbortError' || ac.signal.aborted) return;
      done({ status: 'error', error: errorOf(err), entries: [], series: [], volume: [], stats: undefined });
    };

    if (metric) {
      const step = chooseStep(span, 200);
      getJson<QueryResponse>('/loki/api/v1/query_range', { query: q, ...base, step }, ac.signal)
        .then((r) => {
          const d = r.data;
          const series = d.resultType === 'matrix' ? matrixToSeries(d.result, q) : [];
          done({ status: 'done', series, entries: [], volume: [], stats: d.stats?.summary, elapsedMs: performance.now() - t0 });
        })
        .catch(fail);
    } else {
      getJson<QueryResponse>('/loki/api/v1/query_range', { query: q, ...base, limit: inputs.limit, direction: 'backward' }, ac.signal, CATEGORIZE)
        .then((r) => {
          const d = r.data;
          const entries = d.resultType === 'streams' ? streamsToEntries(d.result) : [];
          done({ status: 'done', entries, series: [], stats: d.stats?.summary, elapsedMs: performance.now() - t0, more: entries.length >= inputs.limit, pages: 0, loadingOlder: false, olderError: undefined, newerAdded: 0, newerPages: 0, loadingNewer: false, newerError: undefined });
        })
        .catch(fail);
      // The histogram counts what the query matches; if its pipeline cannot be counted (a
      // parser error, say), it falls back to the selector and line filters.
      const step = chooseStep(span, 100);
      const volStartMs = volumeEvalStartMs(range.startMs, range.endMs, step);
      const vol = (lq: string): Promise<QueryResponse> => getJson<QueryResponse>('/loki/api/v1/query_range', { query: volumeQuery(lq, step), start: msToNs(volStartMs), end: base.end, step }, ac.signal);
      vol(q)
        .catch((err: unknown) => {
          const sel = selectorWithLineFilters(q);
          if ((err as Error).name === 'AbortError' || !sel || sel === q) throw err;
          return vol(sel);
        })
        .then((r) => done({ volume: r.data.resultType === 'matrix' ? volumeSeries(r.data.result, volStartMs / 1000, range.endMs / 1000, step) : [], volumeError: undefined }))
        .catch((err: unknown) => {
          if ((err as Error).name === 'AbortError' || ac.signal.aborted) return;
          done({ volume: [], volumeError: errorOf(err).message });
        });
    }
    return () => ac.abort();
  }, [inputs.query, inputs.from, inputs.to, inputs.limit, inputs.run]);

  const cancel = (): void => {
    ctrl.current?.abort();
    setRes((r) => (r.status === 'loading' ? { ...r, status: 'error', error: { status: 0, message: 'query cancelled' } } : r));
  };

  // The next older page of a log query's lines (paging.ts), appended to what is shown.
  const resRef = useRef(res);
  resRef.current = res;
  const loadOlder = (): void => {
    const r = resRef.current;
    const ac = ctrl.current;
    const req = olderPageRequest(r.entries, inputs.limit);
    if (!ac || !req || r.kind !== 'logs' || r.status !== 'done' || r.loadingOlder) return;
    setRes((x) => ({ ...x, loadingOlder: true, olderError: undefined }));
    getJson<QueryResponse>('/loki/api/v1/query_range', { query: inputs.query.trim(), start: msToNs(r.startMs), end: req.endNs, limit: req.limit, direction: 'backward' }, ac.signal, CATEGORIZE)
      .then((resp) => {
        if (ac.signal.aborted) return;
        const page = resp.data.resultType === 'streams' ? streamsToEntries(resp.data.result) : [];
        setRes((x) => {
          const next = appendOlder(x.entries, page, req.limit, (x.pages ?? 0) + 1);
          return { ...x, entries: next.entries, more: next.more, pages: (x.pages ?? 0) + 1, loadingOlder: false };
        });
      })
      .catch((err: unknown) => {
        if ((err as Error).name === 'AbortError' || ac.signal.aborted) return;
        setRes((x) => ({ ...x, loadingOlder: false, olderError: errorOf(err).message }));
      });
  };

  // Lines that arrived since a range ending "now" was read (paging.ts), put before what is shown;
  // up to the limit per click, so a busy stream cannot flood the list at once.
  const loadNewer = (): void => {
    const r = resRef.current;
    const ac = ctrl.current;
    const req = newerPageRequest(r.entries, inputs.limit);
    if (!ac || !req || r.kind !== 'logs' || r.status !== 'done' || r.loadingNewer) return;
    setRes((x) => ({ ...x, loadingNewer: true, newerError: undefined }));
    getJson<QueryResponse>('/loki/api/v1/query_range', { query: inputs.query.trim(), start: req.startNs, end: msToNs(Date.now()), limit: req.limit, direction: 'forward' }, ac.signal, CATEGORIZE)
      .then((resp) => {
        if (ac.signal.aborted) return;
        const page = resp.data.resultType === 'streams' ? streamsToEntries(resp.data.result) : [];
        // streamsToEntries sorts newest first; prependNewer takes the forward read's order.
        page.reverse();
        setRes((x) => {
          const n = (x.newerPages ?? 0) + 1;
          const next = prependNewer(x.entries, page, req.limit, n);
          return { ...x, entries: next.entries, newerAdded: (x.newerAdded ?? 0) + next.added, newerPages: n, loadingNewer: false };
        });
      })
      .catch((err: unknown) => {
        if ((err as Error).name === 'AbortError' || ac.signal.aborted) return;
        setRes((x) => ({ ...x, loadingNewer: false, newerError: errorOf(err).message }));
      });
  };
  return [res, cancel, loadOlder, loadNewer];
}
