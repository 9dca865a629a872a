/**
 * PLACEHOLDER (to be replaced by the virtualised list): the result list shared by Explore and
 * Live tail. The props are the contract.
 */
import type { FilterAction, LogEntry } from '../types';

export interface LogListProps {
  /** Newest first. */
  entries: LogEntry[];
  /** Clicking a label / field / line fragment in an expanded row. */
  onAddFilter?: (f: FilterAction) => void;
  /** Shown when `entries` is empty. */
  emptyText?: string;
  /** Keep the newest entry in view as entries arrive (live tail), unless the user scrolled away. */
  follow?: boolean;
  /** Accessible name of the list. */
  label?: string;
}

export function LogList({ entries, emptyText, label }: LogListProps) {
  if (entries.length === 0) return <div className="empty">{emptyText ?? 'No log lines.'}</div>;
  return (
    <ul aria-label={label ?? 'Log lines'} className="log-list">
      {entries.map((e) => (
        <li key={e.id} className={`log-row level-${e.level}`}>
          {e.line}
        </li>
      ))}
    </ul>
  );
}
