/**
 * Overview: ingest rate, lines and errors by service, the top error messages, storage size and
 * queue depth over a range (15m–24h), from `GET /api/v1/overview`, refreshed automatically.
 * Page state in the query string: `range`, `refresh` (seconds, 0 = off).
 */
import { useCallback, useMemo } from 'react';
import { getJson } from '../api';
import { navigate, useLocation } from '../router';
import { TimeSeriesChart } from '../components/TimeSeriesChart';
import { RefreshControl } from '../components/overview/RefreshControl';
import { ServiceTable } from '../components/overview/ServiceTable';
import { TopErrors } from '../components/overview/TopErrors';
import { usePolling } from '../components/overview/use-polling';
import { describeRange, ingestSeries, isRange, RANGES, type OverviewResponse, type Range } from '../components/overview/overview-model';
import { formatBytes, formatCount, formatPercent, formatRate } from '../components/overview/format';
import '../pages.css';

const DEFAULT_REFRESH_S = 15;

function Stat({ label, value, sub, tone }: { label: string; value: string; sub?: string; tone?: 'error' }) {
  return (
    <div className="stat" role="group" aria-label={label}>
      <div className="stat-label">{label}</div>
      <div className={`stat-value${tone ? ` level-${tone}` : ''}`}>{value}</div>
      {sub && <div className="stat-sub">{sub}</div>}
    </div>
  );
}

function pushExample(): string {
  return `curl -H 'Content-Type: application/json' -X POST ${window.location.origin}/loki/api/v1/push --data-raw '{"streams":[{"stream":{"service":"demo"},"values":[["'$(date +%s%N)'","level=error msg=\\"hello\\""]]}]}'`;
}

export function OverviewPage() {
  const { params } = useLocation();
  const rangeParam = params.get('range');
  const range: Range = isRange(rangeParam) ? rangeParam : '1h';
  const refreshParam = Number(params.get('refresh') ?? DEFAULT_REFRESH_S);
  const refreshS = Number.isFinite(refreshParam) && refreshParam >= 0 ? refreshParam : DEFAULT_REFRESH_S;
  const set = (k: string, v: string): void => {
    const next = new URLSearchParams(params);
    next.set(k, v);
    navigate('/overview', next, true);
  };

  const fetcher = useCallback((signal: AbortSignal) => getJson<OverviewResponse>('/api/v1/overview', { since: range }, signal), [range]);
  const { data, error, loading, busy, updatedAt, refresh } = usePolling(fetcher, range, refreshS * 1000);
  const series = useMemo(() => (data ? ingestSeries(data.ingestRate) : []), [data]);
  const rangeText = describeRange(range);
  const avgRate = data ? data.totals.lines / Math.max(1, (Date.parse(data.end) - Date.parse(data.start)) / 1000) : 0;

  return (
    <section className="dash" aria-labelledby="overview-title">
      <div className="dash-head">
        <h1 id="overview-title">Overview</h1>
        <div className="segmented" role="group" aria-label="Time range">
          {RANGES.map((r) => (
            <button key={r} type="button" aria-pressed={r === range} onClick={() => set('range', r)} aria-label={`Last ${r}`}>
              {r}
            </button>
          ))}
        </div>
        <RefreshControl seconds={refreshS} onSeconds={(s) => set('refresh', String(s))} onRefresh={refresh} updatedAt={updatedAt} busy={busy} />
      </div>

      {error && (
        <div className="error-box" role="alert">
          Cannot load the overview: {error.message}
          {data ? ' — showing the last good answer; it refreshes on its own.' : ' — check that LogSentinel is running and this role answers queries, then press Refresh.'}
        </div>
      )}
      {loading && !error && <div className="empty" role="status">Loading the overview of {rangeText}…</div>}

      {data && (
        <>
          <div className="stats">
            <Stat label="Lines" value={formatCount(data.totals.lines)} sub={`${formatRate(avgRate)} lines/s on average`} />
            <Stat label="Errors" value={formatCount(data.totals.errors)} sub={`${formatPercent(data.totals.errors, data.totals.lines)} of lines`} tone={data.totals.errors > 0 ? 'error' : undefined} />
            <Stat label="Services" value={formatCount(data.totals.services)} sub={`${formatCount(data.totals.streams)} streams`} />
            <Stat label="Storage" value={formatBytes(data.storage.bytes)} sub={storageSub(data.storage)} />
            <Stat label="Queue depth" value={data.queue.depth === null ? 'not in this role' : formatCount(data.queue.depth)} sub={data.queue.depth === null ? 'this process has no ingest queue' : 'accepted, not yet committed'} />
          </div>

          {data.totals.lines === 0 ? (
            <div className="empty-state" role="status">
              <p>
                <strong>No logs in {rangeText}.</strong> Pick a longer range above, check the tenant in the top bar, or send some lines, for example:
              </p>
              <pre className="code-block">{pushExample()}</pre>
            </div>
          ) : (
            <>
              <div className="panel">
                <h2>Ingest rate</h2>
                <TimeSeriesChart series={series} label={`Ingest rate over ${rangeText}: lines and errors per second`} kind="line" height={180} showLegend />
              </div>
              <div className="dash-columns">
                <div className="panel">
                  <h2>Services</h2>
                  <ServiceTable services={data.services} range={range} />
                </div>
                <div className="panel">
                  <h2>Top errors</h2>
                  {data.topErrors.length === 0 ? (
                    <p className="dim">No error or critical lines in {rangeText}.</p>
                  ) : (
                    <>
                      <TopErrors errors={data.topErrors} range={range} nowMs={updatedAt ?? Date.now()} />
                      {data.errorSample.lines >= data.errorSample.limit && (
                        <p className="dim small">Grouped from the newest {formatCount(data.errorSample.limit)} error lines of {rangeText}.</p>
                      )}
                    </>
                  )}
                </div>
              </div>
            </>
          )}
        </>
      )}
    </section>
  );
}

/** Backend, and for TimescaleDB what compression did: compressed chunks' bytes, from what size. */
function storageSub(st: OverviewResponse['storage']): string {
  const c = st.compression;
  if (!c) return `${st.backend} · all tenants`;
  if (c.compressedBytes === 0) return `${st.backend} (TimescaleDB) · nothing compressed yet · all tenants`;
  return `${st.backend} (TimescaleDB) · compressed ${formatBytes(c.compressedBytes)} from ${formatBytes(c.uncompressedBytes)} · all tenants`;
}
