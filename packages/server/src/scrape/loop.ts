// One target's scrape loop: fetch on a fixed schedule (offset by the target's hash so targets
// spread over the interval), parse, label, relabel, enforce limits, append, write staleness
// markers for series that vanished, and the report series (up, scrape_duration_seconds, ...).
//
// Per-series work is cached by the raw series text as exposed, like Prometheus's scrape cache:
// a repeated series costs a map lookup and a value parse, no label objects.
import type { Label, Labels } from '../model/labels.js';
import { STALE_NAN } from '../model/sample.js';
import { relabel } from '../relabel/index.js';
import { AppendError, type Appendable, type Appender, type MetricMetadata, type SeriesRef } from '../storage/interface.js';
import { BaseParser, newParser, ParseError } from '../textparse/index.js';
import type { Logger } from '../util/log.js';
import type { ScrapeConfig } from './config.js';
import type { ScrapeResponse } from './http.js';
import type { Target } from './target.js';

export type Fetcher = (url: string, timeoutMs: number, signal: AbortSignal) => Promise<ScrapeResponse>;

// Memory: an entry lives as long as its series is exposed, so it holds only flat strings (no
// slices of a scrape body, no concatenation trees) and label objects shared through the loop's
// label pool; the series identity key lives only in `byKey`.
interface Entry {
  /** The raw series text this entry was first cached under (owned flat string). */
  raw: string;
  /** Final labels; null when metric relabeling dropped the series. */
  labels: Labels | null;
  ref: SeriesRef;
  /** Last scrape iteration the series was seen in. */
  iter: number;
  appended: boolean;
}

interface Order {
  keys: string[];
  values: Entry[];
}

export class ScrapeLimitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScrapeLimitError';
  }
}

const REPORT_NAMES = ['up', 'scrape_duration_seconds', 'scrape_samples_scraped', 'scrape_samples_post_metric_relabeling', 'scrape_series_added'] as const;

/** Counters for the manager's own metrics. */
export interface LoopStats {
  outOfOrder: number;
  duplicate: number;
  outOfBounds: number;
  sampleLimitHits: number;
  scrapes: number;
  failedScrapes: number;
}

export class ScrapeLoop {
  private cache = new Map<string, Entry>();
  /** Entries by final label set (keyOf), so raw texts with the same labels share one. */
  private byKey = new Map<string, Entry>();
  /** Label objects shared by this loop's entries: name -> value -> label. */
  private labelPool = new Map<string, Map<string, Label>>();
  /** Stable small ids of pooled labels; a series key is its labels' ids (a few chars). */
  private labelIds = new Map<Label, number>();
  private nextLabelId = 0;
  private prev: Entry[] = [];
  /** Series keys and entries of the last successful scrape, in exposition order. */
  private order: Order | undefined;
  // The arrays the next scrape fills (swapped with prev/order after it): reused, not reallocated
  // each scrape, which keeps the young generation (and so the RSS) small.
  private prevSpare: Entry[] = [];
  private orderSpare: Order = { keys: [], values: [] };
  private iter = 0;
  private reportLabels: Labels[];
  private reportRefs = new Float64Array(REPORT_NAMES.length);
  private lastTs = 0;
  private reported = false;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | null = null;
  private stopped = false;
  private nextAt = 0;
  private readonly abort = new AbortController();
  /** When set, scrapes are skipped and reported as failed with this error (target_limit). */
  forcedError: string | undefined;
  readonly stats: LoopStats = { outOfOrder: 0, duplicate: 0, outOfBounds: 0, sampleLimitHits: 0, scrapes: 0, failedScrapes: 0 };
  // Counters of the scrape in progress (kept on the instance so a failed append still reports them).
  private total = 0;
  private added = 0;
  private seriesAdded = 0;

