import { Counter, Gauge, Histogram, HttpMetrics, Registry, collectDefaultMetrics, instrumentAsync, negotiate, type CounterChild, type DefaultMetricsHandle } from '@vigil/sdk';
import type { ServerResponse } from 'node:http';
import type { Req, Router } from '../web/router.js';

/** Describes how a subsystem's stats() object maps to series. */
export interface StatsSpec<T = unknown> {
  /** Name part after the prefix: vigil_<subsystem>_<field>. */
  subsystem: string;
  /** Numeric fields exported as counters (name gets _total); all other numeric fields are gauges. */
  counters?: readonly string[];
  /** Fields left out (non-numeric fields are always left out unless used as labels). */
  skip?: readonly string[];
  /** For stats given as a list or a record of objects: fields (or "key" for record keys) used as labels. */
  labels?: readonly string[];
  /** Help text per field. */
  help?: Readonly<Record<string, string>>;
  /** Fields whose values are in ms and are exported in seconds (name gets _seconds). */
  millis?: readonly string[];
  /** Phantom type of the stats object, for the presets. */
  readonly _type?: T;
}

export interface SelfMetricsOptions {
  /** Metric name prefix (default "vigil_"). */
  prefix?: string;
  /** Register process/Node.js default metrics (default true). */
  defaultMetrics?: boolean;
  /** Static labels on every series, e.g. {instance: "..."}; usually the scrape adds these. */
  labels?: Record<string, string>;
}

export interface SelfMetrics {
  readonly registry: Registry;
  /** HTTP metrics for Vigil's own server: call `http.begin(req.raw)` then `done(res, routePattern)`. */
  readonly http: HttpMetrics;
  /**
   * Exposes a subsystem's stats at scrape time. `read` returns a stats object, a list of them,
   * or a record of them keyed by name (the key becomes the label `labels[0]`, default "name").
   */
  addStats<T>(spec: StatsSpec<T>, read: () => T | readonly T[] | Readonly<Record<string, T>> | undefined): void;
  /** vigil_query_duration_seconds{type,result}: PromQL query latency. */
  readonly queryDuration: Histogram<'type' | 'result'>;
  /** Times one query: `await sm.timeQuery('range', () => engine.rangeQuery(...))`. */
  timeQuery<R>(type: 'instant' | 'range' | string, fn: () => Promise<R>): Promise<R>;
  /** Text exposition produced elsewhere (e.g. IngestStats.exposition()), appended at scrape time. */
  addExposition(render: () => string): void;
  /** Full exposition in the negotiated content type. */
  render(contentType?: string): Promise<string>;
  stop(): void;
}

function snake(s: string): string {
  return s
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^a-zA-Z0-9_]/g, '_')
    .toLowerCase();
}

type Row = { labels: Record<string, string>; stats: Record<string, unknown> };

function rowsOf(value: unknown, spec: StatsSpec): Row[] {
  if (value === undefined || value === null) return [];
  const labelNames = spec.labels ?? [];
  const pick = (o: Record<string, unknown>, extra: Record<string, string>): Row => {
    const labels: Record<string, string> = { ...extra };
    for (const l of labelNames) if (l !== 'key' && o[l] !== undefined) labels[l] = String(o[l]);
    return { labels, stats: o };
  };
  if (Array.isArray(value)) return value.map((o) => pick(o as Record<string, unknown>, {}));
  const obj = value as Record<string, unknown>;
  const vals = Object.values(obj);
  if (vals.length > 0 && vals.every((v) => v !== null && typeof v === 'object' && !Array.isArray(v))) {
    // A record of stats objects keyed by name.
    const keyLabel = labelNames.includes('key') ? 'key' : (labelNames[0] ?? 'name');
    return Object.entries(obj).map(([k, o]) => pick(o as Record<string, unknown>, { [keyLabel]: k }));
  }
  return [pick(obj, {})];
}

