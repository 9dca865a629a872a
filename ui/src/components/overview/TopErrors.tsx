/** The most frequent error messages, grouped by shape, each linking to its lines in Explore. */
import { AppLink } from './AppLink';
import { errorLink, type ErrorGroup, type Range } from './overview-model';
import { formatAgo, formatCount, parseIsoMs } from './format';

export function TopErrors({ errors, range, nowMs }: { errors: ErrorGroup[]; range: Range; nowMs: number }) {
  return (
    <ol className="top-errors" aria-label="Top error messages">
      {errors.map((e) => {
        const seen = parseIsoMs(e.lastSeen);
        return (
          <li key={`${e.service}\x00${e.pattern}`} className="top-error">
            <span className="top-error-count" title={`${formatCount(e.count)} lines`}>
              {formatCount(e.count)}×
            </span>
            <div className="top-error-body">
              <AppLink to={errorLink(e, range)} className="top-error-pattern" title={`Example: ${e.example}`} label={`Show logs for: ${e.pattern}`}>
                {e.pattern}
              </AppLink>
              {e.sample !== e.pattern && (
                <div className="top-error-sample small" title={e.example}>
                  {e.sample}
                </div>
              )}
              <div className="dim small">
                {e.service} · last seen {seen ? formatAgo(seen, Math.max(nowMs, seen)) : e.lastSeen}
              </div>
            </div>
          </li>
        );
      })}
    </ol>
  );
}
