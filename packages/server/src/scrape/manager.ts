// Scrape pools (one per job) and the manager that applies scrape configs. A reload keeps the
// loops (and their health and series state) of targets whose identity did not change; targets
// that disappear get staleness markers.
import type { Labels } from '../model/labels.js';
import type { Appendable } from '../storage/interface.js';
import { nopLogger, type Logger } from '../util/log.js';
import type { GlobalConfig, ScrapeConfig, TargetGroup } from './config.js';
import { FileSD } from './filesd.js';
import { HTTPScraper, type ScrapeResponse } from './http.js';
import { ScrapeLoop, type Fetcher, type LoopStats } from './loop.js';
import { populateTarget, type Target } from './target.js';

/** A scrape config that reads an in-process source (e.g. the host agent) instead of HTTP. */
export interface InternalScrapeConfig extends ScrapeConfig {
  internalSource?: (signal: AbortSignal) => Promise<ScrapeResponse>;
}

export interface ScrapeManagerOptions {
  appendable: Appendable;
  logger?: Logger;
  now?: () => number;
  /** Mixed into target offsets (Prometheus uses a hash of the external labels and hostname). */
  offsetSeed?: number;
}

export interface DroppedTargetInfo {
  discoveredLabels: Labels;
  scrapePool: string;
}

export interface ActiveTargetInfo {
  target: Target;
  scrapePool: string;
}

function configSignature(c: ScrapeConfig): string {
  return JSON.stringify(c, (k, v) => (k === 'regex' || k === 'internalSource' ? undefined : v));
}

class ScrapePool {
  private readonly loops = new Map<string, ScrapeLoop>();
  private readonly groups = new Map<string, TargetGroup[]>();
  private fileSDs: FileSD[] = [];
  dropped: Labels[] = [];
  private scraper: HTTPScraper | undefined;
  private fetcher!: Fetcher;
  private signature: string;
  private sdSignature = '';
  /** Stats of loops that were stopped, so counters stay monotone. */
  readonly retired: LoopStats = { outOfOrder: 0, duplicate: 0, outOfBounds: 0, sampleLimitHits: 0, scrapes: 0, failedScrapes: 0 };

  constructor(
    public cfg: InternalScrapeConfig,
    private readonly opts: Required<Omit<ScrapeManagerOptions, 'now'>> & { now: () => number },
  ) {
    this.signature = configSignature(cfg);
    this.makeFetcher();
    this.startDiscovery();
  }

