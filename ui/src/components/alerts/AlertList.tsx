/** Firing and pending alerts: labels, annotations, since when, value, their rule's page and the logs behind them. */
import { AppLink } from '../overview/AppLink';
import { Labels } from '../overview/Labels';
import { formatAgo, parseIsoMs } from '../overview/format';
import { exploreLinkForRule, type AlertJson } from './rules-model';
import { StateBadge } from './StateBadge';

function alertKey(a: AlertJson): string {
  return Object.entries(a.labels)
    .sort(([x], [y]) => (x < y ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

/** A LogQL value as a person reads it: "1e+01" → "10". */
function readableValue(v: string): string {
  const n = Number(v);
  return Number.isFinite(n) ? String(Number(n.toPrecision(6))) : v;
}

/** `ruleHrefOf`: the page of the rule that fired an alert, if known; without it names are plain text. */
export function AlertList({ alerts, exprOf, nowMs, ruleHrefOf, label = 'Active alerts' }: { alerts: AlertJson[]; exprOf: (alertname: string) => string | undefined; nowMs: number; ruleHrefOf?: (a: AlertJson) => string | undefined; label?: string }) {
  return (
    <ul className="alert-list" aria-label={label}>
      {alerts.map((a) => {
        const name = a.labels.alertname ?? '(unnamed)';
        const since = parseIsoMs(a.activeAt);
        const expr = exprOf(name);
        const link = expr ? exploreLinkForRule(expr, a) : undefined;
        const rulePage = ruleHrefOf?.(a);
        const { alertname: _n, ...labels } = a.labels;
        return (
          <li key={alertKey(a)} className={`alert-card alert-${a.state}`} aria-label={`Alert ${name} ${a.state}`}>
            <div className="alert-head">
              <StateBadge state={a.state} />
              <strong className="alert-name">
                {rulePage ? (
                  <AppLink to={rulePage} label={`Rule of alert ${name}`} title="Open the page of the rule that fired this alert">
                    {name}
                  </AppLink>
                ) : (
                  name
                )}
              </strong>
              <span className="dim" title={since ? new Date(since).toLocaleString() : undefined}>
                active since {since ? `${new Date(since).toLocaleTimeString()} (${formatAgo(since, Math.max(nowMs, since))})` : 'unknown'}
              </span>
              <span className="alert-value" title={`value ${a.value}`}>
                value <strong>{readableValue(a.value)}</strong>
              </span>
              {link && (
                <AppLink to={link} className="alert-logs" label={`Logs of alert ${name}`} title="Open the rule's log query in Explore, from before the alert became active">
                  Logs →
                </AppLink>
              )}
            </div>
            <div className="alert-row">
              <span className="alert-key">Labels</span>
              <Labels labels={labels} label={`Labels of alert ${name}`} />
            </div>
            {Object.keys(a.annotations).length > 0 && (
              <dl className="annotations" aria-label={`Annotations of alert ${name}`}>
                {Object.entries(a.annotations).map(([k, v]) => (
                  <div key={k}>
                    <dt>{k}</dt>
                    <dd>{v}</dd>
                  </div>
                ))}
              </dl>
            )}
          </li>
        );
      })}
    </ul>
  );
}
