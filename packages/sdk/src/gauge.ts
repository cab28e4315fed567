// Gauge: a value that goes up and down.
import { Metric, NO_LABELS, type MetricConfiguration, type SeriesBase } from './metric.js';
import type { CollectFunction, LabelValues, MetricObject, RenderOptions } from './types.js';
import { fmtNum } from './format.js';
import type { TextSink } from './sink.js';

export interface GaugeConfiguration<T extends string> extends MetricConfiguration<T> {
  collect?: CollectFunction<Gauge<T>>;
}

function notNumber(v: unknown): TypeError {
  return new TypeError(`Value is not a valid number: ${String(v)}`);
}

export class GaugeChild implements SeriesBase {
  value = 0;
  constructor(
    readonly li: string,
    public created: number,
  ) {}

  set(v: number): void {
    if (typeof v !== 'number') throw notNumber(v);
    this.value = v;
  }
  inc(v?: number): void {
    if (v === undefined) this.value++;
    else if (typeof v === 'number') this.value += v;
    else throw notNumber(v);
  }
  dec(v?: number): void {
    if (v === undefined) this.value--;
    else if (typeof v === 'number') this.value -= v;
    else throw notNumber(v);
  }
  setToCurrentTime(): void {
    this.value = Date.now() / 1000;
  }
  /** Returns a function that sets the gauge to the seconds elapsed since this call. */
  startTimer(): () => number {
    const t0 = performance.now();
    return () => {
      const d = (performance.now() - t0) / 1000;
      this.value = d;
      return d;
    };
  }
  get(): number {
    return this.value;
  }
}

export class Gauge<T extends string = string> extends Metric<T, GaugeChild> {
  readonly type = 'gauge' as const;

  constructor(config: GaugeConfiguration<T>) {
    super(config);
    if (this.labelNames.length === 0) this.lookup(NO_LABELS);
  }

  protected make(li: string, created: number): GaugeChild {
    return new GaugeChild(li, created);
  }

  set(labels: LabelValues<T> | number, value?: number): void {
    if (typeof labels === 'object' && labels !== null) this.lookup(labels).set(value as number);
    else (this.only ?? this.lookup(NO_LABELS)).set(labels);
  }
  inc(labels?: LabelValues<T> | number, value?: number): void {
    if (typeof labels === 'object' && labels !== null) this.lookup(labels).inc(value);
    else (this.only ?? this.lookup(NO_LABELS)).inc(labels);
  }
  dec(labels?: LabelValues<T> | number, value?: number): void {
    if (typeof labels === 'object' && labels !== null) this.lookup(labels).dec(value);
    else (this.only ?? this.lookup(NO_LABELS)).dec(labels);
  }
  setToCurrentTime(labels?: LabelValues<T>): void {
    this.lookup(labels ?? {}).setToCurrentTime();
  }
  /** Returns `end(moreLabels?)`, which sets the gauge to the elapsed seconds and returns them. */
  startTimer(labels?: LabelValues<T>): (endLabels?: LabelValues<T>) => number {
    const t0 = performance.now();
    return (endLabels) => {
      const d = (performance.now() - t0) / 1000;
      this.set({ ...labels, ...endLabels } as LabelValues<T>, d);
      return d;
    };
  }

  labels(...values: [LabelValues<T>] | (string | number)[]): GaugeChild {
    return this.bind(values);
  }

  protected clearSeries(c: GaugeChild): void {
    c.value = 0;
  }

  async get(): Promise<MetricObject> {
    const p = this.runCollect();
    if (p) await p;
    const values = [];
    for (const c of this.series) values.push({ value: c.value, labels: this.labelObject(c) });
    return { help: this.help, name: this.name, type: 'gauge', values, aggregator: this.aggregator };
  }

  render(o: RenderOptions, out: TextSink): void {
    out.add(this.header(o, this.name));
    const name = this.name;
    const plain = o.defaults === null;
    for (const c of this.series) out.add(name + (plain ? (c.li === '' ? '' : '{' + c.li + '}') : this.braced(c, o)) + ' ' + fmtNum(c.value) + '\n');
  }
}
