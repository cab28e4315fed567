// Registry: holds metrics, runs collect callbacks at scrape time and renders the exposition.
import type { MetricObject, MetricType, RenderOptions } from './types.js';
import { checkLabelName } from './validate.js';
import { TextSink } from './sink.js';

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
export const OPENMETRICS_CONTENT_TYPE = 'application/openmetrics-text; version=1.0.0; charset=utf-8';
export type RegistryContentType = typeof PROMETHEUS_CONTENT_TYPE | typeof OPENMETRICS_CONTENT_TYPE;

/** What a registry needs from a metric (every Counter/Gauge/Histogram/Summary provides it). */
export interface RegistrableMetric {
  readonly name: string;
  readonly type: MetricType;
  get(): Promise<MetricObject>;
  reset(): void;
  runCollect(): void | Promise<void>;
  render(opts: RenderOptions, out: TextSink): void;
}

function checkType(ct: string): RegistryContentType {
  if (ct !== PROMETHEUS_CONTENT_TYPE && ct !== OPENMETRICS_CONTENT_TYPE) throw new TypeError(`Content type ${ct} is unsupported`);
  return ct;
}

export interface RegistryOptions {
  /** Emit OpenMetrics `_created` series for counters, histograms and summaries. Default false. */
  emitCreated?: boolean;
}

/** Any metric type, as prom-client's `Metric` union (for getSingleMetric's callers). */
export type AnyMetric = import('./counter.js').Counter<string> | import('./gauge.js').Gauge<string> | import('./histogram.js').Histogram<string> | import('./summary.js').Summary<string>;

export class Registry {
  /** The default registry (prom-client exposes it as `Registry.globalRegistry`). */
  static get globalRegistry(): Registry {
    return globalRegistry;
  }
  static get PROMETHEUS_CONTENT_TYPE(): typeof PROMETHEUS_CONTENT_TYPE {
    return PROMETHEUS_CONTENT_TYPE;
  }
  static get OPENMETRICS_CONTENT_TYPE(): typeof OPENMETRICS_CONTENT_TYPE {
    return OPENMETRICS_CONTENT_TYPE;
  }

  private _metrics = new Map<string, RegistrableMetric>();
  private _defaultLabels: Record<string, string> = {};
  private _defaults: RenderOptions['defaults'] = null;
  private _contentType: RegistryContentType;
  emitCreated: boolean;

  constructor(contentType: string = PROMETHEUS_CONTENT_TYPE, options: RegistryOptions = {}) {
    this._contentType = checkType(contentType);
    this.emitCreated = options.emitCreated === true;
  }

  get contentType(): RegistryContentType {
    return this._contentType;
  }

  setContentType(contentType: string): void {
    this._contentType = checkType(contentType);
  }

  registerMetric(metric: RegistrableMetric): void {
    const prev = this._metrics.get(metric.name);
    if (prev !== undefined && prev !== metric) throw new Error(`A metric with the name ${metric.name} has already been registered.`);
    this._metrics.set(metric.name, metric);
  }

  getMetricsAsArray(): AnyMetric[] {
    return [...this._metrics.values()] as AnyMetric[];
  }

  getSingleMetric(name: string): AnyMetric | undefined {
    return this._metrics.get(name) as AnyMetric | undefined;
  }

  removeSingleMetric(name: string): void {
    this._metrics.delete(name);
  }

  clear(): void {
    this._metrics.clear();
    this.setDefaultLabels({});
  }

  resetMetrics(): void {
    for (const m of this._metrics.values()) m.reset();
  }

  /** Labels added to every exported series that does not set them itself. */
  setDefaultLabels(labels: Record<string, string | number>): void {
    const names: string[] = [];
    const values: string[] = [];
    const copy: Record<string, string> = {};
    for (const k of Object.keys(labels)) {
      checkLabelName('(default labels)', k);
      names.push(k);
      values.push(String(labels[k]));
      copy[k] = String(labels[k]);
    }
    this._defaultLabels = copy;
    this._defaults = names.length ? { names, values } : null;
  }

