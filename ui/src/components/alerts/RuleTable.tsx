/** Rules with their state, health, last evaluation, a link to each rule's page and one to the logs it looks at. */
import { Fragment } from 'react';
import { AppLink } from '../overview/AppLink';
import { Labels } from '../overview/Labels';
import { formatAgo, formatDuration, parseIsoMs } from '../overview/format';
import { exploreLinkForRule, type RuleRow } from './rules-model';
import { StateBadge } from './StateBadge';

/** `hrefOf`: the page of a rule (rule-page.ts). */
export function RuleTable({ rows, nowMs, hrefOf }: { rows: RuleRow[]; nowMs: number; hrefOf: (r: RuleRow) => string }) {
  return (
    <table className="data-table rules-table" aria-label="Rules">
      <thead>
        <tr>
          <th scope="col">State</th>
          <th scope="col">Rule</th>
          <th scope="col">Expression</th>
          <th scope="col">Health</th>
          <th scope="col">Last evaluation</th>
          <th scope="col" className="num">
            Took
          </th>
          <th scope="col">Logs</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => {
          const last = parseIsoMs(r.rule.lastEvaluation);
          const link = exploreLinkForRule(r.rule.query);
          return (
            <Fragment key={r.key}>
              <tr className={`rule-row rule-${r.state}`} aria-label={`Rule ${r.rule.name}`}>
                <td>
                  <StateBadge state={r.state} />
                </td>
                <td>
                  <div className="rule-name">
                    <AppLink to={hrefOf(r)} title="Open the rule's page: its definition, alerts and chart">
                      {r.rule.name}
                    </AppLink>
                  </div>
                  <div className="dim small">
                    {r.file} / {r.group}
                    {r.rule.type === 'alerting' && r.rule.duration > 0 && ` · for ${formatDuration(r.rule.duration)}`}
                  </div>
                  {r.rule.labels && Object.keys(r.rule.labels).length > 0 && <Labels labels={r.rule.labels} label={`Labels of ${r.rule.name}`} />}
                </td>
                <td>
                  <code className="expr" title={r.rule.query}>
                    {r.rule.query}
                  </code>
                </td>
                <td>
                  <span className={`health health-${r.rule.health}`}>{r.rule.health}</span>
                </td>
                <td title={last ? new Date(last).toLocaleString() : 'not evaluated yet'}>{last ? formatAgo(last, Math.max(nowMs, last)) : <span className="dim">never</span>}</td>
                <td className="num">{last ? formatDuration(r.rule.evaluationTime) : '—'}</td>
                <td>
                  {link ? (
                    <AppLink to={link} label={`Logs of ${r.rule.name}`} title="Open the rule's log query in Explore (last hour)">
                      Logs
                    </AppLink>
                  ) : (
                    <span className="dim" title="This rule has no log selector">
                      —
                    </span>
                  )}
                </td>
              </tr>
              {r.rule.lastError && (
                <tr className="rule-error-row">
                  <td />
                  <td colSpan={6}>
                    <div className="rule-error" role="note">
                      Evaluation failed: {r.rule.lastError}
                    </div>
                  </td>
                </tr>
              )}
            </Fragment>
          );
        })}
      </tbody>
    </table>
  );
}
