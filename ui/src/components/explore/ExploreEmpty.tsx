/**
 * Explore before a query: example queries built from this tenant's own labels (the first of
 * service_name, service, app, job, ... that has values), so one click shows real data.
 */
import { useEffect, useState } from 'react';
import { getJson } from '../../api';
import { msToNs } from '../../time';
import { quoteValue } from '../../logql/completion';

const PREFERRED = ['service_name', 'service', 'app', 'job', 'container', 'namespace'];

function examples(name: string, value: string): { query: string; what: string }[] {
  const sel = `{${name}=${quoteValue(value)}}`;
  return [
    { query: sel, what: 'all lines of one stream selector' },
    { query: `${sel} |= "error"`, what: 'lines containing "error"' },
    { query: `{${name}=${quoteValue(value)}, level=~"error|critical"}`, what: 'errors by detected level' },
    { query: `${sel} | json | line_format "{{.msg}}"`, what: 'parse JSON lines and reformat them' },
    { query: `${sel} | logfmt | duration > 100ms`, what: 'logfmt lines slower than 100 ms' },
    { query: `sum by (level) (count_over_time(${sel} [1m]))`, what: 'lines per minute by level (metric)' },
    { query: `topk(5, sum by (${name}) (rate({${name}=~".+"} [5m])))`, what: `the 5 busiest values of ${name} (metric)` },
  ];
}

export function ExploreEmpty({ onPick, startMs, endMs }: { onPick: (q: string) => void; startMs: number; endMs: number }) {
  const [sample, setSample] = useState<{ name: string; value: string } | undefined>();
  const [noData, setNoData] = useState(false);
  useEffect(() => {
    const ac = new AbortController();
    const range = { start: msToNs(startMs), end: msToNs(endMs) };
    (async () => {
      const names = (await getJson<{ data?: string[] }>('/loki/api/v1/labels', range, ac.signal)).data ?? [];
      const name = PREFERRED.find((p) => names.includes(p)) ?? names[0];
      if (!name) return setNoData(true);
      const values = (await getJson<{ data?: string[] }>(`/loki/api/v1/label/${encodeURIComponent(name)}/values`, range, ac.signal)).data ?? [];
      if (values.length) setSample({ name, value: values[0] });
    })().catch(() => undefined);
    return () => ac.abort();
    // Examples are picked once per mount; a moving `now` should not refetch them.
  }, []);
  const list = examples(sample?.name ?? 'service', sample?.value ?? 'api');
  return (
    <div className="explore-empty">
      <h2>Query your logs with LogQL</h2>
      <p>
        Type a stream selector such as <code>{'{service="api"}'}</code> — label names and values complete as you type (Ctrl+Space) — then press <kbd>Shift</kbd>+<kbd>Enter</kbd>. Press <kbd>/</kbd> to focus the editor. Expand a line (click or <kbd>Enter</kbd>) and click a label or field to filter by it.
      </p>
      {noData && <p className="explore-hint">No streams in this time range for this tenant: push some logs, or pick a wider range.</p>}
      <ul className="explore-examples" aria-label="Example queries">
        {list.map((e) => (
          <li key={e.query}>
            <button type="button" className="explore-example" onClick={() => onPick(e.query)}>
              <code>{e.query}</code>
            </button>
            <span className="explore-hint">{e.what}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}
