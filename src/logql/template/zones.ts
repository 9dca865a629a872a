/**
 * Time zone offsets for `toDateInZone`, from the IANA database Node's ICU carries. An unknown
 * zone is UTC (Loki falls back to UTC when `time.LoadLocation` fails).
 */

const formatters = new Map<string, Intl.DateTimeFormat | null>();

function formatter(zone: string): Intl.DateTimeFormat | null {
  let f = formatters.get(zone);
  if (f === undefined) {
    try {
      f = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    } catch {
      f = null;
    }
    if (formatters.size > 100) formatters.clear();
    formatters.set(zone, f);
  }
  return f;
}

/** Offset of `zone` from UTC at the instant `utcMs`, in seconds. */
function offsetAt(f: Intl.DateTimeFormat, utcMs: number): number {
  const p: Record<string, number> = {};
  for (const part of f.formatToParts(new Date(utcMs))) if (part.type !== 'literal') p[part.type] = Number(part.value);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return Math.round((asUtc - Math.floor(utcMs / 1000) * 1000) / 1000);
}

/**
 * Offset (seconds) to subtract from a wall-clock time `wallNs` read in `zone` to get UTC.
 * "UTC", "" and unknown zones give 0; "Local" is the server's zone.
 */
export function zoneOffsetSeconds(zone: string, wallNs: bigint): number {
  if (zone === '' || zone === 'UTC') return 0;
  const f = formatter(zone === 'Local' ? Intl.DateTimeFormat().resolvedOptions().timeZone : zone);
  if (f === null) return 0;
  const wallMs = Number(wallNs / 1_000_000n);
  // Two passes settle the offset around DST changes.
  let off = offsetAt(f, wallMs);
  off = offsetAt(f, wallMs - off * 1000);
  return off;
}
