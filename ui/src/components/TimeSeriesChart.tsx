/**
 * PLACEHOLDER (to be replaced by the uPlot chart): a time-series chart shared by Explore's
 * metric results and histogram and the Overview page. The props are the contract.
 */
import type { ChartSeries } from '../types';

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
}

export function TimeSeriesChart({ series, label }: TimeSeriesChartProps) {
  return (
    <figure aria-label={label} className="chart">
      {series.length} series
    </figure>
  );
}
