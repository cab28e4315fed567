// The base of every metric: configuration checks, the label-value trie that finds a series
// without building a key string, and the parts of rendering shared by all types.
import type { Aggregator, CollectFunction, LabelValues, MetricObject, MetricType, RenderOptions } from './types.js';
import { checkLabelNames, checkMetricName } from './validate.js';
import { escapeHelp, innerLabels } from './format.js';
import { globalRegistry, type Registry } from './registry.js';
import type { TextSink } from './sink.js';

export interface MetricConfiguration<T extends string> {
  name: string;
  help: string;
  labelNames?: readonly T[];
  /** Registries to register with; defaults to the global `register`. `[]` registers nowhere. */
  registers?: Registry[];
  aggregator?: Aggregator;
  /** Called at scrape time before the metric is read (`this` is the metric); may be async. */
  collect?: CollectFunction<never>;
  enableExemplars?: boolean;
  /**
   * At most this many label combinations (default: no limit). Later combinations are all
   * recorded in one series whose label values are "<overflow>", and a warning is emitted once.
   */
  maxSeries?: number;
  /** OpenMetrics unit (e.g. "seconds"); the name must end with `_<unit>`. */
  unit?: string;
}

/** Every series object carries its label values and pre-formatted label strings. */
export interface SeriesBase {
  /** `a="x",b="y"` */
  readonly li: string;
  /**
   * Creation time, seconds since the epoch (OpenMetrics `_created`); 0 when no registry of the
   * metric emits `_created` (saves a heap number per series), then the metric's own is used.
   */
  created: number;
}

type Node = Map<string, unknown>;

const OVERFLOW = '<overflow>';

/** Shared empty label set (avoids allocating `{}` on label-less hot paths). */
export const NO_LABELS: LabelValues<never> = Object.freeze({});

function labelValue(metric: string, name: string, v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === undefined || v === null) return '';
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  throw new TypeError(`Label ${name} of metric ${metric} must be a string or number, got ${typeof v}`);
}

export abstract class Metric<T extends string = string, C extends SeriesBase = SeriesBase> {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly T[];
  readonly aggregator: Aggregator;
  readonly unit: string | undefined;
  readonly enableExemplars: boolean;
  readonly registers: Registry[];
  /**
   * Scrape-time callback (`this` is the metric). Typed loosely here so that every metric type
   * stays assignable to Metric; the configuration types give it the precise `this`.
   */
  collect: CollectFunction<never> | undefined;
  abstract readonly type: MetricType;

  /** Live series in creation order (render order). */
  protected readonly series: C[] = [];
  private root: Node = new Map();
  protected only: C | undefined = undefined;
  private readonly known: Set<string>;
  private readonly maxSeries: number;
  private overflowed = false;

  constructor(config: MetricConfiguration<T>, reserved?: string) {
    if (config === null || typeof config !== 'object') throw new TypeError('constructor expected a config object');
    this.name = checkMetricName(config.name);
    if (typeof config.help !== 'string' || config.help === '') throw new Error(`Missing mandatory help parameter for metric ${this.name}`);
    this.help = config.help;
    this.labelNames = checkLabelNames(this.name, config.labelNames, reserved) as T[];
    this.known = new Set(this.labelNames);
    this.aggregator = config.aggregator ?? 'sum';
    this.enableExemplars = config.enableExemplars === true;
    this.maxSeries = config.maxSeries ?? Infinity;
    if (!(this.maxSeries >= 1)) throw new Error(`maxSeries of metric ${this.name} must be at least 1`);
    if (config.collect !== undefined && typeof config.collect !== 'function') {
      throw new Error(`Optional "collect" parameter of metric ${this.name} must be a function`);
    }
    this.collect = config.collect;
    if (config.unit !== undefined) {
      if (!/^[a-zA-Z0-9_:]+$/.test(config.unit)) throw new Error(`Invalid unit ${JSON.stringify(config.unit)} for metric ${this.name}`);
      const base = this.name.endsWith('_total') ? this.name.slice(0, -6) : this.name;
      if (!base.endsWith('_' + config.unit)) {
        throw new Error(`Metric ${this.name} has unit ${config.unit}: OpenMetrics requires the name to end with _${config.unit}`);
      }
    }
    this.unit = config.unit;
    if (this.labelNames.length > 0 && this.labelNames.length <= 16) {
      const f = compileLookup(this.labelNames);
      if (f) (this as unknown as { lookupIn: (l: LabelValues<T>) => C }).lookupIn = f as (l: LabelValues<T>) => C;
    }
    this.registers = config.registers ?? [globalRegistry];
    for (const r of this.registers) r.registerMetric(this);
  }

