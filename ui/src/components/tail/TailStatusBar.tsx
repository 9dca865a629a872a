/** The Live tail's status line: connection state, lines per second, what is kept, pause count. */
import { useEffect, useState } from 'react';
import type { TailSnapshot } from './tail-session';
import { formatCount, formatRate } from '../overview/format';

function statusText(s: TailSnapshot['status'], nowMs: number): { text: string; tone: string } {
  switch (s.kind) {
    case 'stopped':
      return { text: 'Stopped', tone: 'idle' };
    case 'connecting':
      return { text: s.attempt > 0 ? `Reconnecting (attempt ${s.attempt + 1})…` : 'Connecting…', tone: 'warn' };
    case 'live':
      return { text: 'Live', tone: 'ok' };
    case 'waiting':
      return { text: `Disconnected — retrying in ${Math.max(0, Math.ceil((s.retryAtMs - nowMs) / 1000))} s (attempt ${s.attempt})`, tone: 'warn' };
    case 'failed':
      return { text: 'Failed', tone: 'error' };
  }
}

export function TailStatusBar({ snap, onResume }: { snap: TailSnapshot; onResume: () => void }) {
  const [now, setNow] = useState(() => Date.now());
  const waiting = snap.status.kind === 'waiting';
  useEffect(() => {
    if (!waiting) return;
    const id = window.setInterval(() => setNow(Date.now()), 250);
    return () => window.clearInterval(id);
  }, [waiting]);
  const st = statusText(snap.status, Math.max(now, Date.now() - 1000));
  const viewText = snap.paused ? 'view paused' : undefined;
  const running = snap.status.kind !== 'stopped' && snap.status.kind !== 'failed';
  return (
    <div className="tail-status">
      <span className={`status-pill status-${st.tone}`} role="status" aria-label={`Tail status: ${st.text}`}>
        <span className="dot" aria-hidden="true" />
        {st.text}
      </span>
      {viewText && <span className="status-pill status-warn">❚❚ {viewText}</span>}
      <span className="metric" aria-label="Lines per second" title="Lines arriving per second, over the last 5 seconds">
        <strong data-testid="tail-rate">{running ? formatRate(snap.rate) : '–'}</strong> lines/s
      </span>
      <span className="metric" aria-label="Lines kept">
        <strong>{formatCount(snap.kept)}</strong> / {formatCount(snap.cap)} kept
        {snap.evicted > 0 && <span className="dim"> ({formatCount(snap.evicted)} oldest dropped)</span>}
      </span>
      {snap.paused && (
        <span className="paused-note" role="status">
          Paused — <strong data-testid="tail-paused-count">{formatCount(snap.newWhilePaused)}</strong> new {snap.newWhilePaused === 1 ? 'line' : 'lines'} since{' '}
          <button type="button" className="link-button" onClick={onResume}>
            show them
          </button>
        </span>
      )}
    </div>
  );
}