  /** Runs every collect callback; resolves once the async ones have finished. */
  private collectAll(metrics: RegistrableMetric[]): Promise<unknown> | undefined {
    let pending: Promise<void>[] | undefined;
    for (const m of metrics) {
      const p = m.runCollect();
      if (p !== undefined && typeof (p as Promise<void>).then === 'function') (pending ??= []).push(p);
    }
    return pending && Promise.all(pending);
  }

  /** The exposition in this registry's content type (or the one given, e.g. from `negotiate`). */
  async metrics(contentType?: string): Promise<string> {
    const metrics = [...this._metrics.values()];
    const pending = this.collectAll(metrics);
    if (pending) await pending;
    return this.renderNow(metrics, contentType === undefined ? this._contentType : checkType(contentType));
  }

  private renderNow(metrics: RegistrableMetric[], ct: RegistryContentType): string {
    const openMetrics = ct === OPENMETRICS_CONTENT_TYPE;
    const opts: RenderOptions = { openMetrics, created: openMetrics && this.emitCreated, defaults: this._defaults };
    const out = new TextSink();
    // 0.0.4 output separates families with a blank line, as prom-client does.
    for (let i = 0; i < metrics.length; i++) {
      if (i > 0 && !openMetrics) out.add('\n');
      metrics[i]!.render(opts, out);
    }
    if (openMetrics) out.add('# EOF\n');
    return out.toString();
  }

  async getSingleMetricAsString(name: string): Promise<string> {
    const m = this._metrics.get(name);
    if (!m) throw new Error(`No metric named ${name} is registered`);
    const p = m.runCollect();
    if (p) await p;
    const s = this.renderNow([m], this._contentType);
    return this._contentType === OPENMETRICS_CONTENT_TYPE ? s.slice(0, -'# EOF\n'.length).replace(/\n$/, '') : s.replace(/\n$/, '');
  }

  async getMetricsAsJSON(): Promise<MetricObject[]> {
    const all = await Promise.all([...this._metrics.values()].map((m) => m.get()));
    const names = Object.keys(this._defaultLabels);
    if (names.length) {
      for (const item of all) {
        for (const v of item.values) {
          v.labels = { ...v.labels };
          for (const n of names) if (v.labels[n] === undefined || v.labels[n] === '') v.labels[n] = this._defaultLabels[n]!;
        }
      }
    }
    return all;
  }

  /** A registry holding the metrics of all the given registries (they must share a content type). */
  static merge(registers: Registry[]): Registry {
    if (!registers.length) return new Registry();
    const ct = registers[0]!.contentType;
    for (const r of registers) {
      if (r.contentType !== ct) throw new Error('Registers can only be merged if they have the same content type');
    }
    const merged = new Registry(ct);
    for (const r of registers) for (const m of r.getMetricsAsArray()) merged.registerMetric(m);
    return merged;
  }
}

/** The default registry (prom-client's `register`). */
export const globalRegistry = new Registry();

/**
 * Picks the exposition format for an HTTP Accept header: OpenMetrics when the client asks for
 * application/openmetrics-text (with a q at least that of text/plain), else Prometheus text 0.0.4.
 */
export function negotiate(accept: string | undefined | null): RegistryContentType {
  if (!accept) return PROMETHEUS_CONTENT_TYPE;
  let om = -1;
  let text = -1;
  for (const part of accept.split(',')) {
    const [type, ...params] = part.trim().split(';');
    let q = 1;
    let version = '';
    for (const p of params) {
      const [k, v] = p.trim().split('=');
      if (k === 'q') q = Number(v);
      else if (k === 'version') version = (v ?? '').trim();
    }
    if (!(q >= 0)) q = 0;
    const t = (type ?? '').trim().toLowerCase();
    if (t === 'application/openmetrics-text' && (version === '' || version.startsWith('1.0') || version.startsWith('0.0.1'))) om = Math.max(om, q);
    else if (t === 'text/plain' || t === '*/*' || t === 'text/*') text = Math.max(text, t === 'text/plain' ? q : q - 0.001);
  }
  return om > 0 && om >= text ? OPENMETRICS_CONTENT_TYPE : PROMETHEUS_CONTENT_TYPE;
}
