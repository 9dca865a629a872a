/**
 * The data sources every dashboard uses, by the fixed uids that
 * `deploy/grafana/provisioning/datasources/datasources.yaml` provisions. Dashboards name these
 * uids directly (no data source variable), so an imported dashboard works on any Grafana that
 * was provisioned from this folder, and a test can check that nothing else is referenced.
 */
export interface DataSourceRef {
  type: string;
  uid: string;
}

/** LogSentinel through Grafana's Loki data source (LogQL, Loki HTTP API). */
export const LOGSENTINEL: DataSourceRef = { type: 'loki', uid: 'logsentinel' };

/** The Prometheus that scrapes LogSentinel's `/metrics` and the demo API. */
export const PROMETHEUS: DataSourceRef = { type: 'prometheus', uid: 'prometheus' };

/** Every uid the provisioning file defines, with the plugin type it must have. */
export const PROVISIONED_DATASOURCES: readonly DataSourceRef[] = [LOGSENTINEL, PROMETHEUS];
