/** Template variable factories shared by the dashboards. */
import { QueryVariableBuilder, TextBoxVariableBuilder, VariableRefresh, VariableSort } from '@grafana/grafana-foundation-sdk/dashboard';
import { LOGSENTINEL, PROMETHEUS } from './datasources.js';

/**
 * The "All" value of LogSentinel label variables: a regex that matches every value, so selectors
 * are written `label=~"$var"` and work for one value, several (Grafana joins them as `(a|b)`) or
 * all, and the selector still has a matcher that needs a non-empty value (LogQL requires one).
 */
export const ALL = '.+';

/**
 * A multi-value Prometheus variable from `label_values(<selector>, <label>)`. No custom "All"
 * value: Grafana then sends the listed values as `(a|b|c)`, so "All jobs" means the jobs that
 * export `<selector>` (LogSentinel's), not every target Prometheus scrapes.
 */
export function promLabelValues(name: string, label: string, selector: string, title: string): QueryVariableBuilder {
  return new QueryVariableBuilder(name)
    .label(title)
    .datasource(PROMETHEUS)
    .query(`label_values(${selector}, ${label})`)
    .definition(`label_values(${selector}, ${label})`)
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .sort(VariableSort.AlphabeticalAsc)
    .multi(true)
    .includeAll(true)
    .current({ selected: true, text: 'All', value: '$__all' });
}

/**
 * A multi-value variable over the values of a LogSentinel label, in the object form Grafana's Loki
 * data source stores (`type: 1` is "label values"); it calls `/loki/api/v1/label/<label>/values`.
 */
export function lokiLabelValues(name: string, label: string, title: string): QueryVariableBuilder {
  return new QueryVariableBuilder(name)
    .label(title)
    .datasource(LOGSENTINEL)
    .query({ refId: 'LokiVariableQueryEditor-VariableQuery', type: 1, label, stream: '' })
    .definition(`label_values(${label})`)
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .sort(VariableSort.AlphabeticalAsc)
    .multi(true)
    .includeAll(true)
    .allValue(ALL)
    .current({ selected: true, text: 'All', value: '$__all' });
}

/** A free-text variable, empty by default. */
export function textBox(name: string, title: string, description: string): TextBoxVariableBuilder {
  return new TextBoxVariableBuilder(name).label(title).description(description).defaultValue('').current({ selected: false, text: '', value: '' });
}
