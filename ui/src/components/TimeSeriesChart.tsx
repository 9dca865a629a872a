/**
 * A time-series chart on uPlot, shared by Explore's metric results and log volume histogram and
 * the Overview page. Colours come from the CSS variables of the current theme (the chart is
 * rebuilt when `data-theme` changes); a series colour may itself be `var(--name)`.
 * Dragging across the plot selects a time range and calls `onZoom` (the chart does not zoom
 * itself: the page changes its range and fetches again). The legend is React: each entry is a
 * button that hides or shows its series, and shows the value under the cursor. For tests, the
 * figure carries the x scale's bounds (`data-x-min`, `data-x-max`, unix seconds), its tick labels
 * and, for bars, the sum of the values drawn (`data-total`).
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import './chart.css';
import type { ChartSeries } from '../types';
import { timeTickLabels } from '../time';

export interface TimeSeriesChartProps {
  series: ChartSeries[];
  height?: number;
  /** 'line' (metric queries, rates) or 'bars' (stacked counts, e.g. the log volume by level). */
  kind?: 'line' | 'bars';
  stacked?: boolean;
  /** Drag-select on the chart: the selected range in unix seconds. */
  onZoom?: (fromS: number, toS: number) => void;
  /** Accessible name of the chart. */
  label: string;
  showLegend?: boolean;
  /**
   * The chosen time range (unix seconds): the x axis spans exactly it, whatever part has data.
   * Without it the axis fits the data.
   */
  range?: { fromS: number; toS: number };
  /**
   * Moments drawn as dashed vertical lines (unix seconds), e.g. when an alert became active;
   * named in the legend and listed on the figure as `data-markers`.
   */
  markers?: { atS: number; label: string }[];
}

const PALETTE = ['#5b9dff', '#4cc38a', '#f5b54a', '#ff6b6b', '#a78bfa', '#2ec4b6', '#ff9f1c', '#e76f51', '#8ecae6', '#d46fbd', '#9bbf4a', '#c08457'];

const COUNT_INCRS = [1, 2, 5].flatMap((m) => [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9].map((p) => m * p)).sort((a, b) => a - b);

function cssVar(name: string, fallback: string): string {
  const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return v || fallback;
}

function resolveColor(c: string | undefined, i: number): string {
  if (!c) return PALETTE[i % PALETTE.length];
  const m = /^var\((--[\w-]+)\)$/.exec(c.trim());
  return m ? cssVar(m[1], PALETTE[i % PALETTE.length]) : c;
}

/** Aligns series on the union of their timestamps; missing points are null. */
function align(series: ChartSeries[], stacked: boolean): { xs: number[]; ys: (number | null)[][]; raw: (number | null)[][] } {
  const set = new Set<number>();
  for (const s of series) for (const [t] of s.points) set.add(t);
  const xs = [...set].sort((a, b) => a - b);
  const index = new Map(xs.map((t, i) => [t, i]));
  const raw = series.map((s) => {
    const col: (number | null)[] = new Array(xs.length).fill(null);
    for (const [t, v] of s.points) col[index.get(t)!] = Number.isFinite(v) ? v : null;
    return col;
  });
  if (!stacked) return { xs, ys: raw, raw };
  const acc = new Array<number>(xs.length).fill(0);
  const ys = raw.map((col) =>
    col.map((v, i) => {
      acc[i] += v ?? 0;
      return acc[i];
    }),
  );
  return { xs, ys, raw };
}

const compact = new Intl.NumberFormat(undefined, { notation: 'compact', maximumFractionDigits: 2 });
export function formatValue(v: number | null | undefined): string {
  if (v === null || v === undefined) return '—';
  if (Math.abs(v) >= 10_000) return compact.format(v);
  return String(Math.round(v * 1000) / 1000);
}

function useThemeVersion(): number {
  const [v, setV] = useState(0);
  useEffect(() => {
    const mo = new MutationObserver(() => setV((x) => x + 1));
    mo.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
    return () => mo.disconnect();
  }, []);
  return v;
}

