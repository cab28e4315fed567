// Instrumentation helpers for the usual application views: any async call, database queries
// and pools, caches, and business numbers. Clients are wrapped by duck typing (pg-like
// `query()`, redis-like `get()`), so the SDK depends on none of them.
import { Counter } from './counter.js';
import { Gauge } from './gauge.js';
import { Histogram } from './histogram.js';
import { globalRegistry, type Registry } from './registry.js';
import type { LabelValues } from './types.js';

interface Observer<T extends string> {
  observe(labels: LabelValues<T>, value: number): void;
}

/**
 * Runs `fn`, observing its duration (seconds) into `metric` with `labels` plus
 * `{result: "success"|"error"}` when the metric declares a `result` label.
 */
export async function instrumentAsync<R, T extends string>(fn: () => Promise<R> | R, metric: Observer<T> & { labelNames: readonly string[] }, labels: LabelValues<T> = {}): Promise<R> {
  const t0 = performance.now();
  const withResult = metric.labelNames.includes('result');
  try {
    const r = await fn();
    metric.observe(withResult ? ({ ...labels, result: 'success' } as LabelValues<T>) : labels, (performance.now() - t0) / 1000);
    return r;
  } catch (e) {
    metric.observe(withResult ? ({ ...labels, result: 'error' } as LabelValues<T>) : labels, (performance.now() - t0) / 1000);
    throw e;
  }
}

export interface DbMetricsOptions {
  registry?: Registry;
  prefix?: string;
  buckets?: number[];
}

/** db_query_duration_seconds{operation,table}, db_query_errors_total, db_pool_connections{state}. */
export class DbMetrics {
  readonly duration: Histogram<'operation' | 'table'>;
  readonly errors: Counter<'operation' | 'table'>;
  readonly pool: Gauge<'pool' | 'state'>;

