/**
 * Small panel factories over the Grafana Foundation SDK builders, so the dashboard files read as
 * a list of "title, meaning, queries" and every panel gets the same legend, tooltip, data source
 * and reference ids.
 */
import * as common from '@grafana/grafana-foundation-sdk/common';
import { ThresholdsConfigBuilder, ThresholdsMode, type Dashboard, type Panel, type RowPanel } from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelBuilder as LogsPanelBuilder } from '@grafana/grafana-foundation-sdk/logs';
import { DataqueryBuilder as LokiQueryBuilder, QueryEditorMode as LokiEditorMode } from '@grafana/grafana-foundation-sdk/loki';
import { DataqueryBuilder as PromQueryBuilder, QueryEditorMode as PromEditorMode } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder as StatPanelBuilder } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TimeseriesPanelBuilder } from '@grafana/grafana-foundation-sdk/timeseries';
import { LOGSENTINEL, PROMETHEUS, type DataSourceRef } from './datasources.js';

/** One query of a panel: the expression and how its series are named in the legend. */
export interface Query {
  expr: string;
  legend?: string;
  /** One value at the end of the range (`$__range` totals) instead of a series. */
  instant?: boolean;
}

export interface PanelOptions {
  title: string;
  /** Shown as the panel's (i) tooltip: what the figure means and where it comes from. */
  description: string;
  queries: Query[];
  /** Grafana unit id: `short`, `reqps`, `s`, `bytes`, `percentunit`, ... */
  unit?: string;
  /** Grid columns out of 24; default 12 (timeseries) or 6 (stat). */
  width?: number;
  height?: number;
  min?: number;
  max?: number;
  /** Stack series (volumes by label). */
  stacked?: boolean;
  /** Draw bars instead of lines (counts per interval). */
  bars?: boolean;
  /** Thresholds as [value, color] steps above the base (green). */
  thresholds?: Array<[number, string]>;
}

const REF_IDS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

function refId(i: number): string {
  if (i >= REF_IDS.length) throw new Error(`BUG: a panel has more than ${REF_IDS.length} queries`);
  return REF_IDS[i];
}

function promTargets(queries: Query[]): PromQueryBuilder[] {
  return queries.map((q, i) => {
    const b = new PromQueryBuilder().datasource(PROMETHEUS).refId(refId(i)).editorMode(PromEditorMode.Code).expr(q.expr);
    if (q.instant) b.instant();
    else b.range();
    return q.legend === undefined ? b : b.legendFormat(q.legend);
  });
}

function lokiTargets(queries: Query[]): LokiQueryBuilder[] {
  return queries.map((q, i) => {
    const b = new LokiQueryBuilder().datasource(LOGSENTINEL).refId(refId(i)).editorMode(LokiEditorMode.Code).expr(q.expr).queryType(q.instant ? 'instant' : 'range');
    return q.legend === undefined ? b : b.legendFormat(q.legend);
  });
}

function thresholds(steps: Array<[number, string]> | undefined): ThresholdsConfigBuilder {
  return new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps([
    { value: null, color: 'green' },
    ...(steps ?? []).map(([value, color]) => ({ value, color })),
  ]);
}

function timeseries(ds: DataSourceRef, o: PanelOptions): TimeseriesPanelBuilder {
  const b = new TimeseriesPanelBuilder()
    .title(o.title)
    .description(o.description)
    .datasource(ds)
    .targets(ds === PROMETHEUS ? promTargets(o.queries) : lokiTargets(o.queries))
    .unit(o.unit ?? 'short')
    .span(o.width ?? 12)
    .height(o.height ?? 8)
    .fillOpacity(o.stacked || o.bars ? 60 : 10)
    .legend(new common.VizLegendOptionsBuilder().showLegend(true).displayMode(common.LegendDisplayMode.List).placement(common.LegendPlacement.Bottom))
    .tooltip(new common.VizTooltipOptionsBuilder().mode(common.TooltipDisplayMode.Multi).sort(common.SortOrder.Descending))
    .thresholds(thresholds(o.thresholds));
  if (o.min !== undefined) b.min(o.min);
  if (o.max !== undefined) b.max(o.max);
  if (o.stacked) b.stacking(new common.StackingConfigBuilder().mode(common.StackingMode.Normal));
  if (o.bars) b.drawStyle(common.GraphDrawStyle.Bars);
  return b;
}

function stat(ds: DataSourceRef, o: PanelOptions): StatPanelBuilder {
  const b = new StatPanelBuilder()
    .title(o.title)
    .description(o.description)
    .datasource(ds)
    .targets(ds === PROMETHEUS ? promTargets(o.queries) : lokiTargets(o.queries))
    .unit(o.unit ?? 'short')
    .span(o.width ?? 6)
    .height(o.height ?? 4)
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false))
    .graphMode(o.queries.every((q) => q.instant) ? common.BigValueGraphMode.None : common.BigValueGraphMode.Area)
    .colorMode(common.BigValueColorMode.Value)
    .thresholds(thresholds(o.thresholds));
  if (o.min !== undefined) b.min(o.min);
  if (o.max !== undefined) b.max(o.max);
  return b;
}

/** A time series panel over Prometheus. */
export function promTimeseries(o: PanelOptions): TimeseriesPanelBuilder {
  return timeseries(PROMETHEUS, o);
}

/** A single-value panel over Prometheus (last value, with a sparkline). */
export function promStat(o: PanelOptions): StatPanelBuilder {
  return stat(PROMETHEUS, o);
}

/** A time series panel over a LogQL metric query on LogSentinel. */
export function lokiTimeseries(o: PanelOptions): TimeseriesPanelBuilder {
  return timeseries(LOGSENTINEL, o);
}

/** A single-value panel over a LogQL metric query on LogSentinel. */
export function lokiStat(o: PanelOptions): StatPanelBuilder {
  return stat(LOGSENTINEL, o);
}

/** A logs panel: newest first, with labels and details. */
export function logs(o: { title: string; description: string; expr: string; width?: number; height?: number; maxLines?: number }): LogsPanelBuilder {
  return new LogsPanelBuilder()
    .title(o.title)
    .description(o.description)
    .datasource(LOGSENTINEL)
    .targets([new LokiQueryBuilder().datasource(LOGSENTINEL).refId('A').editorMode(LokiEditorMode.Code).expr(o.expr).queryType('range').maxLines(o.maxLines ?? 500)])
    .span(o.width ?? 24)
    .height(o.height ?? 12)
    .showTime(true)
    .showLabels(false)
    .showCommonLabels(false)
    .wrapLogMessage(true)
    .prettifyLogMessage(false)
    .enableLogDetails(true)
    .dedupStrategy(common.LogsDedupStrategy.None)
    .sortOrder(common.LogsSortOrder.Descending);
}

/**
 * Gives every panel (rows and the panels inside collapsed rows included) a stable id in layout
 * order, so links such as `?viewPanel=7` survive regeneration.
 */
export function numberPanels(d: Dashboard): Dashboard {
  let id = 0;
  for (const p of d.panels ?? []) {
    (p as Panel | RowPanel).id = ++id;
    for (const inner of (p as RowPanel).panels ?? []) inner.id = ++id;
  }
  return d;
}
