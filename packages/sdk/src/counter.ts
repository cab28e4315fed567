// Counter: a value that only goes up (resets on process restart).
import { Metric, NO_LABELS, nowSeconds, type MetricConfiguration, type SeriesBase } from './metric.js';
import type { CollectFunction, LabelValues, MetricObject, MetricValue, RenderOptions } from './types.js';
import { fmtNum } from './format.js';
import type { TextSink } from './sink.js';
import { makeExemplar, renderExemplar, type StoredExemplar } from './exemplar.js';

export interface CounterConfiguration<T extends string> extends MetricConfiguration<T> {
  collect?: CollectFunction<Counter<T>>;
}

export interface IncreaseOptions<T extends string> {
  labels?: LabelValues<T>;
  value?: number;
  exemplarLabels?: Record<string, string | number>;
}

function badInc(v: unknown): Error {
  if (typeof v === 'number' && v < 0) return new Error('It is not possible to decrease a counter');
  return new TypeError(`Value is not a valid number: ${String(v)}`);
}

/** One labelled counter series; keep the handle from `counter.labels(...)` for the hot path. */
export class CounterChild implements SeriesBase {
  value = 0;
  exemplar: StoredExemplar | undefined = undefined;
  constructor(
    readonly li: string,
    public created: number,
  ) {}

  /** Adds `v` (default 1; must be >= 0 and finite); optionally records an exemplar. */
  inc(v?: number, exemplarLabels?: Record<string, string | number>): void {
    if (v === undefined || v === null) this.value++;
    else if (typeof v === 'number' && v >= 0 && v < Infinity) this.value += v;
    else throw badInc(v);
    if (exemplarLabels !== undefined) this.exemplar = makeExemplar(exemplarLabels, v ?? 1);
  }

  get(): number {
    return this.value;
  }
}

export class Counter<T extends string = string> extends Metric<T, CounterChild> {
  readonly type = 'counter' as const;

  constructor(config: CounterConfiguration<T>) {
    super(config);
    if (this.labelNames.length === 0) this.lookup(NO_LABELS);
  }

  protected make(li: string, created: number): CounterChild {
    return new CounterChild(li, created);
  }

  /**
   * inc(), inc(value), inc(labels), inc(labels, value); with enableExemplars also
   * inc({labels, value, exemplarLabels}) as in prom-client.
   */
  inc(labels?: LabelValues<T> | number | IncreaseOptions<T>, value?: number): void {
    if (typeof labels === 'object' && labels !== null) {
      if (this.enableExemplars) return this.incWithExemplar(labels as IncreaseOptions<T>);
      this.lookup(labels as LabelValues<T>).inc(value);
    } else {
      (this.only ?? this.lookup(NO_LABELS)).inc(labels);
    }
  }

  private incWithExemplar(o: IncreaseOptions<T>): void {
    this.lookup(o.labels ?? {}).inc(o.value ?? 1, o.exemplarLabels && Object.keys(o.exemplarLabels).length ? o.exemplarLabels : undefined);
  }

  /** The series for these labels (object or positional values), created on first use. */
  labels(...values: [LabelValues<T>] | (string | number)[]): CounterChild {
    return this.bind(values);
  }

  protected clearSeries(c: CounterChild): void {
    c.value = 0;
    c.exemplar = undefined;
    c.created = c.created && nowSeconds();
  }

  async get(): Promise<MetricObject> {
    const p = this.runCollect();
    if (p) await p;
    const values: MetricValue[] = [];
    for (const c of this.series) {
      const v: MetricValue = { value: c.value, labels: this.labelObject(c) };
      if (c.exemplar) v.exemplar = { labelSet: c.exemplar.labelSet, value: c.exemplar.value, timestamp: c.exemplar.timestamp };
      values.push(v);
    }
    return { help: this.help, name: this.name, type: 'counter', values, aggregator: this.aggregator };
  }

  render(o: RenderOptions, out: TextSink): void {
    const om = o.openMetrics;
    const family = om && this.name.endsWith('_total') ? this.name.slice(0, -6) : this.name;
    const sample = om ? family + '_total' : this.name;
    out.add(this.header(o, family));
    const plain = o.defaults === null;
    for (const c of this.series) {
      const lb = plain ? (c.li === '' ? '' : '{' + c.li + '}') : this.braced(c, o);
      out.add(sample + lb + ' ' + fmtNum(c.value) + (om && c.exemplar !== undefined ? renderExemplar(c.exemplar) : '') + '\n');
      if (o.created) out.add(family + '_created' + lb + ' ' + (c.created || this.createdAt).toFixed(3) + '\n');
    }
  }
}