  constructor(opts: DbMetricsOptions = {}) {
    const registers = [opts.registry ?? globalRegistry];
    const p = opts.prefix ?? '';
    this.duration = new Histogram({
      name: p + 'db_query_duration_seconds',
      help: 'Database query duration in seconds, by operation and table.',
      labelNames: ['operation', 'table'],
      buckets: opts.buckets ?? [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    this.errors = new Counter({ name: p + 'db_query_errors_total', help: 'Database queries that failed, by operation and table.', labelNames: ['operation', 'table'], registers });
    const pools: { name: string; pool: PoolLike }[] = [];
    this.pool = new Gauge({
      name: p + 'db_pool_connections',
      help: 'Database pool connections by state (total, idle, waiting clients).',
      labelNames: ['pool', 'state'],
      registers,
      collect() {
        for (const { name, pool } of pools) {
          if (typeof pool.totalCount === 'number') this.set({ pool: name, state: 'total' }, pool.totalCount);
          if (typeof pool.idleCount === 'number') this.set({ pool: name, state: 'idle' }, pool.idleCount);
          if (typeof pool.waitingCount === 'number') this.set({ pool: name, state: 'waiting' }, pool.waitingCount);
        }
      },
    });
    this.pools = pools;
  }
  private readonly pools: { name: string; pool: PoolLike }[];

  /** Times one query. */
  async time<R>(operation: string, table: string, fn: () => Promise<R> | R): Promise<R> {
    const t0 = performance.now();
    try {
      return await fn();
    } catch (e) {
      this.errors.inc({ operation, table });
      throw e;
    } finally {
      this.duration.observe({ operation, table }, (performance.now() - t0) / 1000);
    }
  }

  /**
   * Wraps a pg-like client or pool in place: `query(text | {text}, ...)` is timed with operation
   * and table read from the SQL. Returns the same object.
   */
  instrumentClient<C extends { query: (...args: never[]) => unknown }>(client: C): C {
    const orig = client.query as unknown as (...args: unknown[]) => unknown;
    const self = this;
    (client as { query: unknown }).query = function (this: unknown, ...args: unknown[]) {
      const a0 = args[0];
      const sql = typeof a0 === 'string' ? a0 : typeof (a0 as { text?: unknown })?.text === 'string' ? (a0 as { text: string }).text : '';
      const { operation, table } = parseSql(sql);
      const cb = typeof args[args.length - 1] === 'function' ? (args[args.length - 1] as (...r: unknown[]) => void) : undefined;
      const t0 = performance.now();
      const record = (err: unknown) => {
        if (err) self.errors.inc({ operation, table });
        self.duration.observe({ operation, table }, (performance.now() - t0) / 1000);
      };
      if (cb) {
        args[args.length - 1] = (err: unknown, ...rest: unknown[]) => {
          record(err);
          cb(err, ...rest);
        };
        return orig.apply(this, args);
      }
      const r = orig.apply(this, args);
      if (r && typeof (r as Promise<unknown>).then === 'function') {
        (r as Promise<unknown>).then(
          () => record(null),
          (e: unknown) => record(e ?? new Error('query failed')),
        );
      } else record(null);
      return r;
    };
    return client;
  }

  /** Reports a pg-like pool's totalCount/idleCount/waitingCount at scrape time. */
  observePool(name: string, pool: PoolLike): void {
    this.pools.push({ name, pool });
  }
}

export interface PoolLike {
  totalCount?: number;
  idleCount?: number;
  waitingCount?: number;
}

const SQL_OP = /^\s*(?:\/\*[\s\S]*?\*\/\s*|--[^\n]*\n\s*)*(\w+)/;
const SQL_TABLE = /\b(?:from|into|update|join|table)\s+((?:"[^"]+"|`[^`]+`|[\w$]+)(?:\.(?:"[^"]+"|`[^`]+`|[\w$]+))?)/i;

/** Operation (first keyword, lower case) and first table named in a SQL statement. */
export function parseSql(sql: string): { operation: string; table: string } {
  const op = SQL_OP.exec(sql)?.[1]?.toLowerCase() ?? 'unknown';
  const t = SQL_TABLE.exec(sql)?.[1]?.replace(/["`]/g, '').toLowerCase() ?? '';
  return { operation: op === 'with' ? 'select' : op, table: t };
}

export interface CacheMetricsOptions {
  registry?: Registry;
  prefix?: string;
}

/** cache_requests_total{cache,result} (hit|miss) and cache_hit_ratio{cache} computed at scrape time. */
export class CacheMetrics {
  readonly requests: Counter<'cache' | 'result'>;
  readonly hitRatio: Gauge<'cache'>;
  private readonly caches = new Map<string, { hit: { value: number }; miss: { value: number } }>();

  constructor(opts: CacheMetricsOptions = {}) {
    const registers = [opts.registry ?? globalRegistry];
    const p = opts.prefix ?? '';
    this.requests = new Counter({ name: p + 'cache_requests_total', help: 'Cache lookups by cache and result (hit or miss).', labelNames: ['cache', 'result'], registers });
    const caches = this.caches;
    this.hitRatio = new Gauge({
      name: p + 'cache_hit_ratio',
      help: 'Cache hits / lookups since start, by cache.',
      labelNames: ['cache'],
      registers,
      collect() {
        for (const [cache, c] of caches) {
          const n = c.hit.value + c.miss.value;
          if (n > 0) this.set({ cache }, c.hit.value / n);
        }
      },
    });
  }

  private entry(cache: string) {
    let e = this.caches.get(cache);
    if (!e) {
      e = { hit: this.requests.labels(cache, 'hit'), miss: this.requests.labels(cache, 'miss') };
      this.caches.set(cache, e);
    }
    return e as { hit: { value: number; inc(): void }; miss: { value: number; inc(): void } };
  }

  hit(cache: string): void {
    this.entry(cache).hit.inc();
  }
  miss(cache: string): void {
    this.entry(cache).miss.inc();
  }

