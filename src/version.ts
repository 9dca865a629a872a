/** LogSentinel's version, as /loki/api/v1/status/buildinfo and --version report it. */
export const VERSION = '0.1.0';