  private makeFetcher(): void {
    this.scraper?.close();
    this.scraper = undefined;
    const src = this.cfg.internalSource;
    if (src) {
      this.fetcher = (_url, timeoutMs, signal) => src(AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]));
    } else {
      const s = new HTTPScraper(this.cfg.http, this.cfg.bodySizeLimit, undefined, this.cfg.enableCompression);
      this.scraper = s;
      this.fetcher = (url, timeoutMs, signal) => s.scrape(url, timeoutMs, signal);
    }
  }

  private startDiscovery(): void {
    this.sdSignature = JSON.stringify([this.cfg.staticConfigs, this.cfg.fileSDConfigs]);
    this.groups.set('static', this.cfg.staticConfigs);
    this.cfg.fileSDConfigs.forEach((fc, i) => {
      const sd = new FileSD(fc, (gs) => {
        this.groups.set(`file/${i}`, gs);
        this.sync();
      }, this.opts.logger.child({ component: 'file_sd', job: this.cfg.jobName }));
      this.fileSDs.push(sd);
      sd.start();
    });
    this.sync();
  }

  private stopDiscovery(): void {
    for (const sd of this.fileSDs) sd.stop();
    this.fileSDs = [];
    this.groups.clear();
  }

  get fileSDReadErrors(): number {
    return this.fileSDs.reduce((a, s) => a + s.readErrors, 0);
  }

  reload(cfg: InternalScrapeConfig): void {
    const sig = configSignature(cfg);
    if (sig === this.signature) {
      // Same settings; an in-process source may be a new closure: swap it, keep all state.
      if (cfg.internalSource !== this.cfg.internalSource) {
        this.cfg = cfg;
        this.makeFetcher();
        for (const l of this.loops.values()) l.setFetcher(this.fetcher);
      }
      return;
    }
    this.signature = sig;
    this.cfg = cfg;
    this.makeFetcher();
    for (const l of this.loops.values()) l.reload(cfg, this.fetcher);
    const sdSig = JSON.stringify([cfg.staticConfigs, cfg.fileSDConfigs]);
    if (sdSig !== this.sdSignature) {
      this.stopDiscovery();
      this.startDiscovery();
    } else this.sync();
  }

  /** Recomputes targets from all groups; starts new loops, stops vanished ones. */
  sync(): void {
    const wanted = new Map<string, Target>();
    const dropped: Labels[] = [];
    for (const gs of this.groups.values()) {
      for (const g of gs) {
        for (const addr of g.targets) {
          const r = populateTarget({ ...g.labels, __address__: addr }, this.cfg);
          if (r.kind === 'target') {
            if (!wanted.has(r.target.key)) wanted.set(r.target.key, r.target);
          } else if (r.kind === 'error') {
            // As in Prometheus: logged, neither active nor dropped.
            this.opts.logger.warn('scrape: invalid target', { job: this.cfg.jobName, target: addr, err: r.error });
          } else {
            dropped.push(r.discoveredLabels);
          }
        }
      }
    }
    this.dropped = dropped;
    for (const [key, loop] of this.loops) {
      if (!wanted.has(key)) {
        this.loops.delete(key);
        this.retire(loop);
      }
    }
    for (const [key, t] of wanted) {
      if (this.loops.has(key)) continue;
      const loop = new ScrapeLoop(t, this.cfg, this.opts.appendable, this.fetcher, this.opts.logger.child({ job: this.cfg.jobName }), this.opts.now);
      this.loops.set(key, loop);
      loop.start(this.opts.offsetSeed);
    }
    const lim = this.cfg.targetLimit;
    const over = lim > 0 && this.loops.size > lim ? `target_limit exceeded (number of targets: ${this.loops.size}, limit: ${lim})` : undefined;
    for (const l of this.loops.values()) l.forcedError = over;
  }

  private retire(loop: ScrapeLoop): void {
    void loop.stop(true).then(() => {
      for (const k of Object.keys(this.retired) as (keyof LoopStats)[]) this.retired[k] += loop.stats[k];
    });
  }

  activeTargets(): Target[] {
    return [...this.loops.values()].map((l) => l.target);
  }

  loopList(): ScrapeLoop[] {
    return [...this.loops.values()];
  }

  async stop(stale: boolean): Promise<void> {
    this.stopDiscovery();
    const loops = [...this.loops.values()];
    this.loops.clear();
    await Promise.all(loops.map((l) => l.stop(stale)));
    this.scraper?.close();
  }
}

export interface ScrapeManagerConfig {
  scrapeConfigs: InternalScrapeConfig[];
  global?: GlobalConfig;
}

export class ScrapeManager {
  private readonly pools = new Map<string, ScrapePool>();
  private readonly opts: Required<Omit<ScrapeManagerOptions, 'now'>> & { now: () => number };
  private stopped = false;

  constructor(opts: ScrapeManagerOptions) {
    this.opts = { appendable: opts.appendable, logger: opts.logger ?? nopLogger, now: opts.now ?? Date.now, offsetSeed: opts.offsetSeed ?? 0 };
  }

