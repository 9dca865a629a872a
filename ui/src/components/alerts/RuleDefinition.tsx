/** A rule's definition and how its last evaluation went, as a list of terms (the rule page's top panel). */
import type { ReactNode } from 'react';
import { Labels } from '../overview/Labels';
import { formatAgo, formatDuration, parseIsoMs } from '../overview/format';
import { isBuiltInRule, type RuleRow } from './rules-model';
import { StateBadge } from './StateBadge';

function Term({ name, children }: { name: string; children: ReactNode }) {
  return (
    <div>
      <dt>{name}</dt>
      <dd>{children}</dd>
    </div>
  );
}

export function RuleDefinition({ row, nowMs }: { row: RuleRow; nowMs: number }) {
  const r = row.rule;
  const last = parseIsoMs(r.lastEvaluation);
  return (
    <dl className="rule-definition" aria-label={`Definition of ${r.name}`}>
      <Term name="Namespace">{row.file}</Term>
      <Term name="Group">{row.group}</Term>
      <Term name={r.type === 'alerting' ? 'Alert' : 'Records'}>{r.name}</Term>
      <Term name="Expression">
        <code className="expr rule-expr">{r.query}</code>
      </Term>
      {r.type === 'alerting' && (
        <Term name="For">
          {r.duration > 0 ? formatDuration(r.duration) : <span className="dim">fires at once (no pending period)</span>}
          {r.keepFiringFor !== undefined && r.keepFiringFor > 0 && ` · keeps firing for ${formatDuration(r.keepFiringFor)}`}
        </Term>
      )}
      <Term name="Labels">
        <Labels labels={r.labels ?? {}} label={`Labels of ${r.name}`} />
      </Term>
      {r.type === 'alerting' && (
        <Term name="Annotations">
          {r.annotations && Object.keys(r.annotations).length > 0 ? (
            <dl className="annotations" aria-label={`Annotations of ${r.name}`}>
              {Object.entries(r.annotations).map(([k, v]) => (
                <div key={k}>
                  <dt>{k}</dt>
                  <dd>
                    <code>{v}</code>
                  </dd>
                </div>
              ))}
            </dl>
          ) : (
            <span className="dim">none</span>
          )}
        </Term>
      )}
      <Term name="State">
        <StateBadge state={row.state} />
      </Term>
      <Term name="Health">
        <span className={`health health-${r.health}`}>{r.health}</span>
        {r.lastError && (
          <div className="rule-error" role="note">
            Evaluation failed: {r.lastError}
          </div>
        )}
      </Term>
      <Term name="Last evaluation">
        {last ? (
          <span title={new Date(last).toLocaleString()}>
            {new Date(last).toLocaleTimeString()} ({formatAgo(last, Math.max(nowMs, last))}), took {formatDuration(r.evaluationTime)}
          </span>
        ) : (
          <span className="dim">{isBuiltInRule(row) ? 'evaluated on ingest, not on a schedule' : 'not evaluated yet'}</span>
        )}
      </Term>
    </dl>
  );
}
