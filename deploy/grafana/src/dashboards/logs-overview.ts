/**
 * "Logs overview": what the fleet is logging, through LogQL on the LogSentinel data source —
 * volume by service and level, errors per service, and the latest error lines. The `service`
 * variable lists the values of the `service` label (`/loki/api/v1/label/service/values`).
 *
 * `level` is LogSentinel's detected level (docs/logql.md), usable as a selector matcher; the
 * error selector is pushed down into the store.
 */
import { DashboardBuilder, DashboardCursorSync, RowBuilder, type Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { logs, lokiStat, lokiTimeseries, numberPanels } from '../panels.js';
import { lokiLabelValues } from '../variables.js';

export const UID = 'logsentinel-logs-overview';

const ALL = '{service=~"$service"}';
const ERRORS = '{service=~"$service", level=~"error|critical"}';

export function logsOverviewDashboard(): Dashboard {
  const b = new DashboardBuilder('Logs overview')
    .uid(UID)
    .description('Log volume by service and level, errors per service and the latest errors, from LogSentinel through LogQL.')
    .tags(['logsentinel', 'logs'])
    .editable()
    .tooltip(DashboardCursorSync.Crosshair)
    .refresh('30s')
    .time({ from: 'now-1h', to: 'now' })
    .timezone('browser')
    .withVariable(lokiLabelValues('service', 'service', 'Service'))

    .withRow(new RowBuilder('Volume'))
    .withPanel(
      lokiStat({
        title: 'Lines in range',
        description: 'Log lines of the selected services over the dashboard time range.',
        queries: [{ expr: `sum(count_over_time(${ALL}[$__range]))`, instant: true }],
        width: 6,
      }),
    )
    .withPanel(
      lokiStat({
        title: 'Errors in range',
        description: 'Lines at level error or critical over the dashboard time range.',
        queries: [{ expr: `sum(count_over_time(${ERRORS}[$__range]))`, instant: true }],
        width: 6,
        thresholds: [[1, 'red']],
      }),
    )
    .withPanel(
      lokiStat({
        title: 'Error share in range',
        description: 'Lines at level error or critical as a share of all lines of the selected services.',
        queries: [{ expr: `sum(count_over_time(${ERRORS}[$__range])) / sum(count_over_time(${ALL}[$__range]))`, instant: true }],
        unit: 'percentunit',
        width: 6,
        thresholds: [
          [0.05, 'orange'],
          [0.1, 'red'],
        ],
      }),
    )
    .withPanel(
      lokiStat({
        title: 'Services logging',
        description: 'Services with at least one line in the dashboard time range.',
        queries: [{ expr: `count(sum by (service) (count_over_time(${ALL}[$__range])))`, instant: true }],
        width: 6,
      }),
    )
    .withPanel(
      lokiTimeseries({
        title: 'Volume by service',
        description: 'Log lines per interval, by service.',
        queries: [{ expr: `sum by (service) (count_over_time(${ALL}[$__auto]))`, legend: '{{service}}' }],
        bars: true,
        stacked: true,
      }),
    )
    .withPanel(
      lokiTimeseries({
        title: 'Volume by level',
        description: 'Log lines per interval, by detected level (trace, debug, info, warn, error, critical, unknown).',
        queries: [{ expr: `sum by (level) (count_over_time(${ALL}[$__auto]))`, legend: '{{level}}' }],
        bars: true,
        stacked: true,
      }),
    )

    .withRow(new RowBuilder('Errors'))
    .withPanel(
      lokiTimeseries({
        title: 'Error rate per service',
        description: 'Lines at level error or critical per second, by service.',
        queries: [{ expr: `sum by (service) (rate(${ERRORS}[$__auto]))`, legend: '{{service}}' }],
        unit: 'short',
      }),
    )
    .withPanel(
      lokiTimeseries({
        title: 'Error share per service',
        description: 'Lines at level error or critical as a share of each service\'s lines.',
        queries: [
          {
            expr: `sum by (service) (count_over_time(${ERRORS}[$__auto])) / sum by (service) (count_over_time(${ALL}[$__auto]))`,
            legend: '{{service}}',
          },
        ],
        unit: 'percentunit',
        min: 0,
      }),
    )
    .withPanel(
      logs({
        title: 'Recent errors',
        description: 'The newest lines at level error or critical of the selected services.',
        expr: ERRORS,
      }),
    );
  return numberPanels(b.build());
}
