// Public types shared by the metric classes (shapes follow prom-client's where they overlap).

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary';
export type Aggregator = 'omit' | 'sum' | 'first' | 'min' | 'max' | 'average';

export type LabelValues<T extends string = string> = Partial<Record<T, string | number>>;
export type CollectFunction<T> = (this: T) => void | Promise<void>;

/** One sample in `metric.get()` output (prom-client's MetricValue). */
export interface MetricValue<T extends string = string> {
  value: number;
  labels: LabelValues<T> & Record<string, string | number>;
  metricName?: string;
  exemplar?: Exemplar | null;
}

export interface MetricObject {
  name: string;
  help: string;
  type: MetricType;
  aggregator: Aggregator;
  values: MetricValue[];
}

/** An OpenMetrics exemplar: a labelled sample (e.g. a trace id) attached to a counter or bucket. */
export interface Exemplar {
  labelSet: Record<string, string | number>;
  value: number;
  /** Seconds since the epoch. */
  timestamp: number;
}

/** Options passed down when a registry renders its metrics. */
export interface RenderOptions {
  openMetrics: boolean;
  /** Emit `_created` series (OpenMetrics only). */
  created: boolean;
  /** Registry default labels, added to series that lack them. */
  defaults: { names: string[]; values: string[] } | null;
}