export function TimeSeriesChart({ series, height = 200, kind = 'line', stacked = false, onZoom, label, showLegend = true, range, markers }: TimeSeriesChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const fig = useRef<HTMLElement>(null);
  const fromS = range?.fromS;
  const toS = range?.toS;
  const plot = useRef<uPlot | null>(null);
  const zoomRef = useRef(onZoom);
  zoomRef.current = onZoom;
  const theme = useThemeVersion();
  const [hidden, setHidden] = useState<Set<string>>(new Set());
  const [cursorIdx, setCursorIdx] = useState<number | null>(null);
  // Callers may pass a fresh array with the same data on every render: rebuild only on change.
  const sig = JSON.stringify(series);
  const stable = useMemo(() => series, [sig]);
  const markerSig = JSON.stringify(markers ?? []);
  const marks = useMemo(() => markers ?? [], [markerSig]);
  const visible = useMemo(() => stable.filter((s) => !hidden.has(s.name)), [stable, hidden]);
  const data = useMemo(() => align(visible, stacked), [visible, stacked]);
  const colors = useMemo(() => {
    void theme;
    return new Map(stable.map((s, i) => [s.name, resolveColor(s.color, i)]));
  }, [stable, theme]);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const text = cssVar('--text-dim', '#888');
    const grid = cssVar('--border', '#333');
    const markColor = cssVar('--danger', '#ff6b6b');
    // A bar's value counts the step that ends at its time (`count_over_time(…[step])`), so the
    // bar ends there (align -1) rather than straddling it.
    const bars = kind === 'bars' ? uPlot.paths.bars!({ size: [0.85, 64], align: -1 }) : undefined;
    // Stacked bars are drawn tallest (cumulative) first, so each lower band paints over it.
    const order = visible.map((_, i) => i);
    if (stacked) order.reverse();
    const opts: uPlot.Options = {
      width: Math.max(100, el.clientWidth),
      height,
      legend: { show: false },
      cursor: { drag: { x: true, y: false, setScale: false }, points: { show: kind === 'line' } },
      select: { show: true, left: 0, top: 0, width: 0, height: 0 },
      scales: {
        x: { time: true, ...(fromS !== undefined && toS !== undefined && toS > fromS ? { range: (): uPlot.Range.MinMax => [fromS, toS] } : {}) },
        y: { range: (_u, min, max) => [Math.min(0, min), max > 0 ? max * 1.05 : 1] },
      },
      axes: [
        {
          stroke: text,
          grid: { stroke: grid, width: 1 },
          ticks: { stroke: grid, width: 1 },
          space: 70,
          // Labels that say their unit (HH:mm:ss, HH:mm, the date), kept on the figure for tests.
          values: (_u, splits, _axis, _space, incr) => {
            const labels = timeTickLabels(splits, incr);
            if (fig.current) fig.current.dataset.xTicks = labels.join('|');
            return labels;
          },
        },
        {
          stroke: text,
          grid: { stroke: grid, width: 1 },
          ticks: { stroke: grid, width: 1 },
          size: 50,
          space: height < 150 ? 18 : 30,
          // Bars are counts: whole-number ticks only.
          ...(kind === 'bars' ? { incrs: COUNT_INCRS } : {}),
          values: (_u, vals) => vals.map((v) => formatValue(v)),
        },
      ],
      series: [
        {},
        ...order.map((i) => {
          const c = colors.get(visible[i].name) ?? PALETTE[0];
          return kind === 'bars' ? { label: visible[i].name, stroke: c, fill: c, width: 0, paths: bars, points: { show: false } } : { label: visible[i].name, stroke: c, width: 1.5, spanGaps: false, points: { size: 4 } };
        }),
      ],
      hooks: {
        setSelect: [
          (u) => {
            const sel = u.select;
            if (sel.width > 3 && zoomRef.current) {
              const from = u.posToVal(sel.left, 'x');
              const to = u.posToVal(sel.left + sel.width, 'x');
              zoomRef.current(from, to);
            }
            u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
          },
        ],
        setCursor: [(u) => setCursorIdx(u.cursor.idx ?? null)],
        draw: [
          (u) => {
            if (marks.length === 0) return;
            const { ctx, bbox } = u;
            ctx.save();
            ctx.strokeStyle = markColor;
            ctx.lineWidth = Math.max(1, devicePixelRatio);
            ctx.setLineDash([4 * devicePixelRatio, 3 * devicePixelRatio]);
            for (const m of marks) {
              const x = Math.round(u.valToPos(m.atS, 'x', true));
              if (x < bbox.left || x > bbox.left + bbox.width) continue;
              ctx.beginPath();
              ctx.moveTo(x, bbox.top);
              ctx.lineTo(x, bbox.top + bbox.height);
              ctx.stroke();
            }
            ctx.restore();
          },
        ],
        // The x scale's bounds on the figure (unix seconds), so tests can check the axis spans the range.
        setScale: [
          (u, key) => {
            if (key !== 'x' || !fig.current) return;
            fig.current.dataset.xMin = String(u.scales.x.min);
            fig.current.dataset.xMax = String(u.scales.x.max);
          },
        ],
      },
    };
    const aligned: uPlot.AlignedData = [data.xs, ...order.map((i) => data.ys[i])];
    const u = new uPlot(opts, aligned, el);
    plot.current = u;
    const ro = new ResizeObserver(() => {
      const w = el.clientWidth;
      if (w > 0 && Math.abs(w - u.width) > 1) u.setSize({ width: w, height });
    });
    ro.observe(el);
    return () => {
      ro.disconnect();
      u.destroy();
      plot.current = null;
    };
  }, [data, visible, colors, kind, stacked, height, fromS, toS, marks]);

  const toggle = (name: string): void =>
    setHidden((h) => {
      const n = new Set(h);
      if (n.has(name)) n.delete(name);
      else n.add(name);
      return n;
    });

  const hoverTime = cursorIdx !== null && data.xs[cursorIdx] !== undefined ? new Date(data.xs[cursorIdx] * 1000).toLocaleString() : undefined;
  return (
    <figure ref={fig} aria-label={label} className={`chart chart-${kind}`} data-markers={marks.length > 0 ? marks.map((m) => m.atS).join(',') : undefined} data-total={kind === 'bars' ? series.reduce((n, x) => x.points.reduce((m, [, v]) => m + (Number.isFinite(v) ? v : 0), n), 0) : undefined}>
      <div ref={box} className="chart-plot" style={{ height }} />
      {showLegend && (series.length > 0 || marks.length > 0) && (
        <figcaption className="chart-legend" aria-label={`${label} legend`}>
          {series.map((s) => {
            const vi = visible.indexOf(s);
            const v = vi >= 0 && cursorIdx !== null ? data.raw[vi][cursorIdx] : undefined;
            return (
              <button
                type="button"
                key={s.name}
                className={`legend-item${hidden.has(s.name) ? ' legend-hidden' : ''}`}
                aria-pressed={!hidden.has(s.name)}
                title={hidden.has(s.name) ? `Show ${s.name}` : `Hide ${s.name}`}
                onClick={() => toggle(s.name)}
              >
                <span className="legend-swatch" style={{ background: colors.get(s.name) }} />
                <span className="legend-name">{s.name}</span>
                {v !== undefined && <span className="legend-value">{formatValue(v)}</span>}
              </button>
            );
          })}
          {marks.map((m) => (
            <span key={`${m.atS}-${m.label}`} className="legend-marker">
              <span className="legend-marker-line" aria-hidden="true" />
              {m.label}
            </span>
          ))}
          {hoverTime && <span className="legend-time">{hoverTime}</span>}
        </figcaption>
      )}
    </figure>
  );
}
