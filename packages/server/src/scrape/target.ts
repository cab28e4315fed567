// A scrape target: its labels before and after relabeling, its URL, and its scrape health.
import { hostname } from 'node:os';
import { formatDuration, parseDuration } from '../config/duration.js';
import type { Label, Labels } from '../model/labels.js';
import { labelsKey } from '../model/labels.js';
import { processMap } from '../relabel/index.js';
import type { ScrapeConfig } from './config.js';

export type TargetHealth = 'up' | 'down' | 'unknown';

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export class Target {
  health: TargetHealth = 'unknown';
  lastError = '';
  /** Wall-clock ms of the last scrape start (0 = never). */
  lastScrape = 0;
  /** Seconds. */
  lastScrapeDuration = 0;
  /** Metadata seen in the target's last scrapes, by metric family. */
  readonly metadata = new Map<string, { type: string; help: string; unit: string }>();

  /** Labels after relabeling without the internal "__" ones: what samples get. */
  readonly publicLabels: Labels;
  readonly key: string;
  readonly intervalMs: number;
  readonly timeoutMs: number;

  constructor(
    /** All labels after relabeling, including __address__, __scheme__, __param_* etc. */
    readonly labels: Labels,
    /** Labels before relabeling (discovered + scrape defaults). */
    readonly discoveredLabels: Labels,
    readonly params: Record<string, string[]>,
  ) {
    this.publicLabels = labels.filter((l) => !l.name.startsWith('__'));
    this.intervalMs = parseDuration(this.get('__scrape_interval__'));
    this.timeoutMs = parseDuration(this.get('__scrape_timeout__'));
    this.key = labelsKey(labels) + '\x00' + this.url();
  }

  get(name: string): string {
    for (const l of this.labels) if (l.name === name) return l.value;
    return '';
  }

  private urlCache: string | undefined;

  /** scheme://address/path?params, with __param_<name> labels overriding configured params. */
  url(): string {
    return (this.urlCache ??= this.buildURL());
  }

  private buildURL(): string {
    const params = new Map<string, string[]>();
    for (const [k, v] of Object.entries(this.params)) params.set(k, [...v]);
    for (const l of this.labels) {
      if (!l.name.startsWith('__param_')) continue;
      const k = l.name.slice('__param_'.length);
      const cur = params.get(k);
      if (cur && cur.length > 0) cur[0] = l.value;
      else params.set(k, [l.value]);
    }
    const q = new URLSearchParams();
    for (const k of [...params.keys()].sort()) for (const v of params.get(k)!) q.append(k, v);
    const qs = q.toString();
    return `${this.get('__scheme__')}://${this.get('__address__')}${this.get('__metrics_path__')}${qs ? '?' + qs : ''}`;
  }

  /** The URL as seen from elsewhere: loopback hosts replaced by this machine's hostname. */
  globalUrl(): string {
    const u = this.url();
    return u.replace(/^(\w+:\/\/)(localhost|127\.[0-9.]+|\[::1\])(?=[:/])/, `$1${hostname()}`);
  }

  /** Deterministic hash for spreading scrapes over the interval. */
  hash(): number {
    let h = 0x811c9dc5;
    const s = this.key;
    for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
    return h;
  }

  /** Milliseconds to wait before the first scrape so targets spread over the interval. */
  offsetMs(now: number, seed = 0): number {
    const iv = this.intervalMs;
    const base = iv - (now % iv);
    let next = base + ((this.hash() ^ seed) >>> 0) % iv;
    if (next > iv) next -= iv;
    return next;
  }
}

export interface DroppedTarget {
  discoveredLabels: Labels;
}

export type PopulateResult =
  | { kind: 'target'; target: Target }
  | { kind: 'dropped'; discoveredLabels: Labels }
  | { kind: 'error'; discoveredLabels: Labels; error: string };

function hasPort(addr: string): boolean {
  if (addr.startsWith('[')) return /\]:\d*$/.test(addr);
  const i = addr.lastIndexOf(':');
  return i >= 0 && addr.indexOf(':') === i;
}

function sorted(m: Map<string, string>): Label[] {
  const out: Label[] = [];
  for (const [name, value] of m) if (value !== '') out.push({ name, value });
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * Turns discovered labels into a target as Prometheus's PopulateLabels does: scrape defaults,
 * __param_*, relabel_configs, default port, interval/timeout checks, __meta_* removal, instance.
 */
export function populateTarget(discovered: Record<string, string>, cfg: ScrapeConfig): PopulateResult {
  const lb = new Map<string, string>();
  for (const [k, v] of Object.entries(discovered)) if (v !== '') lb.set(k, v);
  const defaults: [string, string][] = [
    ['job', cfg.jobName],
    ['__scrape_interval__', formatDuration(cfg.scrapeIntervalMs)],
    ['__scrape_timeout__', formatDuration(cfg.scrapeTimeoutMs)],
    ['__metrics_path__', cfg.metricsPath],
    ['__scheme__', cfg.scheme],
  ];
  for (const [k, v] of defaults) if (!lb.get(k)) lb.set(k, v);
  for (const [k, v] of Object.entries(cfg.params)) if (v.length > 0) lb.set('__param_' + k, v[0]!);
  const pre = sorted(lb);
  if (!processMap(lb, cfg.relabelConfigs)) return { kind: 'dropped', discoveredLabels: pre };
  const err = (error: string): PopulateResult => ({ kind: 'error', discoveredLabels: pre, error });
  let addr = lb.get('__address__') ?? '';
  if (addr === '') return err('no address');
  const scheme = lb.get('__scheme__') ?? '';
  if (!hasPort(addr)) {
    if (scheme === 'http' || scheme === '') addr += ':80';
    else if (scheme === 'https') addr += ':443';
    else return err(`invalid scheme: ${JSON.stringify(cfg.scheme)}`);
    lb.set('__address__', addr);
  }
  if (addr.includes('/')) return err(`${JSON.stringify(addr)} is not a valid hostname`);
  let iv: number, to: number;
  const ivs = lb.get('__scrape_interval__') ?? '', tos = lb.get('__scrape_timeout__') ?? '';
  try {
    iv = parseDuration(ivs);
  } catch (e) {
    return err(`error parsing scrape interval: ${(e as Error).message}`);
  }
  if (iv === 0) return err('scrape interval cannot be 0');
  try {
    to = parseDuration(tos);
  } catch (e) {
    return err(`error parsing scrape timeout: ${(e as Error).message}`);
  }
  if (to === 0) return err('scrape timeout cannot be 0');
  if (to > iv) return err(`scrape timeout cannot be greater than scrape interval (${JSON.stringify(tos)} > ${JSON.stringify(ivs)})`);
  for (const k of [...lb.keys()]) if (k.startsWith('__meta_')) lb.delete(k);
  if (!lb.get('instance')) lb.set('instance', addr);
  for (const k of lb.keys()) if (!LABEL_NAME.test(k)) return err(`invalid label name ${JSON.stringify(k)}`);
  return { kind: 'target', target: new Target(sorted(lb), pre, cfg.params) };
}
