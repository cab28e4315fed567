// InsightManager: runs the `anomaly:` jobs like rule groups. Each tick it queries the job's
// expression, feeds every resulting series to its own detector (and threshold band), and appends
//   vigil_anomaly_score{<source labels>, detector="<name>"}       in [0,1]
//   vigil_threshold_upper{<source labels>} / vigil_threshold_lower{<source labels>}
// through an Appendable. Per-series state is saved to <dataDir>/insight/anomaly-state.json
// periodically and on stop, and restored on start when the job's detector settings are unchanged.
import { readFileSync, existsSync } from 'node:fs';
import { mkdir, open, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { labelsKey, labelsFromObject, labelsToObject, METRIC_NAME, withLabel, withoutLabels, type Labels } from '../model/labels.js';
import { matches, type Matcher } from '../model/matchers.js';
import type { Appendable, Appender } from '../storage/interface.js';
import type { Logger } from '../util/log.js';
import type { AnomalyConfig, AnomalyJob } from './config.js';
import { SEASON_MS } from './config.js';
import { createDetector, restoreDetector } from './detectors/registry.js';
import { IsolationForest, forestParams } from './detectors/iforest.js';
import type { Detector, DetectorState, Explanation } from './detectors/types.js';
import { ThresholdBand, type Band } from './thresholds.js';

export const SCORE_METRIC = 'vigil_anomaly_score';
export const UPPER_METRIC = 'vigil_threshold_upper';
export const LOWER_METRIC = 'vigil_threshold_lower';

export interface QuerySample {
  labels: Labels;
  v: number;
}
/** Instant query: the PromQL engine evaluated at tsMs (vector result; scalars as one sample). */
export type QueryFn = (expr: string, tsMs: number) => Promise<QuerySample[]>;

export interface InsightDeps {
  query: QueryFn;
  appendable: Appendable;
  /** Where anomaly-state.json lives (under <dataDir>/insight/); no persistence when absent. */
  dataDir?: string;
  logger?: Logger;
  now?: () => number;
  /** How often to save state while running (default 5m). */
  persistEveryMs?: number;
}

interface SeriesState {
  source: Labels;
  /** Output label sets, built once per series. */
  out: { score: Labels; upper: Labels; lower: Labels };
  det: Detector;
  band?: ThresholdBand;
  lastT: number;
  lastBand?: Band;
}

interface GroupState {
  labels: Labels;
  dims: string[];
  forest: IsolationForest;
  lastT: number;
  lastScore: number;
  lastX: Float64Array;
}

interface JobState {
  job: AnomalyJob;
  hash: string;
  series: Map<string, SeriesState>;
  groups: Map<string, GroupState>;
  timer?: NodeJS.Timeout;
  /** Grid time of the latest scheduled evaluation. */
  lastScheduled: number;
  running: boolean;
  lastEvalMs: number;
  lastDurationMs: number;
  lastError: string;
  /** Series (or groups) over max_series in the last evaluation. */
  dropped: number;
}

export interface ExplainItem {
  job: string;
  labels: Record<string, string>;
  timestamp: number;
  detector: string;
  observed: number;
  score: number;
  expected?: { mean: number; lo: number; hi: number };
  band?: Band;
  components?: Record<string, number>;
  /** iforest: the vector's dimensions and values. */
  dimensions?: Record<string, number>;
}

export interface JobStatus {
  name: string;
  expr: string;
  detector: string;
  intervalMs: number;
  series: number;
  lastEvaluation: number;
  lastDurationMs: number;
  lastError: string;
  /** Series not tracked in the last evaluation because of max_series. */
  droppedSeries: number;
}

const STATE_VERSION = 2;

interface SavedSeries {
  labels: Record<string, string>;
  lastT: number | null;
  det: DetectorState;
  band?: unknown;
}
interface SavedGroup {
  labels: Record<string, string>;
  dims: string[];
  lastT: number | null;
  lastScore: number;
  forest: DetectorState;
}

function jobHash(j: AnomalyJob): string {
  return JSON.stringify([j.expr, j.detector, j.params, j.groupBy, j.thresholds, j.seasonality]);
}

export class InsightManager {
  private jobs = new Map<string, JobState>();
  private persistTimer?: NodeJS.Timeout;
  private started = false;

  constructor(
    private cfg: AnomalyConfig,
    private readonly deps: InsightDeps,
  ) {
    for (const j of cfg.jobs) this.jobs.set(j.name, this.newJobState(j));
  }

  private newJobState(job: AnomalyJob): JobState {
    return { job, hash: jobHash(job), series: new Map(), groups: new Map(), lastScheduled: -Infinity, running: false, lastEvalMs: 0, lastDurationMs: 0, lastError: '', dropped: 0 };
  }

  private get statePath(): string | undefined {
    return this.deps.dataDir ? join(this.deps.dataDir, 'insight', 'anomaly-state.json') : undefined;
  }

  private now(): number {
    return this.deps.now ? this.deps.now() : Date.now();
  }

  /** Restores saved state and starts the job timers. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.loadState();
    for (const js of this.jobs.values()) this.schedule(js);
    const every = this.deps.persistEveryMs ?? 300_000;
    if (this.statePath && every > 0) {
      this.persistTimer = setInterval(() => void this.saveStateSafe(), every);
      this.persistTimer.unref();
    }
  }

  /** Stops timers and saves state. */
  async stop(): Promise<void> {
    this.started = false;
    for (const js of this.jobs.values()) clearTimeout(js.timer);
    clearInterval(this.persistTimer);
    await this.saving; // a periodic save in flight may predate the last evaluations
    await this.saveStateSafe();
  }

  /** Applies a new configuration; unchanged jobs keep their learnt state. */
  reload(cfg: AnomalyConfig): void {
    const next = new Map<string, JobState>();
    for (const j of cfg.jobs) {
      const old = this.jobs.get(j.name);
      if (old) clearTimeout(old.timer);
      const js = old && old.hash === jobHash(j) ? Object.assign(old, { job: j }) : this.newJobState(j);
      if (js === old) {
        // Output labels may have changed (job labels are not part of the state's identity).
        for (const st of js.series.values()) {
          st.out = {
            score: this.outLabels(js, st.source, SCORE_METRIC, j.detector),
            upper: this.outLabels(js, st.source, UPPER_METRIC),
            lower: this.outLabels(js, st.source, LOWER_METRIC),
          };
        }
      }
      next.set(j.name, js);
    }
    for (const [n, js] of this.jobs) if (!next.has(n)) clearTimeout(js.timer);
    this.jobs = next;
    this.cfg = cfg;
    if (this.started) for (const js of this.jobs.values()) this.schedule(js);
  }

  private schedule(js: JobState): void {
    const iv = js.job.intervalMs;
    const now = this.now();
    // Evaluate on the interval grid (like rule groups), so timestamps are regular; never the same
    // grid point twice (a timer may fire a millisecond before Date.now() reaches its target).
    let next = Math.floor(now / iv) * iv + iv;
    if (next <= js.lastScheduled) next = js.lastScheduled + iv;
    js.lastScheduled = next;
    clearTimeout(js.timer);
    const timer: NodeJS.Timeout = setTimeout(async () => {
      if (!this.started || this.jobs.get(js.job.name) !== js) return;
      if (!js.running) await this.evaluate(js.job.name, next).catch(() => {});
      // Reschedule unless a reload scheduled this job anew meanwhile (one timer chain per job).
      if (this.started && this.jobs.get(js.job.name) === js && js.timer === timer) this.schedule(js);
    }, Math.max(0, next - now));
    timer.unref?.();
    js.timer = timer;
  }

  /** Evaluates one job at tsMs (also used by tests and backfills). */
  async evaluate(jobName: string, tsMs: number): Promise<void> {
    const js = this.jobs.get(jobName);
    if (!js) throw new Error(`unknown anomaly job ${JSON.stringify(jobName)}`);
    js.running = true;
    const t0 = performance.now();
    try {
      const res = await this.deps.query(js.job.expr, tsMs);
      js.dropped = 0;
      const app = this.deps.appendable.appender();
      try {
        if (js.job.detector === 'iforest') this.evalGroups(js, res, tsMs, app);
        else this.evalSeries(js, res, tsMs, app);
        await app.commit();
      } catch (e) {
        app.rollback();
        throw e;
      }
      this.gc(js, tsMs);
      js.lastError = '';
    } catch (e) {
      js.lastError = (e as Error).message;
      this.deps.logger?.warn('anomaly job evaluation failed', { job: jobName, err: js.lastError });
    } finally {
      js.running = false;
      js.lastEvalMs = tsMs;
      js.lastDurationMs = performance.now() - t0;
    }
  }

  private outLabels(js: JobState, source: Labels, metric: string, detector?: string): Labels {
    let ls = withoutLabels(source, [METRIC_NAME]);
    for (const [k, v] of Object.entries(js.job.labels)) ls = withLabel(ls, k, v);
    if (detector) ls = withLabel(ls, 'detector', detector);
    return withLabel(ls, METRIC_NAME, metric);
  }

  private append(app: Appender, labels: Labels, t: number, v: number, job: string): void {
    try {
      app.append(0, labels, t, v);
    } catch (e) {
      this.deps.logger?.debug('anomaly output rejected', { job, err: (e as Error).message });
    }
  }

  private newSeries(js: JobState, source: Labels): SeriesState {
    const j = js.job;
    return {
      source,
      out: {
        score: this.outLabels(js, source, SCORE_METRIC, j.detector),
        upper: this.outLabels(js, source, UPPER_METRIC),
        lower: this.outLabels(js, source, LOWER_METRIC),
      },
      det: createDetector(j.detector, j.params),
      band: j.thresholds.enabled
        ? new ThresholdBand({
            windowMs: j.thresholds.windowMs,
            upperQuantile: j.thresholds.upperQuantile,
            lowerQuantile: j.thresholds.lowerQuantile,
            periodMs: j.thresholds.seasonal && j.seasonality !== 'none' ? SEASON_MS[j.seasonality] : 0,
          })
        : undefined,
      lastT: -Infinity,
    };
  }

  private evalSeries(js: JobState, res: QuerySample[], ts: number, app: Appender): void {
    for (const smp of res) {
      const key = labelsKey(smp.labels);
      let st = js.series.get(key);
      if (!st) {
        if (js.series.size >= js.job.maxSeries) {
          js.dropped++;
          continue;
        }
        st = this.newSeries(js, smp.labels);
        js.series.set(key, st);
      }
      if (ts <= st.lastT || !Number.isFinite(smp.v)) continue;
      st.lastT = ts;
      const score = st.det.update(ts, smp.v);
      this.append(app, st.out.score, ts, score, js.job.name);
      if (st.band) {
        const b = st.band.update(ts, smp.v);
        st.lastBand = b;
        if (b) {
          this.append(app, st.out.upper, ts, b.upper, js.job.name);
          this.append(app, st.out.lower, ts, b.lower, js.job.name);
        }
      }
    }
  }

  /** Multivariate: one vector per group (group_by labels); dimensions fixed when first seen. */
  private evalGroups(js: JobState, res: QuerySample[], ts: number, app: Appender): void {
    const by = new Map<string, { labels: Labels; dims: Map<string, number> }>();
    for (const smp of res) {
      const g: Record<string, string> = {};
      for (const l of smp.labels) if (js.job.groupBy.includes(l.name)) g[l.name] = l.value;
      const gl = labelsFromObject(g);
      const gk = labelsKey(gl);
      let e = by.get(gk);
      if (!e) by.set(gk, (e = { labels: gl, dims: new Map() }));
      const dimLabels = smp.labels.filter((l) => !js.job.groupBy.includes(l.name));
      e.dims.set(labelsKey(dimLabels).replace(/\xff/g, ','), smp.v);
    }
    for (const [gk, e] of by) {
      let st = js.groups.get(gk);
      if (!st) {
        if (js.groups.size >= js.job.maxSeries || e.dims.size === 0) {
          js.dropped++;
          continue;
        }
        const dims = [...e.dims.keys()].sort();
        st = { labels: e.labels, dims, forest: new IsolationForest(dims.length, forestParams(js.job.params)), lastT: -Infinity, lastScore: 0, lastX: new Float64Array(dims.length) };
        js.groups.set(gk, st);
      }
      if (ts <= st.lastT) continue;
      const x = new Float64Array(st.dims.length);
      let ok = true;
      st.dims.forEach((d, i) => {
        const v = e.dims.get(d);
        if (v === undefined || !Number.isFinite(v)) ok = false;
        else x[i] = v;
      });
      if (!ok) continue; // a dimension is missing at this instant: skip rather than guess
      st.lastT = ts;
      // IF scores sit near 0.5 for ordinary points: stretch [0.5,1] to [0,1]. (Not calibrated by
      // the likelihood: a multivariate incident shows as a modest, sustained rise that the
      // likelihood would smooth away.)
      const sc = Math.max(0, Math.min(1, (st.forest.update(ts, x) - 0.5) * 2));
      st.lastScore = sc;
      st.lastX = x;
      this.append(app, this.outLabels(js, st.labels, SCORE_METRIC, 'iforest'), ts, sc, js.job.name);
    }
  }

  private gc(js: JobState, ts: number): void {
    const cut = ts - js.job.staleAfterMs;
    for (const [k, st] of js.series) if (st.lastT < cut && st.lastT !== -Infinity) js.series.delete(k);
    for (const [k, st] of js.groups) if (st.lastT < cut && st.lastT !== -Infinity) js.groups.delete(k);
  }

  status(): JobStatus[] {
    return [...this.jobs.values()].map((js) => ({
      name: js.job.name,
      expr: js.job.expr,
      detector: js.job.detector,
      intervalMs: js.job.intervalMs,
      series: js.series.size + js.groups.size,
      lastEvaluation: js.lastEvalMs,
      lastDurationMs: js.lastDurationMs,
      lastError: js.lastError,
      droppedSeries: js.dropped,
    }));
  }

  /**
   * Explains the latest score of every series matching the selector. Matchers on
   * vigil_anomaly_score / vigil_threshold_* match the output series' labels; any other metric
   * name (or none) matches the source series.
   */
  explain(matchers: readonly Matcher[]): ExplainItem[] {
    const out: ExplainItem[] = [];
    const nameM = matchers.find((m) => m.name === METRIC_NAME && m.type === '=');
    const outMetric = nameM && [SCORE_METRIC, UPPER_METRIC, LOWER_METRIC].includes(nameM.value) ? nameM.value : undefined;
    const ok = (ls: Labels) => matchers.every((m) => matches(m, ls.find((l) => l.name === m.name)?.value ?? ''));
    for (const js of this.jobs.values()) {
      for (const st of js.series.values()) {
        const ls = outMetric ? this.outLabels(js, st.source, outMetric, outMetric === SCORE_METRIC ? js.job.detector : undefined) : st.source;
        if (st.lastT === -Infinity || !ok(ls)) continue;
        const e: Explanation = st.det.explain();
        out.push({
          job: js.job.name,
          labels: labelsToObject(st.source),
          timestamp: st.lastT,
          detector: e.detector,
          observed: e.observed,
          score: e.score,
          expected: e.expected,
          band: st.lastBand,
          components: e.components,
        });
      }
      for (const st of js.groups.values()) {
        const ls = outMetric ? this.outLabels(js, st.labels, outMetric, 'iforest') : st.labels;
        if (st.lastT === -Infinity || !ok(ls)) continue;
        const dims: Record<string, number> = {};
        st.dims.forEach((d, i) => (dims[d] = st.lastX[i]!));
        out.push({ job: js.job.name, labels: labelsToObject(st.labels), timestamp: st.lastT, detector: 'iforest', observed: NaN, score: st.lastScore, dimensions: dims });
      }
    }
    return out;
  }

  // ---- persistence ----
  // The state file is NDJSON: a header line, then one line per series (or iforest group). Saving
  // writes in chunks and yields between them, so a large state does not stall evaluations, and a
  // damaged line costs only that series on restore.

  private saveStateSafe(): Promise<void> {
    return this.saveState().catch((e) => {
      this.deps.logger?.error('saving anomaly state failed', { err: (e as Error).message });
    });
  }

  /** Writes every job's per-series state (temp file + rename, so a crash keeps the old file). */
  saveState(): Promise<void> {
    if (!this.saving) this.saving = this.writeState().finally(() => (this.saving = undefined));
    return this.saving;
  }
  private saving?: Promise<void>;

  private async writeState(): Promise<void> {
    const p = this.statePath;
    if (!p) return;
    await mkdir(join(p, '..'), { recursive: true });
    const tmp = `${p}.tmp`;
    const fh = await open(tmp, 'w');
    try {
      let buf: string[] = [JSON.stringify({ vigil_anomaly_state: STATE_VERSION, savedAt: this.now() })];
      const flush = async () => {
        await fh.write(buf.join('\n') + '\n');
        buf = [];
      };
      for (const js of [...this.jobs.values()]) {
        const head = { job: js.job.name, hash: js.hash };
        for (const st of [...js.series.values()]) {
          buf.push(JSON.stringify({ ...head, series: { labels: labelsToObject(st.source), lastT: st.lastT, det: st.det.toJSON(), band: st.band?.toJSON() } }));
          if (buf.length >= 500) await flush();
        }
        for (const g of [...js.groups.values()]) {
          buf.push(JSON.stringify({ ...head, group: { labels: labelsToObject(g.labels), dims: g.dims, lastT: g.lastT, lastScore: g.lastScore, forest: g.forest.toJSON() } }));
          if (buf.length >= 50) await flush();
        }
      }
      if (buf.length) await flush();
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, p);
  }

  /** Restores state saved by saveState; a corrupt file or line is logged and skipped. */
  loadState(): void {
    const p = this.statePath;
    if (!p || !existsSync(p)) return;
    const lines = readFileSync(p, 'utf8').split('\n');
    let header: { vigil_anomaly_state?: number } | undefined;
    try {
      header = JSON.parse(lines[0] ?? '');
    } catch {
      header = undefined;
    }
    if (!header || header.vigil_anomaly_state !== STATE_VERSION) {
      this.deps.logger?.warn('ignoring unreadable anomaly state', { file: p });
      return;
    }
    let bad = 0;
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i]!;
      if (line === '') continue;
      try {
        const r = JSON.parse(line) as { job: string; hash: string; series?: SavedSeries; group?: SavedGroup };
        const js = this.jobs.get(r.job);
        if (!js || r.hash !== js.hash) continue; // job gone or settings changed: start fresh
        if (r.series) {
          const source = labelsFromObject(r.series.labels);
          const st = this.newSeries(js, source);
          st.det = restoreDetector(r.series.det);
          if (st.band && r.series.band !== undefined) st.band.load(r.series.band);
          st.lastT = typeof r.series.lastT === 'number' ? r.series.lastT : -Infinity;
          js.series.set(labelsKey(source), st);
        } else if (r.group) {
          const g = r.group;
          const labels = labelsFromObject(g.labels);
          const forest = new IsolationForest(g.dims.length, forestParams(js.job.params));
          forest.load(g.forest.state as never);
          js.groups.set(labelsKey(labels), { labels, dims: g.dims, forest, lastT: typeof g.lastT === 'number' ? g.lastT : -Infinity, lastScore: g.lastScore ?? 0, lastX: new Float64Array(g.dims.length) });
        }
      } catch {
        bad++;
      }
    }
    if (bad) this.deps.logger?.warn('skipped unreadable anomaly state entries', { file: p, entries: bad });
  }
}
