import { type Metric, type Registry } from 'prom-client';
import { type DurationHistogram } from './duration-histogram';

interface Sample {
  metricName: string;
  labels: Record<string, string | number>;
  value: number;
}

/**
 * Exposes DurationHistograms (plain arrays filled on the hot path) as one Prometheus histogram.
 * prom-client's own Histogram can only be fed one observation at a time; this collector renders
 * `_bucket` (cumulative, with `le`), `_sum` and `_count` from the arrays at scrape time instead.
 */
export class HistogramCollector<L extends string = never> {
  readonly type = 'histogram';
  readonly aggregator = 'sum';

  constructor(
    readonly name: string,
    readonly help: string,
    /** Called at every scrape: each histogram with its labels. */
    private readonly source: () => Iterable<readonly [Record<L, string>, DurationHistogram]>,
  ) {}

  register(registry: Registry): this {
    // The registry duck-types its metrics: name, help, type and an async get() are all it uses.
    registry.registerMetric(this as unknown as Metric);
    return this;
  }

  get(): Promise<{
    name: string;
    help: string;
    type: string;
    aggregator: string;
    values: Sample[];
  }> {
    const values: Sample[] = [];
    for (const [labels, histogram] of this.source()) {
      let cumulative = 0;
      histogram.bounds.forEach((bound, i) => {
        cumulative += histogram.counts[i]!;
        values.push({
          metricName: `${this.name}_bucket`,
          labels: { ...labels, le: bound },
          value: cumulative,
        });
      });
      values.push({
        metricName: `${this.name}_bucket`,
        labels: { ...labels, le: '+Inf' },
        value: histogram.count,
      });
      values.push({ metricName: `${this.name}_sum`, labels, value: histogram.sum });
      values.push({ metricName: `${this.name}_count`, labels, value: histogram.count });
    }
    return Promise.resolve({
      name: this.name,
      help: this.help,
      type: this.type,
      aggregator: this.aggregator,
      values,
    });
  }
}