  /**
   * Wraps a redis-like client in place: `get`, `hGet`/`hget`, `mGet`/`mget` record a hit for
   * each non-null result and a miss for each null/undefined. Promise and callback styles work.
   */
  instrumentClient<C extends object>(client: C, cache: string): C {
    const e = this.entry(cache);
    const count = (v: unknown) => {
      if (Array.isArray(v)) for (const x of v) (x === null || x === undefined ? e.miss : e.hit).inc();
      else (v === null || v === undefined ? e.miss : e.hit).inc();
    };
    const obj = client as Record<string, unknown>;
    for (const m of ['get', 'hGet', 'hget', 'mGet', 'mget', 'getBuffer']) {
      const orig = obj[m];
      if (typeof orig !== 'function') continue;
      obj[m] = function (this: unknown, ...args: unknown[]) {
        const last = args[args.length - 1];
        if (typeof last === 'function') {
          args[args.length - 1] = (err: unknown, v: unknown) => {
            if (!err) count(v);
            (last as (err: unknown, v: unknown) => void)(err, v);
          };
          return (orig as (...a: unknown[]) => unknown).apply(this, args);
        }
        const r = (orig as (...a: unknown[]) => unknown).apply(this, args);
        if (r && typeof (r as Promise<unknown>).then === 'function') (r as Promise<unknown>).then(count, () => undefined);
        return r;
      };
    }
    return client;
  }
}

export interface ActiveUsersOptions {
  registry?: Registry;
  name?: string;
  help?: string;
  /** Windows in seconds to report (default [300, 3600, 86400]). */
  windows?: number[];
  /** At most this many distinct ids are tracked (oldest dropped first; default 1e6). */
  maxTracked?: number;
}

/** Distinct users seen in sliding windows: active_users{window="5m"|"1h"|"1d"}. */
export class ActiveUsers {
  readonly gauge: Gauge<'window'>;
  private readonly lastSeen = new Map<string, number>();
  private readonly windows: number[];
  private readonly max: number;

  constructor(opts: ActiveUsersOptions = {}) {
    this.windows = [...(opts.windows ?? [300, 3600, 86400])].sort((a, b) => a - b);
    this.max = opts.maxTracked ?? 1_000_000;
    const self = this;
    const label = (s: number) => (s % 86400 === 0 ? s / 86400 + 'd' : s % 3600 === 0 ? s / 3600 + 'h' : s % 60 === 0 ? s / 60 + 'm' : s + 's');
    this.gauge = new Gauge({
      name: opts.name ?? 'active_users',
      help: opts.help ?? 'Distinct users seen within each window.',
      labelNames: ['window'],
      registers: [opts.registry ?? globalRegistry],
      collect() {
        const now = Date.now();
        const counts = self.windows.map(() => 0);
        const longest = self.windows[self.windows.length - 1]! * 1000;
        for (const [id, t] of self.lastSeen) {
          const age = now - t;
          if (age > longest) {
            self.lastSeen.delete(id);
            continue;
          }
          for (let i = 0; i < self.windows.length; i++) if (age <= self.windows[i]! * 1000) counts[i]!++;
        }
        self.windows.forEach((w, i) => this.set({ window: label(w) }, counts[i]!));
      },
    });
  }

  /** Marks a user as active now. */
  seen(userId: string | number): void {
    const id = String(userId);
    // Re-insert so Map order is least-recently-seen first, which is what eviction drops.
    this.lastSeen.delete(id);
    this.lastSeen.set(id, Date.now());
    if (this.lastSeen.size > this.max) this.lastSeen.delete(this.lastSeen.keys().next().value!);
  }
}

/** Counts domain events: domain_events_total{event} (or a name of your choosing). */
export function domainEvents<E extends string = string>(opts: { registry?: Registry; name?: string; help?: string; labelNames?: string[] } = {}): Counter<string> & {
  record(event: E, labels?: LabelValues, n?: number): void;
} {
  const c = new Counter({
    name: opts.name ?? 'domain_events_total',
    help: opts.help ?? 'Domain events (signups, orders, payments, ...) by event.',
    labelNames: ['event', ...(opts.labelNames ?? [])],
    registers: [opts.registry ?? globalRegistry],
  });
  return Object.assign(c, {
    record(event: E, labels: LabelValues = {}, n = 1) {
      c.inc({ ...labels, event }, n);
    },
  });
}
