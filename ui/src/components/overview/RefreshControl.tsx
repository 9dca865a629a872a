/** Auto-refresh interval, a refresh-now button and how fresh the data is. */
import { useEffect, useState } from 'react';
import { formatAgo } from './format';

export const REFRESH_CHOICES = [0, 10, 15, 30, 60] as const;

export function RefreshControl({ seconds, onSeconds, onRefresh, updatedAt, busy }: { seconds: number; onSeconds: (s: number) => void; onRefresh: () => void; updatedAt: number | undefined; busy: boolean }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const id = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(id);
  }, []);
  return (
    <div className="refresh-control">
      <span className="dim" aria-live="off">
        {busy ? 'Refreshing…' : updatedAt ? `Updated ${formatAgo(updatedAt, Math.max(now, updatedAt))}` : ''}
      </span>
      <button type="button" onClick={onRefresh} aria-label="Refresh now" title="Refresh now">
        ⟳ Refresh
      </button>
      <label className="inline-field">
        <span>Auto refresh</span>
        <select aria-label="Auto refresh interval" value={seconds} onChange={(e) => onSeconds(Number(e.target.value))}>
          {REFRESH_CHOICES.map((s) => (
            <option key={s} value={s}>
              {s === 0 ? 'Off' : `${s} s`}
            </option>
          ))}
        </select>
      </label>
    </div>
  );
}
