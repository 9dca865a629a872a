/** What the last query cost: entries returned, lines and bytes scanned, server execution time. */
import type { ExploreResult } from './use-explore-query';
import { formatBytes, formatSeconds } from '../../time';

const n = new Intl.NumberFormat();

export function QueryStatsBar({ result, limit }: { result: ExploreResult; limit: number }) {
  const s = result.stats;
  if (result.status === 'loading') return <output className="explore-stats">Running…</output>;
  if (result.status !== 'done' || !s) return <output className="explore-stats" />;
  const returned = result.kind === 'logs' ? result.entries.length : result.series.length;
  return (
    <output className="explore-stats" aria-label="Query statistics">
      <span title="Entries returned">
        <b>{n.format(returned)}</b> {result.kind === 'logs' ? 'lines' : 'series'}
        {result.kind === 'logs' && returned >= limit && <span className="explore-limit-hit"> (limit reached)</span>}
      </span>
      <span title="Lines scanned">
        <b>{n.format(s.totalLinesProcessed ?? 0)}</b> scanned
      </span>
      <span title="Bytes scanned">
        <b>{formatBytes(s.totalBytesProcessed ?? 0)}</b>
      </span>
      <span title="Server execution time">
        <b>{formatSeconds(s.execTime ?? 0)}</b> exec
      </span>
    </output>
  );
}
