/** A metric result as a table: one row per series with its last, min, max and mean value. */
import { useMemo, useState } from 'react';
import type { ChartSeries } from '../../types';
import { formatValue } from '../TimeSeriesChart';

type Col = 'name' | 'last' | 'min' | 'max' | 'avg';

interface Row {
  name: string;
  last: number;
  min: number;
  max: number;
  avg: number;
}

function summarise(s: ChartSeries): Row {
  const vs = s.points.map((p) => p[1]).filter((v) => Number.isFinite(v));
  const sum = vs.reduce((a, b) => a + b, 0);
  return { name: s.name, last: vs[vs.length - 1] ?? NaN, min: vs.length ? Math.min(...vs) : NaN, max: vs.length ? Math.max(...vs) : NaN, avg: vs.length ? sum / vs.length : NaN };
}

export function SeriesTable({ series }: { series: ChartSeries[] }) {
  const [sort, setSort] = useState<{ col: Col; desc: boolean }>({ col: 'max', desc: true });
  const rows = useMemo(() => {
    const r = series.map(summarise);
    const dir = sort.desc ? -1 : 1;
    return r.sort((a, b) => (sort.col === 'name' ? a.name.localeCompare(b.name) : (a[sort.col] || 0) - (b[sort.col] || 0)) * dir);
  }, [series, sort]);
  const head = (col: Col, label: string) => (
    <th scope="col" aria-sort={sort.col === col ? (sort.desc ? 'descending' : 'ascending') : 'none'}>
      <button type="button" className="explore-th-btn" onClick={() => setSort((s) => ({ col, desc: s.col === col ? !s.desc : col !== 'name' }))}>
        {label}
        {sort.col === col ? (sort.desc ? ' ↓' : ' ↑') : ''}
      </button>
    </th>
  );
  const fmt = (v: number): string => (Number.isNaN(v) ? '—' : formatValue(v));
  return (
    <div className="series-table-wrap">
      <table className="series-table" aria-label="Series">
        <thead>
          <tr>
            {head('name', 'Series')}
            {head('last', 'Last')}
            {head('min', 'Min')}
            {head('max', 'Max')}
            {head('avg', 'Mean')}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.name}>
              <th scope="row">{r.name}</th>
              <td>{fmt(r.last)}</td>
              <td>{fmt(r.min)}</td>
              <td>{fmt(r.max)}</td>
              <td>{fmt(r.avg)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