export function createSelfMetrics(opts: SelfMetricsOptions = {}): SelfMetrics {
  const prefix = opts.prefix ?? 'vigil_';
  const registry = new Registry();
  if (opts.labels && Object.keys(opts.labels).length) registry.setDefaultLabels(opts.labels);
  let defaults: DefaultMetricsHandle | undefined;
  if (opts.defaultMetrics !== false) defaults = collectDefaultMetrics({ register: registry });
  const http = new HttpMetrics({ registry, prefix, exclude: [] });
  const extra: (() => string)[] = [];
  const queryDuration = new Histogram({
    name: prefix + 'query_duration_seconds',
    help: 'PromQL query evaluation time by query type and result.',
    labelNames: ['type', 'result'],
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [registry],
  });

  const addStats = <T>(spec: StatsSpec<T>, read: () => T | readonly T[] | Readonly<Record<string, T>> | undefined): void => {
    const sample = rowsOf(read(), spec as StatsSpec);
    const labelNames = [...new Set([...(spec.labels ?? []).map((l) => (l === 'key' ? 'key' : l)), ...sample.flatMap((r) => Object.keys(r.labels))])];
    const fields = new Set<string>();
    for (const r of sample) for (const [k, v] of Object.entries(r.stats)) if (typeof v === 'number' && !(spec.skip ?? []).includes(k) && !labelNames.includes(k)) fields.add(k);
    const counters = new Set(spec.counters ?? []);
    const millis = new Set(spec.millis ?? []);
    const base = prefix + snake(spec.subsystem) + '_';
    let cache: Row[] | undefined;
    const rows = () => (cache ??= rowsOf(read(), spec as StatsSpec));
    const metrics: { field: string; metric: Counter | Gauge }[] = [];
    for (const f of fields) {
      let name = base + snake(f).replace(/_ms$/, '');
      if (millis.has(f)) name += '_seconds';
      const help = spec.help?.[f] ?? `${spec.subsystem} ${f} (from stats()).`;
      if (counters.has(f)) metrics.push({ field: f, metric: new Counter({ name: name.endsWith('_total') ? name : name + '_total', help, labelNames, registers: [registry] }) });
      else metrics.push({ field: f, metric: new Gauge({ name, help, labelNames, registers: [registry] }) });
    }
    if (metrics.length === 0) return;
    // The first metric of the group reads stats() once per scrape for all of them.
    const first = metrics[0]!.metric;
    first.collect = function () {
      cache = undefined;
      const rs = rows();
      for (const { field, metric } of metrics) {
        metric.reset();
        for (const r of rs) {
          const v = r.stats[field];
          if (typeof v !== 'number') continue;
          const x = millis.has(field) ? v / 1000 : v;
          if (metric instanceof Counter) (metric.labels(r.labels) as CounterChild).value = x;
          else metric.set(r.labels, x);
        }
      }
    };
  };

  return {
    registry,
    http,
    addStats,
    queryDuration,
    timeQuery: (type, fn) => instrumentAsync(fn, queryDuration, { type }),
    addExposition: (f) => void extra.push(f),
    async render(contentType?: string) {
      const ct = contentType ?? registry.contentType;
      const text = await registry.metrics(ct);
      if (!extra.length) return text;
      const om = ct.startsWith('application/openmetrics-text');
      const taken = new Set(registry.getMetricsAsArray().map((m) => m.name));
      const more = extra.map((f) => adoptExposition(f(), taken, om)).join('');
      return om ? text.replace(/# EOF\n$/, more + '# EOF\n') : text + more;
    },
    stop: () => defaults?.stop(),
  };
}

/**
 * Makes a text-format chunk rendered elsewhere safe to append: families already exposed (by the
 * registry or an earlier chunk) are dropped, since a repeated family fails the whole scrape; for
 * OpenMetrics, counter families are named without their `_total` suffix as that format requires.
 */
export function adoptExposition(chunk: string, taken: Set<string>, openMetrics: boolean): string {
  let out = '';
  let skip = false;
  const seenHere = new Set<string>();
  for (const line of chunk.split('\n')) {
    if (line === '') continue;
    const m = /^# (HELP|TYPE) (\S+)(?: (.*))?$/.exec(line);
    if (m) {
      const name = m[2]!;
      if (!seenHere.has(name)) {
        skip = taken.has(name);
        seenHere.add(name);
      }
      if (skip) continue;
      if (openMetrics && m[1] === 'TYPE' && m[3] === 'counter' && name.endsWith('_total')) {
        out = out.replace(`# HELP ${name} `, `# HELP ${name.slice(0, -6)} `);
        out += `# TYPE ${name.slice(0, -6)} counter\n`;
        continue;
      }
      out += line + '\n';
      continue;
    }
    if (line.startsWith('#')) continue;
    if (!skip) out += line + '\n';
  }
  for (const n of seenHere) taken.add(n);
  return out;
}

/** GET /metrics: Vigil's own metrics, Prometheus text or OpenMetrics by Accept header. */
export function registerSelfMetricsRoute(router: Router, self: SelfMetrics | Registry): void {
  const render = self instanceof Registry ? (ct: string) => self.metrics(ct) : (ct: string) => self.render(ct);
  router.get('/metrics', async (req: Req, res: ServerResponse) => {
    const ct = negotiate(req.raw.headers.accept);
    try {
      const text = await render(ct);
      res.writeHead(200, { 'Content-Type': ct, 'Content-Length': Buffer.byteLength(text) });
      res.end(req.method === 'HEAD' ? undefined : text);
    } catch (e) {
      const msg = `error collecting metrics: ${e instanceof Error ? e.message : String(e)}\n`;
      res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(msg) });
      res.end(msg);
    }
  });
}
