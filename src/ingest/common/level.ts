/**
 * Log level detection. Runs once per ingested line (150k+ lines/s), so it looks at no more than
 * the first `SCAN_LIMIT` characters and uses a handful of precompiled regular expressions.
 *
 * Order of evidence, strongest first:
 *  1. an explicit level the payload carries (a `level` label, a metadata key, a JSON field) —
 *     the caller passes it as `explicit`;
 *  2. a level field inside the line: JSON `"level":"warn"`, logfmt `level=error`, `severity: ERROR`;
 *  3. well-known line shapes: klog `E1114 ...`, .NET console `fail: ...`, nginx `[error]`,
 *     `Traceback (most recent call last):`, `Exception in thread ...`, Go's `panic: ...`;
 *  4. a bare level word, UPPERCASE (`ERROR`, `WARN`) or Capitalised and followed by `:` or `]`
 *     (`Error:`, `[Warning]`) — word-bounded, so `ERROR_CODE` or `InfoService` do not match;
 *  5. PostgreSQL's own severities that are no level word: `LOG:  ` (info) and `DEBUG1:  ` to
 *     `DEBUG5:  ` (debug), with the two spaces PostgreSQL writes after them.
 * Nothing found → `unknown`: an nginx access line has no level, and guessing one from the HTTP
 * status would mislead level filters.
 */
import type { Level } from '../../model/level.js';

/** Only this many leading characters of a line are examined. */
export const SCAN_LIMIT = 1024;

// Level words as they appear in fields, lowercased. Numeric values are pino/bunyan levels.
const WORDS = new Map<string, Level>(Object.entries({
  trace: 'trace', trc: 'trace', trce: 'trace', finest: 'trace', finer: 'trace', '10': 'trace',
  debug: 'debug', dbg: 'debug', dbug: 'debug', fine: 'debug', config: 'debug', '20': 'debug',
  info: 'info', inf: 'info', information: 'info', informational: 'info', notice: 'info', '30': 'info',
  warn: 'warn', warning: 'warn', wrn: 'warn', '40': 'warn',
  error: 'error', err: 'error', eror: 'error', exception: 'error', fail: 'error', severe: 'error', '50': 'error',
  critical: 'critical', crit: 'critical', fatal: 'critical', panic: 'critical', emerg: 'critical',
  emergency: 'critical', alert: 'critical', dpanic: 'critical', '60': 'critical',
} satisfies Record<string, Level>));

/**
 * Maps a level name as producers write it (`WARNING`, `err`, `Fatal`, `notice`, pino's `50`)
 * to a LogSentinel level; `undefined` when the word is not a level.
 */
export function normalizeLevel(s: string): Level | undefined {
  const direct = WORDS.get(s);
  if (direct !== undefined) return direct;
  if (s.length > 13) return undefined;
  return WORDS.get(s.toLowerCase());
}

// A level field: JSON ("level":"warn", "severity": "ERROR", "level":30), logfmt (level=info,
// level="warn"), YAML-ish (level: debug). The name must not be the tail of a longer word.
const FIELD_RE =
  /(?<![\w.-])"?(?:level|severity|lvl|loglevel|log\.level|levelname|severity_text|detected_level)"?[ \t]*[=:][ \t]*["']?([A-Za-z]+|[1-6]0)\b/i;
const FIELD_HINT_RE = /level|severity|lvl/i;

// klog / glog: `E1114 22:13:20.123456    1 file.go:12] msg`.
const KLOG_RE = /^([IWEF])\d{4} \d\d:\d\d:\d\d/;
const KLOG: Record<string, Level> = { I: 'info', W: 'warn', E: 'error', F: 'critical' };

// .NET console logger prefixes at the start of a line.
const DOTNET_RE = /^(trce|dbug|info|warn|fail|crit): /;

// nginx / Apache error logs: `[error]`, `[core:crit]`, `[warn]`.
const BRACKET_RE = /\[(?:[a-z_]+:)?(debug|info|notice|warn|error|crit|alert|emerg)\]/;

// Bare words: UPPERCASE anywhere word-bounded; Capitalised only before `:` or `]`, where it reads
// as a level rather than as an English word at the start of a sentence.
const BARE_RE =
  /\b(?:(TRACE|DEBUG|INFO|NOTICE|WARN|WARNING|ERROR|ERR|CRITICAL|CRIT|FATAL|PANIC|EMERG|EMERGENCY|ALERT|SEVERE)\b|(Trace|Debug|Info|Notice|Warn|Warning|Error|Critical|Fatal|Panic|Severe)(?=[:\]]))/;

// PostgreSQL: `2026-12-05 10:00:00.123 UTC [12345] LOG:  duration: 1.2 ms`.
const PG_RE = /\b(LOG|DEBUG[1-5]): {2}\S/;

function scanLine(line: string): Level {
  const s = line.length > SCAN_LIMIT ? line.slice(0, SCAN_LIMIT) : line;
  if (FIELD_HINT_RE.test(s)) {
    const m = FIELD_RE.exec(s);
    if (m !== null) {
      const l = normalizeLevel(m[1]);
      if (l !== undefined) return l;
    }
  }
  const c0 = s.charCodeAt(0);
  if (c0 === 73 || c0 === 87 || c0 === 69 || c0 === 70) {
    // I W E F
    const k = KLOG_RE.exec(s);
    if (k !== null) return KLOG[k[1]];
  }
  if (c0 >= 97 && c0 <= 122) {
    const d = DOTNET_RE.exec(s);
    if (d !== null) return WORDS.get(d[1]) ?? 'unknown';
  }
  if (s.startsWith('Traceback (most recent call last)') || s.startsWith('Exception in thread ')) return 'error';
  if (s.startsWith('panic: ')) return 'critical'; // a Go program crashing
  const b = BRACKET_RE.exec(s);
  const w = BARE_RE.exec(s);
  if (b !== null && (w === null || b.index < w.index)) return WORDS.get(b[1]) ?? 'unknown';
  if (w !== null) return WORDS.get((w[1] ?? w[2]).toLowerCase()) ?? 'unknown';
  const pg = PG_RE.exec(s);
  if (pg !== null) return pg[1] === 'LOG' ? 'info' : 'debug';
  return 'unknown';
}

/**
 * The level of one log line. `explicit` is a level the payload states outside the line (a label,
 * a metadata value, a JSON field); when it is a recognised level word it wins, otherwise the line
 * is scanned.
 */
export function detectLevel(line: string, explicit?: string): Level {
  if (explicit !== undefined) {
    const l = normalizeLevel(explicit);
    if (l !== undefined) return l;
  }
  return scanLine(line);
}

/**
 * Label / metadata / field names that carry an explicit level: Loki's (with its case variants, see
 * `LEVEL_FIELDS` in model/metadata.ts, which also pick `detected_level`), then `loglevel` and a
 * `detected_level` sent by the client.
 */
export const LEVEL_KEYS: readonly string[] = ['level', 'LEVEL', 'Level', 'severity', 'SEVERITY', 'Severity', 'lvl', 'LVL', 'Lvl', 'loglevel', 'detected_level'];

/** The first explicit level value in a label or metadata map, if any. */
export function explicitLevelOf(map: Record<string, string> | undefined): string | undefined {
  if (map === undefined) return undefined;
  for (let i = 0; i < LEVEL_KEYS.length; i++) {
    const v = map[LEVEL_KEYS[i]];
    if (v !== undefined) return v;
  }
  return undefined;
}
