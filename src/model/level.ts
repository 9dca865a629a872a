/**
 * Log levels, as LogSentinel detects and indexes them. The numeric code is what storage keeps;
 * the name is what users write (`{level="error"}`, `| level="warn"`).
 */
export const LEVELS = ['unknown', 'trace', 'debug', 'info', 'warn', 'error', 'critical'] as const;
export type Level = (typeof LEVELS)[number];

export const LEVEL_CODE: Record<Level, number> = {
  unknown: 0,
  trace: 1,
  debug: 2,
  info: 3,
  warn: 4,
  error: 5,
  critical: 6,
};

export function levelFromCode(code: number): Level {
  return LEVELS[code] ?? 'unknown';
}

export function isLevel(s: string): s is Level {
  return (LEVELS as readonly string[]).includes(s);
}
