/** "Show context" in an expanded row: the lines just before and after it in its stream. */
import { useState } from 'react';
import { getJson, type QueryResponse } from '../api';
import { streamsToEntries } from '../entries';
import { formatNs } from '../time';
import type { LogEntry } from '../types';
import { CONTEXT_LINES, contextList, nsPlus, streamSelector } from './log-context';

const HOUR_NS = 3_600_000_000_000n;

type State = { kind: 'closed' } | { kind: 'loading' } | { kind: 'error'; message: string } | { kind: 'shown'; rows: ReturnType<typeof contextList> };

export function LogContext({ entry }: { entry: LogEntry }) {
  const [state, setState] = useState<State>({ kind: 'closed' });
  const show = async (): Promise<void> => {
    setState({ kind: 'loading' });
    const query = streamSelector(entry.labels);
    const read = async (p: Record<string, string | number>): Promise<LogEntry[]> => {
      const r = await getJson<QueryResponse>('/loki/api/v1/query_range', { query, ...p });
      return r.data.resultType === 'streams' ? streamsToEntries(r.data.result) : [];
    };
    try {
      const [before, after] = await Promise.all([
        // Up to and including the entry's nanosecond (the entry and its equals), newest first.
        read({ start: nsPlus(entry.ts, -HOUR_NS), end: nsPlus(entry.ts, 1n), direction: 'backward', limit: CONTEXT_LINES + 1 }),
        read({ start: nsPlus(entry.ts, 1n), end: nsPlus(entry.ts, HOUR_NS), direction: 'forward', limit: CONTEXT_LINES }),
      ]);
      setState({ kind: 'shown', rows: contextList(entry, before, after) });
    } catch (err) {
      setState({ kind: 'error', message: (err as Error).message });
    }
  };
  if (state.kind === 'closed' || state.kind === 'loading') {
    return (
      <button type="button" disabled={state.kind === 'loading'} onClick={() => void show()} aria-label="Show the lines around this one in its stream">
        {state.kind === 'loading' ? 'Loading context…' : 'Show context'}
      </button>
    );
  }
  if (state.kind === 'error') return <span className="level-error">Context unavailable: {state.message}</span>;
  return (
    <div className="log-context">
      <div className="log-context-head">
        <span className="dim small">The lines around it in {streamSelector(entry.labels)} (within an hour either side)</span>
        <button type="button" className="link-button" onClick={() => setState({ kind: 'closed' })}>
          Hide context
        </button>
      </div>
      <ol aria-label="Context of the line">
        {state.rows.map((r, i) => (
          <li key={`${r.ts}:${i}`} className={r.self ? 'log-context-self' : undefined} aria-current={r.self ? 'true' : undefined}>
            <time>{formatNs(r.ts)}</time> <span>{r.line}</span>
          </li>
        ))}
      </ol>
    </div>
  );
}
