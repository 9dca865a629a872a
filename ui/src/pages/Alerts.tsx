/**
 * Alerts: every rule with its state, health and last evaluation (`/prometheus/api/v1/rules`),
 * the firing and pending alerts (`/prometheus/api/v1/alerts`), filters by state and name, and a
 * link from each rule and alert to its logs in Explore. Page state in the query string: `state`,
 * `q` (name filter), `refresh` (seconds, 0 = off).
 */
import { useCallback, useMemo } from 'react';
import { getJson, getTenant } from '../api';
import { navigate, useLocation } from '../router';
import { RefreshControl } from '../components/overview/RefreshControl';
import { usePolling } from '../components/overview/use-polling';
import { AlertList } from '../components/alerts/AlertList';
import { RuleTable } from '../components/alerts/RuleTable';
import { errorHint } from '../components/alerts/error-hint';
import { ruleHref, ruleHrefForAlert } from '../components/alerts/rule-page';
import { countAlerts, countStates, filterAlerts, filterRules, isBuiltInRule, isStateFilter, ruleRows, STATE_FILTERS, type AlertsResponse, type RulesResponse, type StateFilter } from '../components/alerts/rules-model';
import '../pages.css';
import '../alerts.css';

const DEFAULT_REFRESH_S = 10;

interface AlertsData {
  rules: RulesResponse['data']['groups'];
  alerts: AlertsResponse['data']['alerts'];
}

async function load(signal: AbortSignal): Promise<AlertsData> {
  const [rules, alerts] = await Promise.all([getJson<RulesResponse>('/prometheus/api/v1/rules', undefined, signal), getJson<AlertsResponse>('/prometheus/api/v1/alerts', undefined, signal)]);
  return { rules: rules.data.groups, alerts: alerts.data.alerts };
}

export function AlertsPage() {
  const { params } = useLocation();
  const stateParam = params.get('state');
  const state: StateFilter = isStateFilter(stateParam) ? stateParam : 'all';
  const text = params.get('q') ?? '';
  const refreshParam = Number(params.get('refresh') ?? DEFAULT_REFRESH_S);
  const refreshS = Number.isFinite(refreshParam) && refreshParam >= 0 ? refreshParam : DEFAULT_REFRESH_S;
  const set = (k: string, v: string): void => {
    const next = new URLSearchParams(params);
    if (v) next.set(k, v);
    else next.delete(k);
    navigate('/alerts', next, true);
  };

  const fetcher = useCallback((signal: AbortSignal) => load(signal), []);
  const { data, error, loading, busy, updatedAt, refresh } = usePolling(fetcher, 'alerts', refreshS * 1000);
  const rows = useMemo(() => ruleRows(data?.rules ?? []), [data]);
  const counts = useMemo(() => countStates(rows), [rows]);
  const alertCounts = useMemo(() => countAlerts(data?.alerts ?? []), [data]);
  const shownRules = useMemo(() => filterRules(rows, state, text), [rows, state, text]);
  const shownAlerts = useMemo(() => filterAlerts(data?.alerts ?? [], state === 'recording' ? 'all' : state, text), [data, state, text]);
  const exprOf = useCallback((name: string) => rows.find((r) => r.rule.name === name)?.rule.query, [rows]);
  const unhealthy = rows.filter((r) => r.rule.health === 'err').length;
  // The built-in critical-entries rule is always listed; "no rules" means none of the user's.
  const userRules = rows.filter((r) => !isBuiltInRule(r)).length;
  const nowMs = updatedAt ?? Date.now();
  const tenant = getTenant() || 'default';

  return (
    <section className="dash" aria-labelledby="alerts-title">
      <div className="dash-head">
        <h1 id="alerts-title">Alerts</h1>
        <div className="segmented" role="group" aria-label="Filter by state">
          {STATE_FILTERS.map((s) => (
            <button key={s} type="button" aria-pressed={s === state} onClick={() => set('state', s === 'all' ? '' : s)} className={`filter-${s}`}>
              {s} <span className="count">{data ? counts[s] : ''}</span>
            </button>
          ))}
        </div>
        <input type="search" className="name-filter" aria-label="Filter rules and alerts by name or label" placeholder="Filter by name or label…" value={text} onChange={(e) => set('q', e.target.value)} />
        <RefreshControl seconds={refreshS} onSeconds={(s) => set('refresh', String(s))} onRefresh={refresh} updatedAt={updatedAt} busy={busy} />
      </div>

      {error && (
        <div className="error-box" role="alert">
          Cannot load rules and alerts: {error.message}. {errorHint(error)}
        </div>
      )}
      {loading && !error && <div className="empty" role="status">Loading rules and alerts…</div>}

      {data && userRules === 0 && (
        <div className="empty-state" role="status">
          <p>
            <strong>No rules of your own for tenant {tenant}{rows.length > 0 ? ' (only the built-in critical-entries rule)' : ''}.</strong> Put rule files in <code>&lt;rules dir&gt;/{tenant}/&lt;namespace&gt;.yaml</code> (the rules dir is
            <code> ruler.rulesDir</code>, by default <code>&lt;data dir&gt;/rules</code>) or POST them to <code>/loki/api/v1/rules/&lt;namespace&gt;</code>, for example:
          </p>
          <pre className="code-block">{`curl -X POST -H 'Content-Type: application/yaml' ${window.location.origin}/loki/api/v1/rules/my-namespace --data-binary @- <<'EOF'
name: errors
rules:
  - alert: ManyErrors
    expr: sum by (service) (count_over_time({service="api"} |= "error" [5m])) > 10
    for: 1m
    annotations:
      summary: "{{ $labels.service }} logged {{ $value }} errors in 5 minutes"
EOF`}</pre>
        </div>
      )}

      {data && rows.length > 0 && (
        <>
          <p className="summary" aria-live="polite">
            Alerts: <span className="level-error">{alertCounts.firing} firing</span> · <span className="level-warn">{alertCounts.pending} pending</span>
            {' — '}Rules: {counts.firing} firing · {counts.pending} pending · {counts.inactive} inactive
            {counts.recording > 0 && ` · ${counts.recording} recording`}
            {unhealthy > 0 && <span className="level-error"> · {unhealthy} failing to evaluate</span>}
          </p>
          {state !== 'recording' && state !== 'inactive' && (
            <div className="panel">
              <h2>Active alerts</h2>
              {shownAlerts.length === 0 ? (
                <p className="dim">{data.alerts.length === 0 ? 'Nothing is firing or pending.' : 'No active alert matches the filter.'}</p>
              ) : (
                <AlertList alerts={shownAlerts} exprOf={exprOf} nowMs={nowMs} ruleHrefOf={(a) => ruleHrefForAlert(a, rows)} />
              )}
            </div>
          )}
          <div className="panel">
            <h2>Rules</h2>
            {shownRules.length === 0 ? (
              <p className="dim">
                No rule matches the filter.{' '}
                <button type="button" className="link-button" onClick={() => navigate('/alerts', {}, true)}>
                  Clear the filters
                </button>
              </p>
            ) : (
              <RuleTable rows={shownRules} nowMs={nowMs} hrefOf={(r) => ruleHref(r, rows)} />
            )}
          </div>
        </>
      )}
    </section>
  );
}
