/**
 * The latest results of recording rules, kept in memory and exposed on `/metrics` as gauges:
 * metric name = the rule's `record`, labels = the series' labels + the rule's labels + `tenant`
 * (so two tenants recording the same name never produce duplicate series). Each record name is
 * one prom-client metric object registered on first use; a name LogSentinel already uses for its
 * own metrics is refused.
 */
import type { Metric, Registry } from 'prom-client';
import type { Labels } from '../model/labels.js';
import { labelsToString } from '../model/labels.js';

interface Family {
  /** By rule key: that rule's latest series. */
  byRule: Map<string, Array<{ labels: Labels; value: number }>>;
}

export class RecordedSeries {
  private readonly families = new Map<string, Family>();

  constructor(private readonly registry?: Registry) {}

  /** Replaces the series a rule recorded. Throws if `name` belongs to another metric. */
  set(name: string, ruleKey: string, series: Array<{ labels: Labels; value: number }>): void {
    let f = this.families.get(name);
    if (!f) {
      if (this.registry?.getSingleMetric(name)) throw new Error(`cannot record ${name}: LogSentinel already exposes a metric of that name`);
      f = { byRule: new Map() };
      this.families.set(name, f);
      const fam = f;
      this.registry?.registerMetric({
        name,
        help: `Recording rule ${name} (LogSentinel ruler).`,
        type: 'gauge',
        aggregator: 'first',
        get: async () => ({ name, help: `Recording rule ${name} (LogSentinel ruler).`, type: 'gauge', aggregator: 'first', values: RecordedSeries.values(fam) }),
        reset: () => undefined,
      } as unknown as Metric);
    }
    f.byRule.set(ruleKey, series);
  }

  /** Forgets a rule's series (the rule was deleted). */
  drop(ruleKey: string): void {
    for (const f of this.families.values()) f.byRule.delete(ruleKey);
  }

  private static values(f: Family): Array<{ labels: Labels; value: number }> {
    const seen = new Map<string, { labels: Labels; value: number }>();
    for (const list of f.byRule.values()) for (const s of list) seen.set(labelsToString(s.labels), s);
    return [...seen.values()];
  }

  /** The latest value of every series of `name` (for the API and tests). */
  latest(name: string): Array<{ labels: Labels; value: number }> {
    const f = this.families.get(name);
    return f ? RecordedSeries.values(f) : [];
  }

  names(): string[] {
    return [...this.families.keys()].sort();
  }
}