  /** Creates a series object; called only when a new label combination is first seen. */
  protected abstract make(li: string, created: number): C;

  /** Renders this family (HELP/TYPE/samples) ending with a newline. */
  abstract render(opts: RenderOptions, out: TextSink): void;

  abstract get(): Promise<MetricObject>;

  /** The series for a labels object (created on first use). Hot path: no string keys built. */
  protected lookup(labels: LabelValues<T> | LabelValues<never>): C {
    return this.lookupIn(labels as LabelValues<T>);
  }

  /**
   * Replaced per metric by a function compiled for its label names (see compileLookup), so each
   * label read is a named property load with its own inline cache instead of a megamorphic
   * keyed load; this generic version is the reference and the fallback.
   */
  private lookupIn(labels: LabelValues<T>): C {
    const names = this.labelNames;
    const n = names.length;
    if (n === 0) return this.only ?? this.insert(labels);
    let node = this.root;
    for (let i = 0; i < n - 1; i++) {
      const v = labels[names[i]!];
      const next = node.get(typeof v === 'string' ? v : v == null ? '' : String(v));
      if (next === undefined) return this.insert(labels);
      node = next as Node;
    }
    const v = labels[names[n - 1]!];
    const c = node.get(typeof v === 'string' ? v : v == null ? '' : String(v));
    return c === undefined ? this.insert(labels) : (c as C);
  }

  /** The series for positional label values (`labels('GET', 200)`): walks the trie without building an object. */
  protected lookupPositional(values: readonly unknown[]): C {
    const names = this.labelNames;
    const n = names.length;
    if (values.length !== n) {
      throw new Error(
        `Invalid number of arguments (${values.length}): "${values.join(', ')}" for label names (${n}): "${names.join(', ')}" of metric ${this.name}.`,
      );
    }
    if (n === 0) return this.only ?? this.insert(NO_LABELS as LabelValues<T>);
    let node = this.root;
    for (let i = 0; i < n - 1; i++) {
      const v = values[i];
      const next = node.get(typeof v === 'string' ? v : v == null ? '' : String(v));
      if (next === undefined) return this.insertPositional(values);
      node = next as Node;
    }
    const v = values[n - 1];
    const c = node.get(typeof v === 'string' ? v : v == null ? '' : String(v));
    return c === undefined ? this.insertPositional(values) : (c as C);
  }

  private insertPositional(values: readonly unknown[]): C {
    const o: Record<string, unknown> = {};
    for (let i = 0; i < values.length; i++) o[this.labelNames[i]!] = values[i];
    return this.insert(o as LabelValues<T>);
  }

  /** Series for `labels(...)`: an object or positional values. */
  protected bind(args: readonly unknown[]): C {
    const a0 = args[0];
    if (args.length === 1 && typeof a0 === 'object' && a0 !== null) return this.lookup(a0 as LabelValues<T>);
    return this.lookupPositional(args);
  }