  constructor(
    readonly target: Target,
    private cfg: ScrapeConfig,
    private readonly appendable: Appendable,
    private fetcher: Fetcher,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {
    this.reportLabels = REPORT_NAMES.map((n) => withTargetLabels([{ name: '__name__', value: n }], target));
  }

  start(offsetSeed = 0): void {
    const now = this.now();
    const off = this.target.offsetMs(now, offsetSeed);
    this.nextAt = now + off;
    this.timer = setTimeout(() => this.tick(), off);
  }

  private tick(): void {
    if (this.stopped) return;
    const iv = this.target.intervalMs;
    if (!this.running) {
      this.running = this.scrapeOnce().finally(() => {
        this.running = null;
      });
    }
    const now = this.now();
    this.nextAt += iv;
    while (this.nextAt <= now) this.nextAt += iv;
    this.timer = setTimeout(() => this.tick(), this.nextAt - now);
  }

  /** Runs a fresh scrape now, after any scrape in progress (never two at once). */
  async scrapeNow(): Promise<void> {
    while (this.running) await this.running.catch(() => {});
    this.running = this.scrapeOnce().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  setFetcher(fetcher: Fetcher): void {
    this.fetcher = fetcher;
  }

  /** New config for the same target: keep series state, drop the per-raw-series label cache. */
  reload(cfg: ScrapeConfig, fetcher: Fetcher): void {
    this.cfg = cfg;
    this.fetcher = fetcher;
    this.cache = new Map();
    this.order = undefined;
    for (const [k, e] of this.byKey) e.labels === null && this.byKey.delete(k);
  }

  /** Stops the loop; with `stale`, marks every series of the last scrape (and the report) stale. */
  async stop(stale: boolean): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.abort.abort();
    if (this.running) await this.running.catch(() => {});
    if (!stale || !this.reported) return;
    const ts = Math.max(this.now(), this.lastTs + 1);
    const app = this.appendable.appender();
    for (const e of this.prev) this.appendStale(app, e, ts);
    this.prev = [];
    for (let i = 0; i < REPORT_NAMES.length; i++) {
      try {
        this.reportRefs[i] = app.append(this.reportRefs[i]!, this.reportLabels[i]!, ts, STALE_NAN);
      } catch {
        /* out of order after a clock step: nothing to mark */
      }
    }
    try {
      await app.commit();
    } catch (e) {
      this.logger.warn('scrape: committing staleness markers failed', { target: this.target.url(), err: e as Error });
    }
  }

  private appendStale(app: Appender, e: Entry, ts: number): void {
    try {
      e.ref = app.append(e.ref, e.labels!, ts, STALE_NAN);
    } catch {
      /* the series already moved past ts */
    }
  }

  /** Runs one scrape (use scrapeNow() from outside, which serializes with the schedule). */
  async scrapeOnce(): Promise<void> {
    const start = this.now();
    const ts = Math.max(start, this.lastTs + 1);
    const t = this.target;
    let err: Error | undefined;
    let resp: ScrapeResponse | undefined;
    this.total = this.added = this.seriesAdded = 0;
    if (this.forcedError !== undefined) err = new Error(this.forcedError);
    else {
      try {
        resp = await this.fetcher(t.url(), t.timeoutMs, this.abort.signal);
      } catch (e) {
        err = e as Error;
      }
    }
    if (this.stopped && this.abort.signal.aborted && err) return; // shut down mid-scrape: no report
    let app = this.appendable.appender();
    if (resp) {
      try {
        this.appendBody(app, resp, ts);
      } catch (e) {
        if (!(e instanceof ParseError || e instanceof ScrapeLimitError)) this.logger.error('scrape: append failed', { target: t.url(), err: e as Error });
        err = e instanceof ParseError ? new Error(`${e.message}`) : (e as Error);
        app.rollback();
        app = this.appendable.appender();
      }
    }
    if (err) {
      // A failed scrape makes everything from the previous one stale, as in Prometheus.
      for (const e of this.prev) this.appendStale(app, e, ts);
      this.prev = [];
    }
    const dur = (this.now() - start) / 1000;
    this.report(app, ts, dur, err);
    try {
      await app.commit();
    } catch (e) {
      err ??= e as Error;
      this.logger.error('scrape: commit failed', { target: t.url(), err: e as Error });
    }
    this.lastTs = ts;
    this.reported = true;
    this.stats.scrapes++;
    if (err) this.stats.failedScrapes++;
    t.lastScrape = start;
    t.lastScrapeDuration = dur;
    t.health = err ? 'down' : 'up';
    t.lastError = err ? err.message : '';
  }

  private report(app: Appender, ts: number, dur: number, err: Error | undefined): void {
    const vals = [err ? 0 : 1, dur, this.total, this.added, this.seriesAdded];
    for (let i = 0; i < REPORT_NAMES.length; i++) {
      try {
        this.reportRefs[i] = app.append(this.reportRefs[i]!, this.reportLabels[i]!, ts, vals[i]!);
      } catch (e) {
        if (!(e instanceof AppendError)) throw e;
      }
    }
  }

  private appendBody(app: Appender, resp: ScrapeResponse, scrapeTs: number): void {
    const p = newParser(resp.body, resp.contentType);
    // Lines whose series text is cached skip label scanning.
    const fast = p instanceof BaseParser ? p : undefined;
    if (fast) {
      fast.knownSeries = this.cache;
      fast.order = this.order;
    }
    const ord = this.orderSpare;
    const orderKeys = ord.keys;
    const orderValues = ord.values;
    let no = 0;
    const iter = ++this.iter;
    const cfg = this.cfg;
    const honorTs = cfg.honorTimestamps;
    const limit = cfg.sampleLimit;
    const cur = this.prevSpare;
    let nc = 0;
    const cache = this.cache;
    const hasExemplars = typeof app.appendExemplar === 'function';
    let metaName = '';
    let meta: MetricMetadata | undefined;
    for (;;) {
      const kind = p.next();
      if (kind === 'series') {
        this.total++;
        let e = fast?.knownEntry() as Entry | undefined;
        let okey = e === undefined ? undefined : fast!.orderKey();
        if (e === undefined) {
          const raw = p.series();
          e = cache.get(raw);
          if (e === undefined) e = this.resolve(p.labels(), raw);
          okey = e.raw === raw ? e.raw : ownString(raw);
        } else if (okey === undefined) {
          const raw = p.series();
          okey = e.raw === raw ? e.raw : ownString(raw);
        }
        orderKeys[no] = okey;
        orderValues[no++] = e;
        if (e.labels === null) {
          e.iter = iter;
          continue;
        }
        if (++this.added > limit && limit > 0) {
          this.stats.sampleLimitHits++;
          throw new ScrapeLimitError('sample limit exceeded');
        }
        let sts = scrapeTs;
        const pt = honorTs ? p.timestamp() : undefined;
        if (pt !== undefined) sts = pt;
        if (e.iter === iter) {
          // The same series twice in one scrape (e.g. after relabeling): keep the first.
          this.stats.duplicate++;
          continue;
        }
        e.iter = iter;
        let rejected = false;
        try {
          e.ref = app.append(e.ref, e.labels, sts, p.value());
        } catch (x) {
          if (!(x instanceof AppendError)) throw x;
          if (x.kind === 'out_of_order') this.stats.outOfOrder++;
          else if (x.kind === 'duplicate_sample_for_timestamp') this.stats.duplicate++;
          else if (x.kind === 'out_of_bounds') this.stats.outOfBounds++;
          else throw x;
          rejected = true;
        }
        if (!rejected && !e.appended) {
          e.appended = true;
          this.seriesAdded++;
        }
        if (hasExemplars) {
          const ex = p.exemplar();
          // As Prometheus: an exemplar without a timestamp takes its sample's; it is offered even
          // when the sample was rejected (out of order, duplicate, too old); exemplar errors (out
          // of order, too long, unknown series) never fail the scrape (the storage counts them).
          if (ex) {
            try {
              app.appendExemplar!(e.ref, e.labels, ex.ts === undefined ? { labels: ex.labels, value: ex.value, ts: sts, hasTs: false } : ex);
            } catch (x) {
              if (!(x instanceof AppendError)) throw x;
            }
          }
        }
        if (rejected) continue;
        // Series with explicit timestamps are exempt from staleness, as in Prometheus.
        if (pt === undefined) cur[nc++] = e;
      } else if (kind === 'eof') break;
      else if (kind === 'comment') continue;
      else {
        const name = p.metricName();
        if (name !== metaName) {
          this.flushMeta(app, metaName, meta);
          metaName = name;
          meta = { type: 'unknown', help: '', unit: '' };
        }
        if (kind === 'help') meta!.help = p.help();
        else if (kind === 'type') meta!.type = p.type();
        else meta!.unit = p.unit();
      }
    }
    this.flushMeta(app, metaName, meta);
    // Staleness: series of the last scrape not seen in this one.
    for (const e of this.prev) if (e.iter !== iter) this.appendStale(app, e, scrapeTs);
    if (cur.length > nc) cur.length = nc;
    if (orderKeys.length > no) (orderKeys.length = no), (orderValues.length = no);
    this.prevSpare = this.prev;
    this.prev = cur;
    this.orderSpare = this.order ?? { keys: [], values: [] };
    this.order = ord;
    if (iter % 16 === 0) this.prune(iter);
  }

  private flushMeta(app: Appender, name: string, meta: MetricMetadata | undefined): void {
    if (!meta || name === '') return;
    const seen = this.target.metadata.get(name);
    if (seen && seen.type === meta.type && seen.help === meta.help && seen.unit === meta.unit) return;
    this.target.metadata.set(name, { ...meta });
    app.updateMetadata?.(name, meta);
  }

  /** Forgets series not seen for a while so the cache tracks what the target exposes now. */
  private prune(iter: number): void {
    for (const [raw, e] of this.cache) if (iter - e.iter > 10) this.cache.delete(raw);
    for (const [k, e] of this.byKey) if (iter - e.iter > 10) this.byKey.delete(k);
    // Labels of pruned series may still sit in the pool: rebuild it from the live entries,
    // keeping their ids (live keys are made of them).
    if (this.labelIds.size > 0) {
      const pool = new Map<string, Map<string, Label>>();
      const ids = new Map<Label, number>();
      for (const e of this.byKey.values()) {
        for (const l of e.labels!) {
          let vs = pool.get(l.name);
          if (vs === undefined) pool.set(l.name, (vs = new Map()));
          vs.set(l.value, l);
          ids.set(l, this.labelIds.get(l)!);
        }
      }
      this.labelPool = pool;
      this.labelIds = ids;
    }
  }

  /** Injective key of a label set within this loop: two UTF-16 units per pooled label id. */
  private keyOf(ls: Labels): { key: string; pooled: Label[] } {
    const pooled: Label[] = new Array(ls.length);
    const codes: number[] = new Array(ls.length * 2);
    for (let i = 0; i < ls.length; i++) {
      const l = (pooled[i] = this.pooled(ls[i]!));
      const id = this.labelIds.get(l)!;
      codes[2 * i] = id >>> 16;
      codes[2 * i + 1] = id & 0xffff;
    }
    return { key: String.fromCharCode(...codes), pooled };
  }

  /** The pool's label object for name=value (strings copied flat when first pooled). */
  private pooled(l: Label): Label {
    let vs = this.labelPool.get(l.name);
    if (vs === undefined) this.labelPool.set(ownString(l.name), (vs = new Map()));
    const hit = vs.get(l.value);
    if (hit !== undefined) return hit;
    const own = { name: ownString(l.name), value: ownString(l.value) };
    vs.set(own.value, own);
    this.labelIds.set(own, this.nextLabelId++);
    return own;
  }

  /** Cache miss: target labels, honor_labels, metric relabeling, validation and limits. */
  private resolve(parsed: Labels, raw: string): Entry {
    const cfg = this.cfg;
    // Parsed labels come sorted: a repeated name is adjacent.
    for (let i = 1; i < parsed.length; i++) {
      if (parsed[i]!.name === parsed[i - 1]!.name) throw new ScrapeLimitError(`label name ${JSON.stringify(parsed[i]!.name)} is not unique: invalid sample`);
    }
    let ls: Labels | null = mutateSampleLabels(parsed, this.target, cfg.honorLabels);
    if (cfg.metricRelabelConfigs.length > 0) ls = relabel(ls, cfg.metricRelabelConfigs);
    const own = ownString(raw);
    if (ls === null) {
      const d: Entry = { raw: own, labels: null, ref: 0, iter: 0, appended: false };
      this.cache.set(own, d);
      return d;
    }
    this.validate(ls);
    const { key, pooled } = this.keyOf(ls);
    let e = this.byKey.get(key);
    if (!e) {
      e = { raw: own, labels: pooled, ref: 0, iter: 0, appended: false };
      this.byKey.set(key, e);
    }
    this.cache.set(own, e);
    return e;
  }

  private validate(ls: Labels): void {
    const cfg = this.cfg;
    let name = '';
    for (let i = 0; i < ls.length; i++) {
      const l = ls[i]!;
      if (l.name === '__name__') name = l.value;
      if (i > 0 && ls[i - 1]!.name === l.name) throw new ScrapeLimitError(`label name ${JSON.stringify(l.name)} is not unique: invalid sample`);
    }
    if (name === '') throw new ScrapeLimitError('missing metric name (__name__ label)');
    if (cfg.labelLimit > 0 && ls.length > cfg.labelLimit) {
      throw new ScrapeLimitError(`label_limit exceeded (metric: ${name.slice(0, 50)}, number of labels: ${ls.length}, limit: ${cfg.labelLimit})`);
    }
    for (const l of ls) {
      if (cfg.labelNameLengthLimit > 0 && l.name.length > cfg.labelNameLengthLimit) {
        throw new ScrapeLimitError(`label_name_length_limit exceeded (metric: ${name.slice(0, 50)}, label name: ${l.name.slice(0, 50)}, length: ${l.name.length}, limit: ${cfg.labelNameLengthLimit})`);
      }
      if (cfg.labelValueLengthLimit > 0 && l.value.length > cfg.labelValueLengthLimit) {
        throw new ScrapeLimitError(`label_value_length_limit exceeded (metric: ${name.slice(0, 50)}, label name: ${l.name.slice(0, 50)}, value: ${JSON.stringify(l.value.slice(0, 50))}, length: ${l.value.length}, limit: ${cfg.labelValueLengthLimit})`);
      }
    }
  }
}

/**
 * A flat copy of s: no reference to a larger string it was sliced from (a scrape body) and no
 * concatenation tree, so a long-lived cache key costs just its characters.
 */
function ownString(s: string): string {
  if (s.length < 13) return s.length === 0 ? '' : (' ' + s).slice(1); // short slices are copies already
  const c = Buffer.from(s, 'utf8').toString('utf8');
  return c === s ? c : (' ' + s).slice(1); // lone surrogates do not survive UTF-8
}

function sortByName(ls: Label[]): Label[] {
  return ls.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Report series: target labels win; a clashing exposed label would move to exported_<name>. */
function withTargetLabels(ls: Labels, target: Target): Labels {
  const m = new Map<string, string>();
  for (const l of ls) m.set(l.name, l.value);
  for (const l of target.publicLabels) {
    const ex = m.get(l.name);
    if (ex !== undefined && ex !== '') m.set('exported_' + l.name, ex);
    m.set(l.name, l.value);
  }
  const out: Label[] = [];
  for (const [name, value] of m) if (value !== '') out.push({ name, value });
  return sortByName(out);
}

/**
 * Attaches target labels to a scraped series. With honor_labels the exposed value wins;
 * otherwise the target's wins and the exposed one moves to exported_<name> (exported_exported_…
 * while that name is taken), as Prometheus's mutateSampleLabels does.
 */
export function mutateSampleLabels(ls: Labels, target: Target, honor: boolean): Labels {
  const tl = target.publicLabels;
  // Label objects are reused (parsed ones and the target's), not copied: one set per series.
  const m = new Map<string, Label>();
  for (const l of ls) m.set(l.name, l);
  if (honor) {
    for (const l of tl) if (!m.has(l.name)) m.set(l.name, l);
  } else {
    const conflicts: Label[] = [];
    for (const l of tl) {
      const ex = m.get(l.name);
      if (ex !== undefined && ex.value !== '') conflicts.push(ex);
      m.set(l.name, l);
    }
    if (conflicts.length > 0) {
      conflicts.sort((a, b) => a.name.length - b.name.length);
      const has = (ls2: Labels, n: string) => ls2.some((l) => l.name === n);
      for (let i = 0; i < conflicts.length; i++) {
        let n = conflicts[i]!.name;
        for (;;) {
          n = 'exported_' + n;
          if (!has(ls, n) && !has(tl, n) && !has(conflicts.slice(0, i), n)) break;
        }
        conflicts[i] = { name: n, value: conflicts[i]!.value };
      }
      for (const c of conflicts) m.set(c.name, c);
    }
  }
  const out: Label[] = [];
  for (const l of m.values()) if (l.value !== '') out.push(l);
  return sortByName(out);
}
