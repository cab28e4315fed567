// Summary: count, sum and quantiles over a sliding time window, from a bounded-memory sketch.
import { Metric, NO_LABELS, nowSeconds, type MetricConfiguration, type SeriesBase } from './metric.js';
import type { CollectFunction, LabelValues, MetricObject, MetricValue, RenderOptions } from './types.js';
import { fmtNum } from './format.js';
import type { TextSink } from './sink.js';
import { SlidingQuantiles } from './sketch.js';

export interface SummaryConfiguration<T extends string> extends MetricConfiguration<T> {
  /** Quantiles to report. Default [0.01, 0.05, 0.5, 0.9, 0.95, 0.99, 0.999]. */
  percentiles?: readonly number[];
  /** Window length; 0/absent = quantiles over all observations since start or reset. */
  maxAgeSeconds?: number;
  /** Number of sub-windows the window slides by (default 5 when maxAgeSeconds is set). */
  ageBuckets?: number;
  /** Drop series whose window holds no observations from the output. */
  pruneAgedBuckets?: boolean;
  /**
   * Relative accuracy of reported quantiles (default 0.01): each is within ±1% of the exact
   * value at rank floor(q·(n−1)) of the observations in the window.
   */
  relativeAccuracy?: number;
  /** Accepted for prom-client compatibility; the sketch needs no compression. */
  compressCount?: number;
  collect?: CollectFunction<Summary<T>>;
}

function badValue(v: unknown): TypeError {
  return new TypeError(`Value is not a valid number: ${String(v)}`);
}

export class SummaryChild implements SeriesBase {
  sum = 0;
  count = 0;
  constructor(
    readonly li: string,
    public created: number,
    readonly window: SlidingQuantiles,
  ) {}

  observe(v: number): void {
    if (typeof v !== 'number' || v - v !== 0) throw badValue(v);
    this.window.observe(v);
    this.sum += v;
    this.count++;
  }

  startTimer(): () => number {
    const t0 = performance.now();
    return () => {
      const d = (performance.now() - t0) / 1000;
      this.observe(d);
      return d;
    };
  }
}

export class Summary<T extends string = string> extends Metric<T, SummaryChild> {
  readonly type = 'summary' as const;
  readonly percentiles: readonly number[];
  readonly maxAgeSeconds: number;
  readonly ageBuckets: number;
  readonly pruneAgedBuckets: boolean;
  private readonly alpha: number;
  private readonly qLabel: string[];
  private readonly out: Float64Array;

  constructor(config: SummaryConfiguration<T>) {
    super(config, 'quantile');
    const ps = config.percentiles ?? [0.01, 0.05, 0.5, 0.9, 0.95, 0.99, 0.999];
    for (const p of ps) {
      if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new Error(`Summary ${this.name}: percentile ${String(p)} is not in [0, 1]`);
    }
    this.percentiles = Object.freeze([...ps]);
    this.maxAgeSeconds = config.maxAgeSeconds ?? 0;
    if (!(this.maxAgeSeconds >= 0)) throw new Error(`Summary ${this.name}: maxAgeSeconds must be >= 0`);
    this.ageBuckets = this.maxAgeSeconds > 0 ? (config.ageBuckets ?? 5) : 1;
    if (!(Number.isInteger(this.ageBuckets) && this.ageBuckets >= 1)) throw new Error(`Summary ${this.name}: ageBuckets must be a positive integer`);
    this.pruneAgedBuckets = config.pruneAgedBuckets === true;
    this.alpha = config.relativeAccuracy ?? 0.01;
    if (!(this.alpha > 0 && this.alpha < 1)) throw new Error(`Summary ${this.name}: relativeAccuracy must be in (0, 1)`);
    this.qLabel = this.percentiles.map((p) => 'quantile="' + fmtNum(p) + '"');
    this.out = new Float64Array(this.percentiles.length);
    if (this.labelNames.length === 0) this.lookup(NO_LABELS);
  }

  protected make(li: string, created: number): SummaryChild {
    return new SummaryChild(li, created, new SlidingQuantiles(this.maxAgeSeconds, this.ageBuckets, this.alpha));
  }

  observe(labels: LabelValues<T> | number, value?: number): void {
    if (typeof labels === 'object' && labels !== null) this.lookup(labels).observe(value as number);
    else (this.only ?? this.lookup(NO_LABELS)).observe(labels);
  }

  startTimer(labels?: LabelValues<T>): (endLabels?: LabelValues<T>) => number {
    const t0 = performance.now();
    return (endLabels) => {
      const d = (performance.now() - t0) / 1000;
      this.lookup({ ...labels, ...endLabels } as LabelValues<T>).observe(d);
      return d;
    };
  }

  labels(...values: [LabelValues<T>] | (string | number)[]): SummaryChild {
    return this.bind(values);
  }

  /** prom-client's Summary.reset keeps series but zeroes them. */
  override reset(): void {
    for (const c of this.series) this.clearSeries(c);
  }

  protected clearSeries(c: SummaryChild): void {
    c.window.reset();
    c.sum = 0;
    c.count = 0;
  }

  private live(): SummaryChild[] {
    if (!this.pruneAgedBuckets) return this.series;
    const stale = this.series.filter((c) => c.window.size() === 0);
    for (const c of stale) this.remove(this.labelObject(c) as LabelValues<T>);
    return this.series;
  }

  async get(): Promise<MetricObject> {
    const p = this.runCollect();
    if (p) await p;
    const values: MetricValue[] = [];
    for (const c of this.live()) {
      const labels = this.labelObject(c);
      c.window.quantiles(this.percentiles, this.out);
      this.percentiles.forEach((q, i) => values.push({ labels: { quantile: q, ...labels }, value: this.out[i]! }));
      values.push({ metricName: this.name + '_sum', labels, value: c.sum });
      values.push({ metricName: this.name + '_count', labels, value: c.count });
    }
    return { name: this.name, help: this.help, type: 'summary', values, aggregator: this.aggregator };
  }

  render(o: RenderOptions, out: TextSink): void {
    const name = this.name;
    out.add(this.header(o, name));
    const plain = o.defaults === null;
    const qv = this.out;
    for (const c of this.live()) {
      const li = plain ? c.li : this.inner(c, o);
      const lb = li === '' ? '' : '{' + li + '}';
      const pre = name + '{' + (li === '' ? '' : li + ',');
      c.window.quantiles(this.percentiles, qv);
      for (let i = 0; i < this.qLabel.length; i++) out.add(pre + this.qLabel[i] + '} ' + fmtNum(qv[i]!) + '\n');
      out.add(name + '_sum' + lb + ' ' + fmtNum(c.sum) + '\n' + name + '_count' + lb + ' ' + c.count + '\n');
      if (o.created) out.add(name + '_created' + lb + ' ' + (c.created || this.createdAt).toFixed(3) + '\n');
    }
  }
}