  /** Slow path: validate the label set, then create and index the series. */
  private insert(labels: LabelValues<T>): C {
    for (const k in labels) {
      if (!this.known.has(k)) {
        throw new Error(
          `Added label "${k}" is not included in initial labelset of metric ${this.name}: [${this.labelNames.map((x) => `'${x}'`).join(', ')}]`,
        );
      }
    }
    const names = this.labelNames;
    const n = names.length;
    if (n > 0 && this.series.length >= this.maxSeries && !this.overflowed) return this.overflow();
    const lv: string[] = new Array(n);
    for (let i = 0; i < n; i++) lv[i] = labelValue(this.name, names[i]!, labels[names[i]!]);
    if (n > 0 && this.overflowed && this.series.length > this.maxSeries) return this.lookupPositional(names.map(() => OVERFLOW));
    const li = innerLabels(names, lv);
    const c = this.make(li, this.registers.some((r) => r.emitCreated) ? nowSeconds() : 0);
    if (n === 0) {
      this.only = c;
    } else {
      let node = this.root;
      for (let i = 0; i < n - 1; i++) {
        let next = node.get(lv[i]!) as Node | undefined;
        if (next === undefined) node.set(lv[i]!, (next = new Map()));
        node = next;
      }
      node.set(lv[n - 1]!, c);
    }
    this.series.push(c);
    return c;
  }

  /** The shared series for label combinations beyond maxSeries (created on first overflow). */
  private overflow(): C {
    this.overflowed = true;
    process.emitWarning(`metric ${this.name} reached maxSeries (${this.maxSeries}): further label combinations are recorded with label values "${OVERFLOW}"`, 'VigilSdkCardinalityWarning');
    const o: Record<string, string> = {};
    for (const n of this.labelNames) o[n] = OVERFLOW;
    return this.insert(o as LabelValues<T>);
  }

  private find(lv: readonly string[]): { node: Node; key: string } | null {
    let node = this.root;
    for (let i = 0; i < lv.length - 1; i++) {
      const next = node.get(lv[i]!) as Node | undefined;
      if (next === undefined) return null;
      node = next;
    }
    return { node, key: lv[lv.length - 1]! };
  }

  /** Removes one series, given as a labels object or positional values. */
  remove(...args: [LabelValues<T>] | (string | number)[]): void {
    const a0 = args[0];
    let labels: Record<string, unknown>;
    if (args.length === 1 && typeof a0 === 'object' && a0 !== null) labels = a0 as Record<string, unknown>;
    else {
      if (args.length !== this.labelNames.length) this.lookupPositional(args); // throws the arity error
      labels = {};
      this.labelNames.forEach((n, i) => (labels[n] = args[i]));
    }
    for (const k in labels) {
      if (!this.known.has(k)) throw new Error(`Added label "${k}" is not included in initial labelset of metric ${this.name}`);
    }
    if (this.labelNames.length === 0) {
      if (this.only) this.unlist(this.only);
      this.only = undefined;
      return;
    }
    const lv = this.labelNames.map((n) => labelValue(this.name, n, labels[n]));
    const f = this.find(lv);
    if (!f) return;
    const c = f.node.get(f.key) as C | undefined;
    if (c === undefined) return;
    f.node.delete(f.key);
    this.unlist(c);
  }

  private unlist(c: C): void {
    const i = this.series.indexOf(c);
    if (i >= 0) this.series.splice(i, 1);
  }

  /** Drops every series (label-less metrics start again from zero). */
  reset(): void {
    this.root = new Map();
    this.only = undefined;
    this.series.length = 0;
    this.overflowed = false;
    if (this.labelNames.length === 0) this.lookup({});
  }

  /** Creates (or resets to zero) the series for these labels so it is exported before first use. */
  zero(labels: LabelValues<T> = {}): void {
    const c = this.lookup(labels);
    this.clearSeries(c);
  }

  protected abstract clearSeries(c: C): void;

  /** Runs the collect callback, if any; returns its promise when it is async. */
  runCollect(): void | Promise<void> {
    const f = this.collect;
    if (f === undefined) return;
    return (f as CollectFunction<this>).call(this);
  }

