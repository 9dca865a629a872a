/**
 * One rule's page, `/alerts/rule/<namespace>/<group>/<rule name>` (rule-page.ts reads the path):
 * its definition and last evaluation, its alerts, and its expression charted as a range query
 * around the time the first alert became active, from `/prometheus/api/v1/rules` and
 * `/loki/api/v1/query_range`. Page state in the query string: `n` (which of several rules of one
 * name), `refresh` (seconds, 0 = off).
 */
import { useCallback, useMemo } from 'react';
import { ApiError, getJson, getTenant, type QueryResponse } from '../api';
import { navigate, useLocation } from '../router';
import { msToNs } from '../time';
import type { ChartSeries } from '../types';
import { TimeSeriesChart } from '../components/TimeSeriesChart';
import { AppLink } from '../components/overview/AppLink';
import { RefreshControl } from '../components/overview/RefreshControl';
import { usePolling } from '../components/overview/use-polling';
import { AlertList } from '../components/alerts/AlertList';
import { RuleDefinition } from '../components/alerts/RuleDefinition';
import { StateBadge } from '../components/alerts/StateBadge';
import { errorHint } from '../components/alerts/error-hint';
import { chartStepS, chartWindow, earliestActiveMs, findRule, parseRulePath, ruleExploreLinks, ruleSeries, splitThreshold, type ChartWindow, type RuleRef, type Threshold } from '../components/alerts/rule-page';
import { isBuiltInRule, type RuleRow, type RulesResponse } from '../components/alerts/rules-model';
import { parseIsoMs } from '../components/overview/format';
import '../pages.css';
import '../alerts.css';

const DEFAULT_REFRESH_S = 30;

interface RuleChart {
  window: ChartWindow;
  query: string;
  threshold?: Threshold;
  series?: ChartSeries[];
  error?: string;
}

interface RuleData {
  row?: RuleRow;
  chart?: RuleChart;
  loadedAt: number;
}

async function loadChart(row: RuleRow, nowMs: number, signal: AbortSignal): Promise<RuleChart | undefined> {
  // The built-in critical-entries rule has prose for an expression: nothing to chart.
  if (isBuiltInRule(row)) return undefined;
  const window = chartWindow(row.rule.type === 'alerting' ? earliestActiveMs(row.rule) : undefined, nowMs);
  const { query, threshold } = splitThreshold(row.rule.query);
  try {
    const r = await getJson<QueryResponse>('/loki/api/v1/query_range', { query, start: msToNs(window.startMs), end: msToNs(window.endMs), step: chartStepS(window) }, signal);
    if (r.data.resultType !== 'matrix') return { window, query, threshold, error: `the expression gives ${r.data.resultType}, not a series over time` };
    return { window, query, threshold, series: ruleSeries(r.data.result, query, window, threshold) };
  } catch (err) {
    if (signal.aborted || !(err instanceof ApiError)) throw err;
    // The rule stays worth showing when its chart cannot be drawn.
    return { window, query, threshold, error: err.message };
  }
}

async function load(ref: RuleRef | undefined, signal: AbortSignal): Promise<RuleData> {
  const rules = await getJson<RulesResponse>('/prometheus/api/v1/rules', undefined, signal);
  const nowMs = Date.now();
  const row = ref ? findRule(rules.data.groups, ref) : undefined;
  return { row, chart: row ? await loadChart(row, nowMs, signal) : undefined, loadedAt: nowMs };
}

