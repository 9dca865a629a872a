/** Metric names, in one place so dashboards, docs and code agree (docs/specs/metrics.md). */
export const M = {
  logsReceived: 'logs_received_total',
  logsRejected: 'logs_rejected_total',
  logsProcessed: 'logs_processed_total',
  processingLatency: 'log_processing_latency_seconds',
  bytesReceived: 'logs_received_bytes_total',
  httpRequests: 'http_requests_total',
  httpDuration: 'http_request_duration_seconds',
  httpErrors: 'http_request_errors_total',
  httpInFlight: 'http_requests_in_flight',
  queueDepth: 'queue_depth_entries',
  storageSize: 'storage_size_bytes',
  checkpointDuration: 'storage_checkpoint_duration_seconds',
  commitDuration: 'storage_commit_duration_seconds',
  retentionDeleted: 'retention_deleted_entries_total',
  queries: 'logql_queries_total',
  queryDuration: 'logql_query_duration_seconds',
} as const;
