// A rule group: rules evaluated in order at the group's interval, results appended to storage,
// staleness markers for series a rule stopped producing, alert notifications, and restoration of
// alert `for` state from ALERTS_FOR_STATE after a restart.
import { labelsKey, labelsEqual, labelsOf, type Labels } from '../model/labels.js';
import { newMatcher } from '../model/matchers.js';
import { STALE_NAN, isStaleNaN } from '../model/sample.js';
import type { Appendable, Queryable } from '../storage/interface.js';
import type { Logger } from '../util/log.js';
import { labelsXXHash } from '../promql/xxhash.js';
import { AlertingRule, type Alert } from './alerting.js';
import { RecordingRule } from './recording.js';
import type { OnAlerts, PostableAlert, QueryFunc, VectorSample } from './types.js';
import { queryEscape } from '../template/index.js';

export type Rule = AlertingRule | RecordingRule;

export interface GroupOptions {
  query: QueryFunc;
  appendable?: Appendable;
  /** Storage to read ALERTS_FOR_STATE from when restoring. */
  queryable?: Queryable;
  onAlerts?: OnAlerts;
  externalLabels: Record<string, string>;
  externalURL: string;
  resendDelayMs: number;
  outageToleranceMs: number;
  forGracePeriodMs: number;
  logger: Logger;
  /** Clock (ms); injectable for tests. */
  now: () => number;
}

export class Group {
  seriesInPreviousEval: Map<string, Labels>[];
  staleSeries: Labels[] = [];
  lastEvaluation = 0; // wall-clock ms of the last evaluation start
  evaluationTimeMs = 0;
  lastEvalTimestamp = 0;
  shouldRestore = false;
  markStale = false;
  /** Counters for self-monitoring (prometheus_rule_* equivalents). */
  readonly stats = { evaluations: 0, evaluationFailures: 0, iterationsMissed: 0, iterations: 0, lastSamples: 0 };
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private running: Promise<void> | undefined;

  constructor(
    readonly name: string,
    readonly file: string,
    readonly intervalMs: number,
    readonly limit: number,
    readonly queryOffsetMs: number,
    readonly rules: Rule[],
    readonly opts: GroupOptions,
  ) {
    this.seriesInPreviousEval = rules.map(() => new Map());
  }

  key(): string {
    return groupKey(this.file, this.name);
  }

  /** Same file, name, interval, limit, offset and rules (then a reload keeps the running group). */
  equals(o: Group): boolean {
    if (this.name !== o.name || this.file !== o.file || this.intervalMs !== o.intervalMs || this.limit !== o.limit || this.queryOffsetMs !== o.queryOffsetMs) return false;
    if (this.rules.length !== o.rules.length) return false;
    return this.rules.every((r, i) => ruleSignature(r) === ruleSignature(o.rules[i]!));
  }

  /** Prometheus's hash-based offset so groups spread over the interval. */
  evalTimestamp(startMs: number): number {
    const h = labelsXXHash(labelsOf('name', this.name, 'file', this.file));
    const intervalNs = BigInt(this.intervalMs) * 1000000n;
    const offset = h % intervalNs;
    const adj = BigInt(Math.round(startMs)) * 1000000n - offset;
    let base = adj - (adj % intervalNs);
    if (adj < 0n && adj % intervalNs !== 0n) base -= intervalNs;
    return Number((base + offset) / 1000000n);
  }

  /** Evaluates every rule once at tsMs. */
  async eval(tsMs: number): Promise<void> {
    const queryTs = tsMs - this.queryOffsetMs;
    const started = performance.now();
    this.lastEvaluation = this.opts.now();
    this.stats.iterations++;
    this.stats.lastSamples = 0;
    for (let i = 0; i < this.rules.length; i++) {
      const rule = this.rules[i]!;
      const t0 = performance.now();
      let vec: VectorSample[];
      this.stats.evaluations++;
      try {
        vec =
          rule instanceof AlertingRule
            ? await rule.eval(tsMs, queryTs, this.opts.query, this.limit, { externalLabels: this.opts.externalLabels, externalURL: this.opts.externalURL, logger: this.opts.logger })
            : await rule.eval(tsMs, queryTs, this.opts.query, this.limit);
        rule.health = 'ok';
        rule.lastError = '';
      } catch (e) {
        rule.health = 'err';
        this.stats.evaluationFailures++;
        rule.lastError = (e as Error).message;
        rule.lastEvaluation = this.opts.now();
        rule.evaluationTimeMs = performance.now() - t0;
        this.opts.logger.warn('Rule evaluation failed', { group: this.name, name: rule.name, index: i, err: (e as Error).message });
        continue;
      }
      rule.lastEvaluation = this.opts.now();
      rule.evaluationTimeMs = performance.now() - t0;
      this.stats.lastSamples += vec.length;
      if (rule instanceof AlertingRule) {
        try {
          this.sendAlerts(rule, tsMs);
        } catch (e) {
          this.opts.logger.error('Sending alerts failed', { group: this.name, name: rule.name, err: (e as Error).message });
        }
      }
      await this.appendResults(i, vec, queryTs);
    }
    await this.cleanupStaleSeries(queryTs);
    this.evaluationTimeMs = performance.now() - started;
    this.lastEvalTimestamp = tsMs;
  }