function NoSuchRule({ rule }: { rule: RuleRef | undefined }) {
  const tenant = getTenant() || 'default';
  return (
    <div className="empty-state" role="status">
      <p>
        <strong>No such rule{rule ? `: ${rule.name}${rule.n > 1 ? ` (#${rule.n})` : ''} in group ${rule.group} of namespace ${rule.file}` : ''}</strong> for tenant {tenant}. It may have been renamed or deleted, or belong to
        another tenant. <AppLink to="/alerts">Back to all rules and alerts</AppLink>
      </p>
    </div>
  );
}

function ChartPanel({ chart, row }: { chart: RuleChart; row: RuleRow }) {
  const w = chart.window;
  const links = ruleExploreLinks(row.rule.query, w);
  const markers = row.rule.type === 'alerting' && w.activeAtMs !== undefined ? [{ atS: w.activeAtMs / 1000, label: `active since ${new Date(w.activeAtMs).toLocaleTimeString()}` }] : undefined;
  const empty = chart.series !== undefined && chart.series.every((s) => s.name.startsWith('threshold ') || s.points.every(([, v]) => v === 0));
  return (
    <div className="panel">
      <h2>
        {chart.threshold ? 'Query and threshold' : 'Query'} {w.activeAtMs !== undefined ? 'around the first alert' : 'over the last hour'}
      </h2>
      <p className="dim small">
        <code>{chart.query}</code> from {new Date(w.startMs).toLocaleString()} to {new Date(w.endMs).toLocaleString()}
        {' · '}
        <AppLink to={links.expression} title="The rule's whole expression over this window">
          Open in Explore
        </AppLink>
        {links.logs && (
          <>
            {' · '}
            <AppLink to={links.logs} label={`Logs of ${row.rule.name}`} title="The log query inside the expression over this window">
              Logs
            </AppLink>
          </>
        )}
      </p>
      {chart.error ? (
        <div className="error-box" role="alert">
          Cannot chart the expression: {chart.error}
        </div>
      ) : (
        <>
          <TimeSeriesChart series={chart.series ?? []} label={`Chart of ${row.rule.name}`} range={{ fromS: w.startMs / 1000, toS: w.endMs / 1000 }} markers={markers} height={220} />
          {empty && <p className="dim small">No samples above zero in this window.</p>}
        </>
      )}
    </div>
  );
}

export function AlertRulePage() {
  const { pathname, params } = useLocation();
  const nParam = params.get('n');
  const ref = useMemo(() => parseRulePath(pathname, nParam), [pathname, nParam]);
  const refreshParam = Number(params.get('refresh') ?? DEFAULT_REFRESH_S);
  const refreshS = Number.isFinite(refreshParam) && refreshParam >= 0 ? refreshParam : DEFAULT_REFRESH_S;
  const setRefresh = (s: number): void => {
    const next = new URLSearchParams(params);
    next.set('refresh', String(s));
    navigate(pathname, next, true);
  };

  const fetcher = useCallback((signal: AbortSignal) => load(ref, signal), [ref]);
  const { data, error, loading, busy, updatedAt, refresh } = usePolling(fetcher, pathname + '?' + (nParam ?? ''), refreshS * 1000);
  const row = data?.row;
  const nowMs = data?.loadedAt ?? Date.now();
  const exprOf = useCallback(() => row?.rule.query, [row]);
  const alerts = row?.rule.type === 'alerting' ? [...row.rule.alerts].sort((a, b) => (parseIsoMs(a.activeAt) ?? 0) - (parseIsoMs(b.activeAt) ?? 0)) : [];

  return (
    <section className="dash" aria-labelledby="rule-title">
      <nav className="breadcrumb small" aria-label="Breadcrumb">
        <AppLink to="/alerts">Alerts</AppLink>
        {ref && ` › ${ref.file} › ${ref.group}`}
      </nav>
      <div className="dash-head">
        <h1 id="rule-title">{ref?.name ?? 'Rule'}</h1>
        {row && <StateBadge state={row.state} />}
        <RefreshControl seconds={refreshS} onSeconds={setRefresh} onRefresh={refresh} updatedAt={updatedAt} busy={busy} />
      </div>

      {error && (
        <div className="error-box" role="alert">
          Cannot load the rule: {error.message}. {errorHint(error)}
        </div>
      )}
      {loading && !error && <div className="empty" role="status">Loading the rule…</div>}
      {data && !row && <NoSuchRule rule={ref} />}

      {row && (
        <>
          <div className="panel">
            <h2>Rule</h2>
            <RuleDefinition row={row} nowMs={nowMs} />
          </div>
          {row.rule.type === 'alerting' && (
            <div className="panel">
              <h2>Alerts ({alerts.length})</h2>
              {alerts.length === 0 ? <p className="dim">No alert of this rule is firing or pending.</p> : <AlertList alerts={alerts} exprOf={exprOf} nowMs={nowMs} label={`Alerts of ${row.rule.name}`} />}
            </div>
          )}
          {data.chart ? (
            <ChartPanel chart={data.chart} row={row} />
          ) : (
            <p className="dim">This built-in rule fires on ingest for each stream that logs an entry at a critical level; it has no LogQL expression to chart.</p>
          )}
        </>
      )}
    </section>
  );
}
