/**
 * Explore's share controls: the query history (kept in the browser per tenant), a download of the
 * shown results (JSON lines, CSV, plain text) and a link to the view with its range made absolute.
 */
import { useEffect, useState } from 'react';
import { getTenant } from '../../api';
import type { LogEntry } from '../../types';
import { absoluteLink, DOWNLOAD_FORMATS, downloadName, formatEntries, type DownloadFormat } from './export';
import { addToHistory, loadHistory } from './history';

interface Props {
  /** The query that ran (the URL's). */
  query: string;
  entries: LogEntry[];
  startMs: number;
  endMs: number;
  limit: number;
  view: string;
  onPickQuery: (q: string) => void;
}

export function ShareControls({ query, entries, startMs, endMs, limit, view, onPickQuery }: Props) {
  const tenant = getTenant();
  const [history, setHistory] = useState<string[]>(() => loadHistory(localStorage, tenant));
  const [copied, setCopied] = useState<'copied' | 'failed' | undefined>();
  // Every query that runs is remembered, newest first.
  useEffect(() => {
    if (query.trim()) setHistory(addToHistory(localStorage, tenant, query));
    else setHistory(loadHistory(localStorage, tenant));
  }, [query, tenant]);

  const download = (format: DownloadFormat): void => {
    const mime = DOWNLOAD_FORMATS.find((f) => f.format === format)!.mime;
    const url = URL.createObjectURL(new Blob([formatEntries(entries, format)], { type: mime }));
    const a = document.createElement('a');
    a.href = url;
    a.download = downloadName(startMs, endMs, format);
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  };

  const copyLink = (): void => {
    const link = absoluteLink(window.location.origin, { query, startMs, endMs, limit, view });
    navigator.clipboard.writeText(link).then(
      () => setCopied('copied'),
      () => setCopied('failed'),
    );
    setTimeout(() => setCopied(undefined), 3000);
  };

  return (
    <>
      <select
        aria-label="Query history"
        className="explore-history"
        value=""
        disabled={history.length === 0}
        onChange={(e) => {
          if (e.target.value) onPickQuery(e.target.value);
        }}
      >
        <option value="">History ({history.length})</option>
        {history.map((q) => (
          <option key={q} value={q}>
            {q.length > 80 ? q.slice(0, 79) + '…' : q}
          </option>
        ))}
      </select>
      <select
        aria-label="Download results"
        value=""
        disabled={entries.length === 0}
        onChange={(e) => {
          if (e.target.value) download(e.target.value as DownloadFormat);
        }}
      >
        <option value="">Download…</option>
        {DOWNLOAD_FORMATS.map((f) => (
          <option key={f.format} value={f.format}>
            {f.label}
          </option>
        ))}
      </select>
      <button type="button" onClick={copyLink} disabled={!query.trim() || endMs <= startMs} title="Copy a link to this view with its time range made absolute">
        {copied === 'copied' ? 'Link copied' : copied === 'failed' ? 'Copy failed' : 'Copy link'}
      </button>
    </>
  );
}
