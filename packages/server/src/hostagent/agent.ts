// The built-in host agent: runs the collectors and renders node_exporter-compatible exposition
// text. It can be scraped over HTTP (/hostagent/metrics) or fed straight into a scrape pool.
import type { ServerResponse } from 'node:http';
import { hostname } from 'node:os';
import type { GlobalConfig, ScrapeConfig } from '../scrape/config.js';
import type { InternalScrapeConfig } from '../scrape/manager.js';
import type { ScrapeResponse } from '../scrape/http.js';
import type { Router } from '../web/router.js';
import { sendText } from '../web/router.js';
import { COLLECTORS, type CollectorContext } from './collectors.js';
import { ExpositionWriter } from './exposition.js';

export interface HostAgentOptions {
  /** Collectors to run (default: all of cpu, stat, meminfo, loadavg, filesystem, diskstats, netdev, uname, time). */
  collectors?: string[];
  procPath?: string;
  sysPath?: string;
  rootfsPath?: string;
  mountPointsExclude?: string;
  fsTypesExclude?: string;
  diskDeviceExclude?: string;
  netDeviceExclude?: string;
  statfsTimeoutMs?: number;
}

// node_exporter 1.5's defaults as shipped by Debian.
export const DEFAULT_MOUNT_POINTS_EXCLUDE = '^/(dev|proc|run|sys|mnt|media|var/lib/docker/.+|var/lib/containers/storage/.+)($|/)';
export const DEFAULT_FS_TYPES_EXCLUDE =
  '^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs|iso9660|mqueue|nsfs|overlay|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs|squashfs|sysfs|tracefs)$';
export const DEFAULT_DISK_DEVICE_EXCLUDE = '^(ram|loop|fd|(h|s|v|xv)d[a-z]|nvme\\d+n\\d+p)\\d+$';
export const DEFAULT_NET_DEVICE_EXCLUDE = '^lo$';

export const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export class HostAgent {
  private readonly ctx: CollectorContext;
  readonly collectors: string[];

  constructor(opts: HostAgentOptions = {}) {
    const names = opts.collectors ?? Object.keys(COLLECTORS);
    for (const n of names) if (!COLLECTORS[n]) throw new Error(`unknown host agent collector ${JSON.stringify(n)} (known: ${Object.keys(COLLECTORS).join(', ')})`);
    this.collectors = names;
    const re = (s: string, what: string) => {
      try {
        return new RegExp(s);
      } catch (e) {
        throw new Error(`invalid ${what} regex ${JSON.stringify(s)}: ${(e as Error).message}`);
      }
    };
    this.ctx = {
      procPath: opts.procPath ?? '/proc',
      sysPath: opts.sysPath ?? '/sys',
      rootfsPath: opts.rootfsPath ?? '/',
      mountPointsExclude: re(opts.mountPointsExclude ?? DEFAULT_MOUNT_POINTS_EXCLUDE, 'mount_points_exclude'),
      fsTypesExclude: re(opts.fsTypesExclude ?? DEFAULT_FS_TYPES_EXCLUDE, 'fs_types_exclude'),
      diskDeviceExclude: re(opts.diskDeviceExclude ?? DEFAULT_DISK_DEVICE_EXCLUDE, 'disk_device_exclude'),
      netDeviceExclude: re(opts.netDeviceExclude ?? DEFAULT_NET_DEVICE_EXCLUDE, 'net_device_exclude'),
      statfsTimeoutMs: opts.statfsTimeoutMs ?? 5000,
    };
  }

  /**
   * Runs every collector and returns exposition text. A failing collector does not affect the
   * others; each reports node_scrape_collector_success / _duration_seconds like node_exporter.
   */
  async collect(): Promise<string> {
    const results = await Promise.all(
      this.collectors.map(async (name) => {
        const w = new ExpositionWriter();
        const t0 = performance.now();
        let ok = 1;
        try {
          await COLLECTORS[name]!(this.ctx, w);
        } catch {
          ok = 0;
        }
        return { name, text: ok ? w.text() : '', ok, dur: (performance.now() - t0) / 1000 };
      }),
    );
    const meta = new ExpositionWriter();
    meta.family_('node_scrape_collector_duration_seconds', 'node_exporter: Duration of a collector scrape.', 'gauge');
    for (const r of results) meta.sample({ collector: r.name }, r.dur);
    meta.family_('node_scrape_collector_success', 'node_exporter: Whether a collector succeeded.', 'gauge');
    for (const r of results) meta.sample({ collector: r.name }, r.ok);
    return results.map((r) => r.text).join('') + meta.text();
  }

  private src: ((signal: AbortSignal) => Promise<ScrapeResponse>) | undefined;

  /** A scrape source for an in-process scrape pool (no HTTP round trip); the same function every call. */
  source(): (signal: AbortSignal) => Promise<ScrapeResponse> {
    this.src ??= async (signal) => {
      const text = await this.collect();
      if (signal.aborted) throw new Error('context deadline exceeded');
      return { body: Buffer.from(text), contentType: CONTENT_TYPE };
    };
    return this.src;
  }

  /** HTTP handler serving the agent's metrics. */
  async handle(res: ServerResponse): Promise<void> {
    try {
      sendText(res, 200, await this.collect(), CONTENT_TYPE);
    } catch (e) {
      sendText(res, 500, `host agent failed: ${(e as Error).message}\n`);
    }
  }
}

/** GET /hostagent/metrics. */
export function registerHostAgentRoutes(router: Router, deps: { hostAgent: HostAgent }): void {
  router.get('/hostagent/metrics', (_req, res) => deps.hostAgent.handle(res));
}

/**
 * A scrape config that scrapes the agent in-process, as job `vigil-host` (instance = this host),
 * with the global interval; add it to the manager's scrape configs.
 */
export function hostAgentScrapeConfig(
  agent: HostAgent,
  global: GlobalConfig,
  opts: {
    jobName?: string;
    instance?: string;
    intervalMs?: number;
    /** Vigil's listen address (host:port), so /api/v1/targets shows the real /hostagent/metrics URL. */
    address?: string;
  } = {},
): InternalScrapeConfig {
  const intervalMs = opts.intervalMs ?? global.scrapeIntervalMs;
  const instance = opts.instance ?? hostname();
  const cfg: ScrapeConfig = {
    jobName: opts.jobName ?? 'node',
    scrapeIntervalMs: intervalMs,
    scrapeTimeoutMs: Math.min(global.scrapeTimeoutMs, intervalMs),
    metricsPath: '/hostagent/metrics',
    scheme: 'http',
    params: {},
    honorLabels: false,
    honorTimestamps: true,
    http: { tls: { insecureSkipVerify: false }, followRedirects: true, headers: {} },
    staticConfigs: [{ targets: [opts.address ?? 'localhost'], labels: { instance }, source: 'hostagent' }],
    fileSDConfigs: [],
    relabelConfigs: [],
    metricRelabelConfigs: [],
    sampleLimit: 0,
    labelLimit: 0,
    labelNameLengthLimit: 0,
    labelValueLengthLimit: 0,
    bodySizeLimit: 0,
    targetLimit: 0,
    enableCompression: true,
    warnings: [],
  };
  return { ...cfg, internalSource: agent.source() };
}
