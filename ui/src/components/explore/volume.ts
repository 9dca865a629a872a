/** Explore's log volume histogram: the volume query's matrix as one zero-filled series per level. */
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
  const first = result.find((m) => m.values.length > 0)?.values[0][0];
  const phase = first === undefined ? startS : first - Math.floor((first - startS) / stepS) * stepS;
  const grid: number[] = [];
  for (let k = 0; phase + k * stepS <= endS + 1e-6 && k <= 10_000; k++) grid.push(phase + k * stepS);
  // Timestamps are matched to the millisecond (the answer's are decimal seconds).
  const ms = (t: number): number => Math.round(t * 1000);
  return LEVELS.filter((l) => byLevel.has(l)).map((l) => {
    const counts = new Map(byLevel.get(l)!.values.map(([t, v]) => [ms(t), Number(v)]));
    return { name: l, color: `var(--level-${l})`, points: grid.map((t) => [t, counts.get(ms(t)) ?? 0] as [number, number]) };
  });
}
