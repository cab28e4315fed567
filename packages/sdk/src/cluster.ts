// Cluster mode (prom-client's AggregatorRegistry): the primary asks every worker for its metrics
// over the cluster IPC channel and aggregates them per series (sum by default, or each metric's
// `aggregator`).
import cluster from 'node:cluster';
import type { MetricObject, MetricValue, RenderOptions } from './types.js';
import { globalRegistry, PROMETHEUS_CONTENT_TYPE, Registry, type RegistrableMetric } from './registry.js';
import { escapeHelp, fmtNum, labelsOf } from './format.js';
import type { TextSink } from './sink.js';

const REQ = 'vigil-sdk:getMetricsReq';
const RES = 'vigil-sdk:getMetricsRes';

type AggregatorFn = (metrics: MetricObject[]) => MetricObject | undefined;

function keyOf(v: MetricValue): string {
  const labels = Object.entries(v.labels)
    .map(([k, x]) => k + ':' + String(x))
    .sort()
    .join(',');
  return (v.metricName ?? '') + '|' + labels;
}

/** Builds an aggregator from a function over the values of one series across workers. */
export function AggregatorFactory(fn: (values: MetricValue[]) => number): AggregatorFn {
  return (metrics) => {
    if (metrics.length === 0) return undefined;
    const first = metrics[0]!;
    const groups = new Map<string, MetricValue[]>();
    for (const m of metrics) {
      for (const v of m.values) {
        const k = keyOf(v);
        let g = groups.get(k);
        if (!g) groups.set(k, (g = []));
        g.push(v);
      }
    }
    const values: MetricValue[] = [];
    for (const g of groups.values()) {
      const v: MetricValue = { value: fn(g), labels: g[0]!.labels };
      if (g[0]!.metricName) v.metricName = g[0]!.metricName;
      values.push(v);
    }
    return { help: first.help, name: first.name, type: first.type, values, aggregator: first.aggregator };
  };
}

export const aggregators: Record<string, AggregatorFn> = {
  sum: AggregatorFactory((v) => v.reduce((p, c) => p + c.value, 0)),
  first: AggregatorFactory((v) => v[0]!.value),
  omit: () => undefined,
  average: AggregatorFactory((v) => v.reduce((p, c) => p + c.value, 0) / v.length),
  min: AggregatorFactory((v) => v.reduce((p, c) => Math.min(p, c.value), Infinity)),
  max: AggregatorFactory((v) => v.reduce((p, c) => Math.max(p, c.value), -Infinity)),
};

/** A metric whose values are fixed (the result of an aggregation). */
class StaticMetric implements RegistrableMetric {
  readonly name: string;
  readonly type: MetricObject['type'];
  constructor(private readonly obj: MetricObject) {
    this.name = obj.name;
    this.type = obj.type;
  }
  async get(): Promise<MetricObject> {
    return this.obj;
  }
  reset(): void {}
  runCollect(): void {}
  render(o: RenderOptions, out: TextSink): void {
    const om = o.openMetrics;
    const family = om && this.type === 'counter' && this.name.endsWith('_total') ? this.name.slice(0, -6) : this.name;
    out.add('# HELP ' + family + ' ' + escapeHelp(this.obj.help, om) + '\n# TYPE ' + family + ' ' + this.type + '\n');
    for (const v of this.obj.values) {
      let name = v.metricName ?? this.name;
      if (om && this.type === 'counter' && !name.endsWith('_total')) name += '_total';
      const labels: Record<string, string | number> = { ...v.labels };
      if (o.defaults) o.defaults.names.forEach((n, i) => (labels[n] === undefined || labels[n] === '') && (labels[n] = o.defaults!.values[i]!));
      // le / quantile go last, as in the live metrics.
      for (const k of ['le', 'quantile']) if (k in labels) { const x = labels[k]!; delete labels[k]; labels[k] = typeof x === 'number' ? fmtNum(x) : x; }
      const li = labelsOf(labels);
      out.add(name + (li ? '{' + li + '}' : '') + ' ' + fmtNum(v.value) + '\n');
    }
  }
}

let registries: Registry[] = [globalRegistry];
let requestId = 0;
const pending = new Map<number, { responses: MetricObject[][]; left: number; done: (e: Error | null, r?: MetricObject[][]) => void }>();
let primaryListening = false;

export class AggregatorRegistry extends Registry {
  constructor(contentType: string = PROMETHEUS_CONTENT_TYPE) {
    super(contentType);
    if (!primaryListening && cluster.isPrimary) {
      primaryListening = true;
      cluster.on('message', (_worker, msg: { type?: string; requestId?: number; metrics?: MetricObject[][]; error?: string }) => {
        if (msg?.type !== RES) return;
        const req = pending.get(msg.requestId!);
        if (!req) return;
        if (msg.error) return req.done(new Error(msg.error));
        req.responses.push(...(msg.metrics ?? []));
        if (--req.left === 0) req.done(null, req.responses);
      });
    }
  }

  /** Metrics of all workers, aggregated, rendered in this registry's content type. */
  clusterMetrics(timeoutMs = 5000): Promise<string> {
    const id = requestId++;
    return new Promise<MetricObject[][]>((resolve, reject) => {
      const timer = setTimeout(() => done(new Error('Operation timed out.')), timeoutMs);
      const done = (e: Error | null, r?: MetricObject[][]) => {
        if (!pending.has(id)) return;
        pending.delete(id);
        clearTimeout(timer);
        if (e) reject(e);
        else resolve(r ?? []);
      };
      const req = { responses: [] as MetricObject[][], left: 0, done };
      pending.set(id, req);
      for (const w of Object.values(cluster.workers ?? {})) {
        if (w?.isConnected()) {
          w.send({ type: REQ, requestId: id });
          req.left++;
        }
      }
      if (req.left === 0) done(null, []);
    }).then((all) => AggregatorRegistry.aggregate(all, this.contentType).metrics());
  }

  /** Aggregates getMetricsAsJSON() results (one array per worker) into a registry. */
  static aggregate(metricsArr: MetricObject[][], contentType: string = PROMETHEUS_CONTENT_TYPE): Registry {
    const r = new Registry(contentType);
    const byName = new Map<string, MetricObject[]>();
    for (const ms of metricsArr) for (const m of ms) (byName.get(m.name) ?? byName.set(m.name, []).get(m.name)!).push(m);
    for (const ms of byName.values()) {
      const name = ms[0]!.aggregator;
      const fn = aggregators[name];
      if (typeof fn !== 'function') throw new Error(`'${name}' is not a defined aggregator.`);
      const agg = fn(ms);
      if (agg) r.registerMetric(new StaticMetric(agg));
    }
    return r;
  }

  /** Registries whose metrics workers report (default: the global registry). */
  static setRegistries(regs: Registry | Registry[]): void {
    const list = Array.isArray(regs) ? regs : [regs];
    for (const r of list) if (!(r instanceof Registry)) throw new TypeError(`Expected Registry, got ${typeof r}`);
    registries = list;
  }
}

// Workers answer the primary's requests with their registries' metrics.
if (cluster.isWorker) {
  process.on('message', (msg: { type?: string; requestId?: number }) => {
    if (msg?.type !== REQ) return;
    Promise.all(registries.map((r) => r.getMetricsAsJSON())).then(
      (metrics) => process.send?.({ type: RES, requestId: msg.requestId, metrics }),
      (e: unknown) => process.send?.({ type: RES, requestId: msg.requestId, error: e instanceof Error ? e.message : String(e) }),
    );
  });
}
