// Histogram with classic cumulative buckets.
import { Metric, NO_LABELS, nowSeconds, type MetricConfiguration, type SeriesBase } from './metric.js';
import type { CollectFunction, LabelValues, MetricObject, MetricValue, RenderOptions } from './types.js';
import { fmtNum } from './format.js';
import type { TextSink } from './sink.js';
import { makeExemplar, renderExemplar, type StoredExemplar } from './exemplar.js';
import { DEFAULT_BUCKETS } from './buckets.js';

export interface HistogramConfiguration<T extends string> extends MetricConfiguration<T> {
  /** Upper bounds, strictly increasing; +Inf is implied. Default: DEFAULT_BUCKETS. */
  buckets?: readonly number[];
  collect?: CollectFunction<Histogram<T>>;
}

export interface ObserveOptions<T extends string> {
  labels?: LabelValues<T>;
  value: number;
  exemplarLabels?: Record<string, string | number>;
}

function badValue(v: unknown): TypeError {
  return new TypeError(`Value is not a valid number: ${String(v)}`);
}

export class HistogramChild implements SeriesBase {
  /** Per-bucket (non-cumulative) counts; the last slot is the +Inf overflow. */
  readonly counts: Float64Array;
  sum = 0;
  count = 0;
  exemplars: (StoredExemplar | undefined)[] | undefined = undefined;
  constructor(
    readonly li: string,
    public created: number,
    private readonly bounds: Float64Array,
  ) {
    this.counts = new Float64Array(bounds.length + 1);
  }

  observe(v: number, exemplarLabels?: Record<string, string | number>): void {
    if (typeof v !== 'number' || v - v !== 0) throw badValue(v);
    const b = this.bounds;
    const n = b.length;
    let i = 0;
    if (n <= 24) {
      while (i < n && v > b[i]!) i++;
    } else {
      let hi = n;
      while (i < hi) {
        const mid = (i + hi) >>> 1;
        if (v > b[mid]!) i = mid + 1;
        else hi = mid;
      }
    }
    this.counts[i]!++;
    this.sum += v;
    this.count++;
    if (exemplarLabels !== undefined) (this.exemplars ??= [])[i] = makeExemplar(exemplarLabels, v);
  }

  /** Returns `end()`, which observes the elapsed seconds and returns them. */
  startTimer(): () => number {
    const t0 = performance.now();
    return () => {
      const d = (performance.now() - t0) / 1000;
      this.observe(d);
      return d;
    };
  }
}

export class Histogram<T extends string = string> extends Metric<T, HistogramChild> {
  readonly type = 'histogram' as const;
  readonly upperBounds: readonly number[];
  private readonly bounds: Float64Array;
  private readonly le: string[];

  constructor(config: HistogramConfiguration<T>) {
    super(config, 'le');
    const raw = config.buckets ?? DEFAULT_BUCKETS;
    if (!Array.isArray(raw)) throw new Error(`buckets of histogram ${this.name} must be an array of numbers`);
    const b = raw.filter((x) => x !== Infinity);
    for (let i = 0; i < b.length; i++) {
      if (typeof b[i] !== 'number' || Number.isNaN(b[i])) throw new Error(`bucket ${String(b[i])} of histogram ${this.name} is not a number`);
      if (i > 0 && !(b[i]! > b[i - 1]!)) throw new Error(`buckets of histogram ${this.name} must be strictly increasing (${b[i - 1]} then ${b[i]})`);
    }
    this.upperBounds = Object.freeze(b.slice());
    this.bounds = Float64Array.from(b);
    this.le = b.map((x) => 'le="' + fmtNum(x) + '"} ');
    this.le.push('le="+Inf"} ');
    if (this.labelNames.length === 0) this.lookup(NO_LABELS);
  }

  protected make(li: string, created: number): HistogramChild {
    return new HistogramChild(li, created, this.bounds);
  }

  /** observe(value), observe(labels, value); with enableExemplars also observe({labels, value, exemplarLabels}). */
  observe(labels: LabelValues<T> | number | ObserveOptions<T>, value?: number): void {
    if (typeof labels === 'object' && labels !== null) {
      if (this.enableExemplars) {
        const o = labels as ObserveOptions<T>;
        const ex = o.exemplarLabels && Object.keys(o.exemplarLabels).length ? o.exemplarLabels : undefined;
        return this.lookup(o.labels ?? NO_LABELS).observe(o.value, ex);
      }
      this.lookup(labels as LabelValues<T>).observe(value as number);
    } else {
      (this.only ?? this.lookup(NO_LABELS)).observe(labels);
    }
  }

  startTimer(labels?: LabelValues<T>, exemplarLabels?: Record<string, string | number>): (endLabels?: LabelValues<T>, endExemplarLabels?: Record<string, string | number>) => number {
    const t0 = performance.now();
    return (endLabels, endEx) => {
      const d = (performance.now() - t0) / 1000;
      const ex = exemplarLabels || endEx ? { ...exemplarLabels, ...endEx } : undefined;
      this.lookup({ ...labels, ...endLabels } as LabelValues<T>).observe(d, ex && Object.keys(ex).length ? ex : undefined);
      return d;
    };
  }

  labels(...values: [LabelValues<T>] | (string | number)[]): HistogramChild {
    return this.bind(values);
  }

  protected clearSeries(c: HistogramChild): void {
    c.counts.fill(0);
    c.sum = 0;
    c.count = 0;
    c.exemplars = undefined;
  }

  async get(): Promise<MetricObject> {
    const p = this.runCollect();
    if (p) await p;
    const values: MetricValue[] = [];
    const bucket = this.name + '_bucket';
    for (const c of this.series) {
      const labels = this.labelObject(c);
      let acc = 0;
      for (let i = 0; i <= this.bounds.length; i++) {
        acc += c.counts[i]!;
        const le = i < this.bounds.length ? this.bounds[i]! : '+Inf';
        const ex = c.exemplars?.[i];
        values.push({
          labels: { ...labels, le },
          value: acc,
          metricName: bucket,
          exemplar: ex ? { labelSet: ex.labelSet, value: ex.value, timestamp: ex.timestamp } : null,
        });
      }
      values.push({ labels, value: c.sum, metricName: this.name + '_sum' });
      values.push({ labels, value: c.count, metricName: this.name + '_count' });
    }
    return { name: this.name, help: this.help, type: 'histogram', values, aggregator: this.aggregator };
  }

  render(o: RenderOptions, out: TextSink): void {
    const name = this.name;
    const om = o.openMetrics;
    out.add(this.header(o, name));
    const le = this.le;
    const nb = le.length;
    const bucket = name + '_bucket{';
    const plain = o.defaults === null;
    for (const c of this.series) {
      const li = plain ? c.li : this.inner(c, o);
      const lb = li === '' ? '' : '{' + li + '}';
      const pre = li === '' ? bucket : bucket + li + ',';
      const counts = c.counts;
      const ex = om ? c.exemplars : undefined;
      let acc = 0;
      for (let i = 0; i < nb; i++) {
        acc += counts[i]!;
        out.add(pre + le[i] + acc + (ex !== undefined ? renderExemplar(ex[i]) : '') + '\n');
      }
      out.add(name + '_sum' + lb + ' ' + fmtNum(c.sum) + '\n' + name + '_count' + lb + ' ' + acc + '\n');
      if (o.created) out.add(name + '_created' + lb + ' ' + (c.created || this.createdAt).toFixed(3) + '\n');
    }
  }
}