  /** Applies a (re)loaded configuration. Unchanged jobs and targets keep running untouched. */
  applyConfig(cfg: ScrapeManagerConfig): void {
    if (this.stopped) throw new Error('scrape manager is stopped');
    const names = new Set(cfg.scrapeConfigs.map((c) => c.jobName));
    for (const [name, pool] of this.pools) {
      if (!names.has(name)) {
        this.pools.delete(name);
        void pool.stop(true);
      }
    }
    for (const sc of cfg.scrapeConfigs) {
      for (const w of sc.warnings) this.opts.logger.warn(w);
      const pool = this.pools.get(sc.jobName);
      if (pool) pool.reload(sc);
      else this.pools.set(sc.jobName, new ScrapePool(sc, this.opts));
    }
  }

  /** Active targets grouped by pool, and targets dropped by relabeling. */
  targets(): { active: ActiveTargetInfo[]; dropped: DroppedTargetInfo[] } {
    const active: ActiveTargetInfo[] = [];
    const dropped: DroppedTargetInfo[] = [];
    for (const [name, pool] of this.pools) {
      for (const t of pool.activeTargets()) active.push({ target: t, scrapePool: name });
      for (const d of pool.dropped) dropped.push({ discoveredLabels: d, scrapePool: name });
    }
    return { active, dropped };
  }

  /** Names of the scrape pools (jobs). */
  poolNames(): string[] {
    return [...this.pools.keys()];
  }

  /** Runs one scrape of every active target right away (tests, `vigil` one-shot tools). */
  async scrapeAllNow(): Promise<void> {
    await this.scrapePoolsNow([...this.pools.keys()]);
  }

  /** Scrapes every target of the named pools once, now (outside their schedule). */
  async scrapePoolsNow(names: readonly string[]): Promise<void> {
    await Promise.all(names.flatMap((n) => this.pools.get(n)?.loopList().map((l) => l.scrapeNow()) ?? []));
  }

  /** Vigil's own scrape metrics, in the text format. */
  metricsText(): string {
    const lines: string[] = [];
    const sum = (f: (s: LoopStats) => number, p: ScrapePool) => p.loopList().reduce((a, l) => a + f(l.stats), f(p.retired));
    const fam = (name: string, help: string, type: string, f: (p: ScrapePool) => number) => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
      for (const [job, p] of this.pools) lines.push(`${name}{scrape_job=${JSON.stringify(job)}} ${f(p)}`);
    };
    fam('vigil_scrape_pool_targets', 'Current number of targets in the scrape pool.', 'gauge', (p) => p.activeTargets().length);
    fam('vigil_scrape_pool_dropped_targets', 'Targets dropped by relabeling.', 'gauge', (p) => p.dropped.length);
    fam('vigil_target_scrapes_total', 'Scrapes run.', 'counter', (p) => sum((s) => s.scrapes, p));
    fam('vigil_target_scrapes_failed_total', 'Scrapes that failed (up=0).', 'counter', (p) => sum((s) => s.failedScrapes, p));
    fam('vigil_target_scrapes_exceeded_sample_limit_total', 'Scrapes that hit sample_limit.', 'counter', (p) => sum((s) => s.sampleLimitHits, p));
    fam('vigil_target_scrapes_sample_out_of_order_total', 'Samples rejected as out of order.', 'counter', (p) => sum((s) => s.outOfOrder, p));
    fam('vigil_target_scrapes_sample_duplicate_timestamp_total', 'Samples rejected as duplicates.', 'counter', (p) => sum((s) => s.duplicate, p));
    fam('vigil_target_scrapes_sample_out_of_bounds_total', 'Samples rejected as too old.', 'counter', (p) => sum((s) => s.outOfBounds, p));
    fam('vigil_sd_file_read_errors_total', 'file_sd read or parse errors.', 'counter', (p) => p.fileSDReadErrors);
    return lines.join('\n') + '\n';
  }

  /** Stops every loop. With `stale` (default false, like a Prometheus shutdown), marks series stale. */
  async stop(stale = false): Promise<void> {
    this.stopped = true;
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(pools.map((p) => p.stop(stale)));
  }
}