  private async appendResults(i: number, vec: VectorSample[], tsMs: number): Promise<void> {
    const returned = new Map<string, Labels>();
    const app = this.opts.appendable?.appender();
    for (const s of vec) {
      const k = labelsKey(s.labels);
      if (app) {
        try {
          if (s.h) {
            // Recording rules over native histograms record histograms (where the storage can).
            if (!app.appendHistogram) throw new Error('storage does not support native histograms');
            app.appendHistogram(0, s.labels, s.t, s.h);
          } else app.append(0, s.labels, s.t, s.v);
          returned.set(k, s.labels);
        } catch (e) {
          this.opts.logger.debug('Rule result not appended', { group: this.name, err: (e as Error).message });
        }
      } else returned.set(k, s.labels);
    }
    if (app) {
      for (const [k, ls] of this.seriesInPreviousEval[i]!) {
        if (returned.has(k)) continue;
        try {
          app.append(0, ls, tsMs, STALE_NAN);
        } catch {
          /* out of order or duplicate: nothing to mark */
        }
      }
      try {
        await app.commit();
      } catch (e) {
        this.opts.logger.warn('Rule sample appending failed', { group: this.name, err: (e as Error).message });
      }
    }
    this.seriesInPreviousEval[i] = returned;
  }

  private async cleanupStaleSeries(tsMs: number): Promise<void> {
    if (this.staleSeries.length === 0 || !this.opts.appendable) {
      this.staleSeries = [];
      return;
    }
    const app = this.opts.appendable.appender();
    for (const ls of this.staleSeries) {
      try {
        app.append(0, ls, tsMs, STALE_NAN);
      } catch {
        /* ignore */
      }
    }
    this.staleSeries = [];
    await app.commit().catch(() => undefined);
  }

  private sendAlerts(rule: AlertingRule, tsMs: number): void {
    if (!this.opts.onAlerts) return;
    const alerts = rule.alertsToSend(tsMs, this.opts.resendDelayMs, this.intervalMs);
    if (alerts.length === 0) return;
    this.opts.onAlerts(alerts.map((a) => toPostable(a, rule.expr, this.opts.externalURL, this.opts.externalLabels)), rule.expr);
  }

  /** Restores alert activeAt from ALERTS_FOR_STATE (Prometheus's RestoreForState). */
  async restoreForState(nowMs: number): Promise<void> {
    const q = this.opts.queryable;
    for (const rule of this.rules) {
      if (!(rule instanceof AlertingRule)) continue;
      if (!q || rule.holdMs < this.opts.forGracePeriodMs) {
        rule.restored = true;
        continue;
      }
      const querier = q.querier(nowMs - this.opts.outageToleranceMs, nowMs);
      try {
        for (const a of rule.active.values()) {
          const want = rule.forStateLabels(a);
          const series = await querier.select({ start: nowMs - this.opts.outageToleranceMs, end: nowMs }, want.map((l) => newMatcher('=', l.name, l.value)));
          const s = series.find((x) => labelsEqual(x.labels, want));
          if (!s) continue;
          const { t, v } = s.samples();
          if (t.length === 0) continue;
          const lastT = t[t.length - 1]!, lastV = v[v.length - 1]!;
          if (isStaleNaN(lastV)) continue;
          const downAt = Math.floor(lastT / 1000) * 1000;
          let activeAt = Math.trunc(lastV) * 1000;
          const spent = downAt - activeAt;
          const remaining = rule.holdMs - spent;
          if (remaining <= 0) {
            /* was firing: the next evaluation fires it again if still true */
          } else if (remaining < this.opts.forGracePeriodMs) {
            activeAt = nowMs - rule.holdMs + this.opts.forGracePeriodMs;
          } else {
            activeAt += nowMs - downAt;
          }
          a.activeAt = activeAt;
        }
      } catch (e) {
        this.opts.logger.error('Failed to restore for state', { group: this.name, alert: rule.name, err: (e as Error).message });
      } finally {
        querier.close();
      }
      rule.restored = true;
    }
  }

