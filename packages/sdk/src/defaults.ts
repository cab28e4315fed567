// Default process and Node.js runtime metrics, with prom-client's names so dashboards carry over.
import { readFileSync, readdirSync } from 'node:fs';
import { monitorEventLoopDelay, PerformanceObserver, constants as perfConstants } from 'node:perf_hooks';
import v8 from 'node:v8';
import { Counter } from './counter.js';
import { Gauge } from './gauge.js';
import { Histogram } from './histogram.js';
import { globalRegistry, type Registry } from './registry.js';
import type { LabelValues } from './types.js';

export interface DefaultMetricsCollectorConfiguration {
  register?: Registry;
  /** Prepended to every metric name. */
  prefix?: string;
  /** Static labels added to every default metric. */
  labels?: Record<string, string | number>;
  /** Buckets of nodejs_gc_duration_seconds (default [0.001, 0.01, 0.1, 1, 2, 5]). */
  gcDurationBuckets?: number[];
  /** monitorEventLoopDelay resolution in ms (default 10). */
  eventLoopMonitoringPrecision?: number;
}

/** Handle returned by collectDefaultMetrics; stop() detaches the GC observer and loop monitor. */
export interface DefaultMetricsHandle {
  stop(): void;
}

export const defaultMetricsList = [
  'processCpuTotal',
  'processStartTime',
  'osMemoryHeap',
  'processOpenFileDescriptors',
  'processMaxFileDescriptors',
  'eventLoopLag',
  'processResources',
  'processHandles',
  'processRequests',
  'heapSizeAndUsed',
  'heapSpacesSizeAndUsed',
  'version',
  'gc',
] as const;

const isLinux = process.platform === 'linux';

/**
 * prom-client's nodejs_active_*_total are gauges named like counters; promtool's linter rejects a
 * `_total` gauge but not an untyped metric, so they keep their names (dashboards work) and are
 * exposed as untyped (OpenMetrics: unknown).
 */
class UntypedGauge<T extends string = string> extends Gauge<T> {
  protected override exposedType(openMetrics: boolean): string {
    return openMetrics ? 'unknown' : 'untyped';
  }
}

function readProcStatus(): Record<string, number> {
  const out: Record<string, number> = {};
  try {
    for (const line of readFileSync('/proc/self/status', 'utf8').split('\n')) {
      const m = /^(Vm\w+):\s+(\d+)\s*kB/.exec(line);
      if (m) out[m[1]!] = Number(m[2]) * 1024;
    }
  } catch {
    /* not available */
  }
  return out;
}

