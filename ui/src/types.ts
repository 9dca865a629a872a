/** Label name → value. Self-contained (no imports), so pure modules tested under node can use these types. */
export type Labels = Record<string, string>;

/** One log entry as the UI shows it (from query_range streams or the tail WebSocket). */
export interface LogEntry {
  /** Unique within a result list (stream key + timestamp + index). */
  id: string;
  /** Nanoseconds since the epoch, as a decimal string (exact). */
  ts: string;
  line: string;
  /** The stream's labels. */
  labels: Labels;
  /** Structured metadata. */
  metadata: Labels;
  /** Labels extracted by parser stages (| json, | logfmt), when the server categorises them. */
  parsed?: Labels;
  /** trace, debug, info, warn, error, critical or unknown. */
  level: string;
}

/** What clicking a value in a row asks the query to add. */
export type FilterAction =
  | { kind: 'label'; name: string; value: string; op: '=' | '!=' }
  | { kind: 'line'; text: string; op: '|=' | '!=' | '|>' }
  /** A label filter stage (`| name="value"`) on a parsed field or structured metadata; `parser` is added first if the query has none. */
  | { kind: 'field'; name: string; value: string; op: '=' | '!='; parser?: 'json' | 'logfmt' };

/** One series for TimeSeriesChart: points are [unix seconds, value]. */
export interface ChartSeries {
  name: string;
  points: [number, number][];
  color?: string;
}
