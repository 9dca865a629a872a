/**
 * Per-tenant ingest limits, named after Loki's `limits_config` options so operators can carry
 * their settings over. All sizes are in bytes of UTF-8.
 */
export interface IngestLimits {
  /** Loki `max_line_size`: longest accepted line, in bytes (0 = no limit). */
  maxLineSize: number;
  /** Loki `max_line_size_truncate`: cut long lines to `maxLineSize` instead of rejecting them. */
  maxLineSizeTruncate: boolean;
  /** Loki `max_label_names_per_series` (`service_name` is not counted, as in Loki). */
  maxLabelNamesPerSeries: number;
  /** Loki `max_label_name_length`. */
  maxLabelNameLength: number;
  /** Loki `max_label_value_length`. */
  maxLabelValueLength: number;
  /** Loki `creation_grace_period`: entries newer than now + this are rejected as too new. */
  creationGracePeriodNs: bigint;
  /**
   * Loki `reject_old_samples_max_age`, with `null` meaning "accept any age": LogSentinel accepts
   * out-of-order and late entries by default, unlike Loki.
   */
  rejectOlderThanNs: bigint | null;
  /** Loki `max_structured_metadata_entries_count`. */
  maxStructuredMetadataEntries: number;
  /** Loki `max_structured_metadata_size`: bytes of names + values per entry. */
  maxStructuredMetadataSize: number;
  /**
   * Largest request body after decompression; protects against compression bombs.
   * A request over it is refused as a whole (413).
   */
  maxDecompressedBodySize: number;
}

const NS_PER_MINUTE = 60_000_000_000n;

export const DEFAULT_INGEST_LIMITS: Readonly<IngestLimits> = Object.freeze({
  maxLineSize: 256 * 1024,
  maxLineSizeTruncate: false,
  maxLabelNamesPerSeries: 15,
  maxLabelNameLength: 1024,
  maxLabelValueLength: 2048,
  creationGracePeriodNs: 10n * NS_PER_MINUTE,
  rejectOlderThanNs: null,
  maxStructuredMetadataEntries: 128,
  maxStructuredMetadataSize: 64 * 1024,
  maxDecompressedBodySize: 100 * 1024 * 1024,
});