function maxFds(): number | undefined {
  try {
    const m = /^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

function countByType(items: readonly unknown[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const it of items) {
    const t = typeof it === 'string' ? it : ((it as { constructor?: { name?: string } } | null)?.constructor?.name ?? 'unknown');
    m.set(t, (m.get(t) ?? 0) + 1);
  }
  return m;
}

const GC_KINDS: Record<number, string> = {
  [perfConstants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [perfConstants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [perfConstants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [perfConstants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
};

function collectDefaults(config: DefaultMetricsCollectorConfiguration = {}): DefaultMetricsHandle {
  if (config === null) config = {};
  if (typeof config !== 'object') throw new TypeError('config must be null, undefined, or an object');
  const registers = [config.register ?? globalRegistry];
  const p = config.prefix ?? '';
  const labels: LabelValues = { ...config.labels };
  const ln = Object.keys(labels);
  const L = (extra?: Record<string, string | number>): LabelValues => (extra ? { ...extra, ...labels } : labels);
  const stops: (() => void)[] = [];

  // CPU: counters advanced by the delta since the last scrape.
  let lastUser = 0;
  let lastSystem = 0;
  const cpuUser = new Counter({
    name: p + 'process_cpu_user_seconds_total',
    help: 'Total user CPU time spent in seconds.',
    labelNames: ln,
    registers,
    collect() {
      const u = process.cpuUsage();
      const du = (u.user - lastUser) / 1e6;
      const ds = (u.system - lastSystem) / 1e6;
      lastUser = u.user;
      lastSystem = u.system;
      this.inc(L(), du);
      cpuSystem.inc(L(), ds);
      cpuTotal.inc(L(), du + ds);
    },
  });
  const cpuSystem = new Counter({ name: p + 'process_cpu_system_seconds_total', help: 'Total system CPU time spent in seconds.', labelNames: ln, registers });
  const cpuTotal = new Counter({ name: p + 'process_cpu_seconds_total', help: 'Total user and system CPU time spent in seconds.', labelNames: ln, registers });
  void cpuUser;

  new Gauge({
    name: p + 'process_start_time_seconds',
    help: 'Start time of the process since unix epoch in seconds.',
    labelNames: ln,
    registers,
    aggregator: 'omit',
  }).set(L(), Math.round(Date.now() / 1000 - process.uptime()));

  const rss = new Gauge({
    name: p + 'process_resident_memory_bytes',
    help: 'Resident memory size in bytes.',
    labelNames: ln,
    registers,
    collect() {
      if (!isLinux) return this.set(L(), process.memoryUsage().rss);
      const st = readProcStatus();
      this.set(L(), st.VmRSS ?? process.memoryUsage().rss);
      if (st.VmSize !== undefined) vsize?.set(L(), st.VmSize);
      if (st.VmData !== undefined) heap?.set(L(), st.VmData);
    },
  });
  void rss;
  const vsize = isLinux ? new Gauge({ name: p + 'process_virtual_memory_bytes', help: 'Virtual memory size in bytes.', labelNames: ln, registers }) : undefined;
  const heap = isLinux ? new Gauge({ name: p + 'process_heap_bytes', help: 'Process heap size in bytes.', labelNames: ln, registers }) : undefined;

  if (isLinux) {
    new Gauge({
      name: p + 'process_open_fds',
      help: 'Number of open file descriptors.',
      labelNames: ln,
      registers,
      collect() {
        try {
          this.set(L(), readdirSync('/proc/self/fd').length - 1); // minus the one readdir itself opened
        } catch {
          /* not available */
        }
      },
    });
    const max = maxFds();
    if (max !== undefined) new Gauge({ name: p + 'process_max_fds', help: 'Maximum number of open file descriptors.', labelNames: ln, registers }).set(L(), max);
  }

  // Event loop: a point measurement at scrape time plus the distribution since the last scrape.
  const h = monitorEventLoopDelay({ resolution: config.eventLoopMonitoringPrecision ?? 10 });
  h.enable();
  stops.push(() => h.disable());
  const lagStat = (suffix: string, help: string) => new Gauge({ name: p + 'nodejs_eventloop_lag_' + suffix + '_seconds', help, labelNames: ln, registers, aggregator: 'average' });
  new Gauge({
    name: p + 'nodejs_eventloop_lag_seconds',
    help: 'Lag of event loop in seconds.',
    labelNames: ln,
    registers,
    aggregator: 'average',
    collect() {
      const t0 = process.hrtime.bigint();
      const s = (x: number) => (Number.isFinite(x) ? x / 1e9 : 0);
      lagMin.set(L(), s(h.min));
      lagMax.set(L(), s(h.max));
      lagMean.set(L(), s(h.mean));
      lagStd.set(L(), s(h.stddev));
      lagP50.set(L(), s(h.percentile(50)));
      lagP90.set(L(), s(h.percentile(90)));
      lagP99.set(L(), s(h.percentile(99)));
      h.reset();
      return new Promise<void>((resolve) =>
        setImmediate(() => {
          this.set(L(), Number(process.hrtime.bigint() - t0) / 1e9);
          resolve();
        }),
      );
    },
  });
  const lagMin = lagStat('min', 'The minimum recorded event loop delay.');
  const lagMax = lagStat('max', 'The maximum recorded event loop delay.');
  const lagMean = lagStat('mean', 'The mean of the recorded event loop delays.');
  const lagStd = lagStat('stddev', 'The standard deviation of the recorded event loop delays.');
  const lagP50 = lagStat('p50', 'The 50th percentile of the recorded event loop delays.');
  const lagP90 = lagStat('p90', 'The 90th percentile of the recorded event loop delays.');
  const lagP99 = lagStat('p99', 'The 99th percentile of the recorded event loop delays.');

  // The metric whose collect() fills the others is registered first: prom-client-style callers
  // (getMetricsAsJSON, per-metric get()) read metrics in registration order.
  const grouped = (name: string, what: string, read: () => readonly unknown[]) => {
    let total: UntypedGauge | undefined;
    new Gauge({
      name: p + name,
      help: `Number of active ${what} grouped by type.`,
      labelNames: ['type', ...ln],
      registers,
      collect() {
        const items = read();
        this.reset();
        for (const [t, n] of countByType(items)) this.set(L({ type: t }), n);
        total!.set(L(), items.length);
      },
    });
    total = new UntypedGauge({ name: p + name + '_total', help: `Total number of active ${what}.`, labelNames: ln, registers });
  };
  if (typeof process.getActiveResourcesInfo === 'function') grouped('nodejs_active_resources', 'resources that keep the event loop alive', () => process.getActiveResourcesInfo());
  const proc = process as unknown as { _getActiveHandles?: () => unknown[]; _getActiveRequests?: () => unknown[] };
  if (typeof proc._getActiveHandles === 'function') grouped('nodejs_active_handles', 'libuv handles', () => proc._getActiveHandles!());
  if (typeof proc._getActiveRequests === 'function') grouped('nodejs_active_requests', 'libuv requests', () => proc._getActiveRequests!());

  new Gauge({
    name: p + 'nodejs_heap_size_total_bytes',
    help: 'Process heap size from Node.js in bytes.',
    labelNames: ln,
    registers,
    collect() {
      const m = process.memoryUsage();
      this.set(L(), m.heapTotal);
      heapUsed.set(L(), m.heapUsed);
      external.set(L(), m.external);
    },
  });
  const heapUsed = new Gauge({ name: p + 'nodejs_heap_size_used_bytes', help: 'Process heap size used from Node.js in bytes.', labelNames: ln, registers });
  const external = new Gauge({ name: p + 'nodejs_external_memory_bytes', help: 'Node.js external memory size in bytes.', labelNames: ln, registers });

  new Gauge({
    name: p + 'nodejs_heap_space_size_total_bytes',
    help: 'Process heap space size total from Node.js in bytes.',
    labelNames: ['space', ...ln],
    registers,
    collect() {
      for (const s of v8.getHeapSpaceStatistics()) {
        const space = s.space_name.replace(/_space$/, '');
        this.set(L({ space }), s.space_size);
        spaceUsed.set(L({ space }), s.space_used_size);
        spaceAvail.set(L({ space }), s.space_available_size);
      }
    },
  });
  const spaceUsed = new Gauge({ name: p + 'nodejs_heap_space_size_used_bytes', help: 'Process heap space size used from Node.js in bytes.', labelNames: ['space', ...ln], registers });
  const spaceAvail = new Gauge({ name: p + 'nodejs_heap_space_size_available_bytes', help: 'Process heap space size available from Node.js in bytes.', labelNames: ['space', ...ln], registers });

  const [major, minor, patch] = process.versions.node.split('.').map(Number);
  new Gauge({
    name: p + 'nodejs_version_info',
    help: 'Node.js version info.',
    labelNames: ['version', 'major', 'minor', 'patch', ...ln],
    registers,
    aggregator: 'first',
  }).set(L({ version: process.version, major: major!, minor: minor!, patch: patch! }), 1);

  const gc = new Histogram({
    name: p + 'nodejs_gc_duration_seconds',
    help: 'Garbage collection duration by kind, one of major, minor, incremental or weakcb.',
    labelNames: ['kind', ...ln],
    buckets: config.gcDurationBuckets ?? [0.001, 0.01, 0.1, 1, 2, 5],
    registers,
  });
  const children = new Map<number, ReturnType<typeof gc.labels>>();
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const kind = (e as unknown as { detail?: { kind?: number } }).detail?.kind ?? 0;
      let ch = children.get(kind);
      if (ch === undefined) children.set(kind, (ch = gc.labels(L({ kind: GC_KINDS[kind] ?? 'unknown' }))));
      ch.observe(e.duration / 1000);
    }
  });
  obs.observe({ entryTypes: ['gc'] });
  stops.push(() => obs.disconnect());

  return { stop: () => stops.forEach((f) => f()) };
}

/** Registers the default metrics; `collectDefaultMetrics.metricsList` names them (as in prom-client). */
export const collectDefaultMetrics: typeof collectDefaults & { metricsList: readonly string[] } = Object.assign(collectDefaults, { metricsList: defaultMetricsList });
