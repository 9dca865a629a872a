/**
 * Range query answers as chart series: Explore's log volume histogram (one zero-filled series per
 * level), the bucket grid it is built on, and series names from labels. Pure.
 */
import type { MatrixResult } from '../../api.js';
import type { ChartSeries } from '../../types.js';
import { LEVELS } from '../../entries.js';

/**
 * The log volume by level, every bucket of the range present: a bucket without lines is 0, so the
 * bars span the chosen range whatever part of it has data. Buckets are at `startS + k·step` as the
 * server evaluates a range query (the phase of the answer's timestamps where there are any).
 */
export function volumeSeries(result: MatrixResult[], startS: number, endS: number, stepS: number): ChartSeries[] {
  const byLevel = new Map(result.map((m) => [m.metric.level || 'unknown', m]));
  const grid = bucketGrid(result, startS, endS, stepS);
  return LEVELS.filter((l) => byLevel.has(l)).map((l) => {
    const counts = new Map(byLevel.get(l)!.values.map(([t, v]) => [bucketMs(t), Number(v)]));
    return { name: l, color: `var(--level-${l})`, points: grid.map((t) => [t, counts.get(bucketMs(t)) ?? 0] as [number, number]) };
  });
}

/**
 * Where the volume query's evaluation starts so that its buckets tile the chosen range and no
 * more: a point at `t` counts the lines in `(t - step, t]` (drawn as a bar ending at `t`), so the
 * points run back from the range's end, and the first is a whole step after the range's start —
 * a line just before the range is never counted. What is left at the start (less than a step,
 * when the range is not a multiple of it) has no bar. Milliseconds.
 */
export function volumeEvalStartMs(startMs: number, endMs: number, stepS: number): number {
  const stepMs = stepS * 1000;
  const n = Math.max(1, Math.floor((endMs - startMs) / stepMs));
  return endMs - (n - 1) * stepMs;
}

/**
 * Every bucket of a range query's answer from `startS` to `endS`, at `startS + k·step` as the
 * server evaluates it (the phase of the answer's timestamps where there are any); at most 10,001.
 */
export function bucketGrid(result: MatrixResult[], startS: number, endS: number, stepS: number): number[] {
  const first = result.find((m) => m.values.length > 0)?.values[0][0];
  const phase = first === undefined ? startS : first - Math.floor((first - startS) / stepS) * stepS;
  const grid: number[] = [];
  for (let k = 0; phase + k * stepS <= endS + 1e-6 && k <= 10_000; k++) grid.push(phase + k * stepS);
  return grid;
}

/** A bucket's key: timestamps are matched to the millisecond (the answer's are decimal seconds). */
export function bucketMs(t: number): number {
  return Math.round(t * 1000);
}

/** A series name from its labels: `{a="x", b="y"}`, or `fallback` when there are none. */
export function seriesName(metric: Record<string, string>, fallback: string): string {
  const parts = Object.entries(metric).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
  return parts.length ? `{${parts.join(', ')}}` : fallback;
}