  /** Number of live series. */
  get seriesCount(): number {
    return this.series.length;
  }

  /** The type written on the TYPE line (subclasses may expose a gauge as untyped). */
  protected exposedType(_openMetrics: boolean): string {
    return this.type;
  }

  protected header(opts: RenderOptions, family: string): string {
    const help = '# HELP ' + family + ' ' + escapeHelp(this.help, opts.openMetrics) + '\n';
    const type = '# TYPE ' + family + ' ' + this.exposedType(opts.openMetrics) + '\n';
    const unit = opts.openMetrics && this.unit !== undefined ? '# UNIT ' + family + ' ' + this.unit + '\n' : '';
    return help + type + unit;
  }

  /** `{...}` for a series, with registry default labels merged in when there are any. */
  protected braced(c: SeriesBase, opts: RenderOptions): string {
    if (opts.defaults === null) return c.li === '' ? '' : '{' + c.li + '}';
    const li = this.inner(c, opts);
    return li === '' ? '' : '{' + li + '}';
  }

  protected inner(c: SeriesBase, opts: RenderOptions): string {
    const d = opts.defaults;
    if (d === null) return c.li;
    let li = c.li;
    let lv: string[] | undefined;
    for (let i = 0; i < d.names.length; i++) {
      const j = this.labelNames.indexOf(d.names[i] as T);
      if (j >= 0 && (lv ??= this.valuesOf(c))[j] !== '') continue;
      li += (li === '' ? '' : ',') + innerLabels([d.names[i]!], [d.values[i]!]);
    }
    return li;
  }

  /** Labels object of a series for `get()`, defaults not included. */
  protected labelObject(c: SeriesBase): Record<string, string | number> {
    const o: Record<string, string | number> = {};
    const lv = this.valuesOf(c);
    for (let i = 0; i < this.labelNames.length; i++) if (lv[i] !== '') o[this.labelNames[i]!] = lv[i]!;
    return o;
  }

  /** Label values of a series in labelNames order, read back from its label text (slow path). */
  protected valuesOf(c: SeriesBase): string[] {
    const out: string[] = new Array(this.labelNames.length).fill('');
    const s = c.li;
    let i = 0;
    while (i < s.length) {
      const eq = s.indexOf('="', i);
      const name = s.slice(i, eq);
      let j = eq + 2;
      let v = '';
      for (; j < s.length && s[j] !== '"'; j++) {
        if (s[j] === '\\') {
          j++;
          v += s[j] === 'n' ? '\n' : s[j];
        } else v += s[j];
      }
      out[this.labelNames.indexOf(name as T)] = v;
      i = j + 2; // past `",`
    }
    return out;
  }

  /** When the metric was created: the `_created` of series that did not record their own. */
  protected readonly createdAt = nowSeconds();
}

/**
 * Builds the trie walk for a fixed list of label names. Names are validated identifiers and are
 * embedded as JSON string literals, so no input reaches the generated code as code.
 */
function compileLookup(names: readonly string[]): ((this: unknown, labels: Record<string, unknown>) => unknown) | undefined {
  const key = (i: number) => `v = labels[${JSON.stringify(names[i])}]; k = typeof v === 'string' ? v : v == null ? '' : String(v);`;
  let body = 'let v, k, n = this.root;\n';
  for (let i = 0; i < names.length - 1; i++) body += `${key(i)} n = n.get(k); if (n === undefined) return this.insert(labels);\n`;
  body += `${key(names.length - 1)} const c = n.get(k); return c === undefined ? this.insert(labels) : c;`;
  try {
    return new Function('labels', body) as (this: unknown, labels: Record<string, unknown>) => unknown;
  } catch {
    return undefined; // code generation disabled (--disallow-code-generation-from-strings): generic walk
  }
}

export function nowSeconds(): number {
  return Date.now() / 1000;
}