  /** Starts periodic evaluation aligned like Prometheus; the first run restores state if asked. */
  start(): void {
    this.stopped = false;
    let next = this.evalTimestamp(this.opts.now()) + this.intervalMs;
    let evals = 0;
    const loop = () => {
      if (this.stopped) return;
      const now = this.opts.now();
      if (now >= next) {
        const missed = Math.floor((now - next) / this.intervalMs);
        this.stats.iterationsMissed += missed;
        const ts = next + missed * this.intervalMs;
        next = ts + this.intervalMs;
        this.running = (async () => {
          await this.eval(ts);
          evals++;
          if (this.shouldRestore && evals === 2) {
            await this.restoreForState(this.opts.now());
            this.shouldRestore = false;
          }
        })().catch((e) => this.opts.logger.error('Group evaluation failed', { group: this.name, err: (e as Error).message }));
        void this.running.then(() => this.schedule(loop, next));
        return;
      }
      this.schedule(loop, next);
    };
    this.schedule(loop, next);
  }

  private schedule(fn: () => void, atMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(fn, Math.max(0, atMs - this.opts.now()));
    this.timer.unref?.();
  }

  /** Stops evaluation; with markStale, the group's series get staleness markers 2 intervals later. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
    if (!this.markStale) return;
    const now = this.opts.now();
    for (const m of this.seriesInPreviousEval) for (const ls of m.values()) this.staleSeries.push(ls);
    this.seriesInPreviousEval = this.rules.map(() => new Map());
    const t = setTimeout(() => void this.cleanupStaleSeries(now), 2 * this.intervalMs);
    t.unref?.();
  }

  /** Moves alert state and staleness tracking over from the group this one replaces. */
  copyState(from: Group): void {
    this.evaluationTimeMs = from.evaluationTimeMs;
    this.lastEvaluation = from.lastEvaluation;
    this.lastEvalTimestamp = from.lastEvalTimestamp;
    const ruleMap = new Map<string, number[]>();
    from.rules.forEach((r, i) => {
      const k = r.identity();
      ruleMap.set(k, [...(ruleMap.get(k) ?? []), i]);
    });
    this.rules.forEach((r, i) => {
      const k = r.identity();
      const idx = ruleMap.get(k);
      if (!idx || idx.length === 0) return;
      const fi = idx[0]!;
      ruleMap.set(k, idx.slice(1));
      this.seriesInPreviousEval[i] = from.seriesInPreviousEval[fi]!;
      const fr = from.rules[fi]!;
      if (r instanceof AlertingRule && fr instanceof AlertingRule) {
        for (const [fp, a] of fr.active) r.active.set(fp, a);
        r.restored = r.restored || fr.restored;
      }
    });
    this.staleSeries = [...from.staleSeries];
    for (const [k, idx] of ruleMap) {
      void k;
      for (const fi of idx) for (const ls of from.seriesInPreviousEval[fi]!.values()) this.staleSeries.push(ls);
    }
  }
}

export function groupKey(file: string, name: string): string {
  return `${file};${name}`;
}

function ruleSignature(r: Rule): string {
  if (r instanceof AlertingRule) return JSON.stringify(['alert', r.name, r.expr, r.holdMs, r.keepFiringForMs, r.labels, r.annotations]);
  return JSON.stringify(['record', r.name, r.expr, r.labels]);
}

/** Prometheus's table link for an expression, used as generatorURL. */
export function tableLink(expr: string): string {
  return `/graph?g0.expr=${queryEscape(expr)}&g0.tab=1`;
}

/** Converts an alert to Alertmanager's postable shape (external labels added where missing). */
export function toPostable(a: Alert, expr: string, externalURL: string, externalLabels: Record<string, string>): PostableAlert {
  const labels: Record<string, string> = {};
  for (const l of a.labels) labels[l.name] = l.value;
  for (const [k, v] of Object.entries(externalLabels)) if (!labels[k] && v !== '') labels[k] = v;
  const annotations: Record<string, string> = {};
  for (const l of a.annotations) annotations[l.name] = l.value;
  return {
    labels,
    annotations,
    startsAt: new Date(a.firedAt).toISOString(),
    endsAt: new Date(a.resolvedAt !== 0 ? a.resolvedAt : a.validUntil).toISOString(),
    generatorURL: externalURL.replace(/\/$/, '') + tableLink(expr),
  };
}
