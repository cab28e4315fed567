// The PromQL engine: parses, selects series through a Querier (async), then evaluates the
// expression synchronously over a precomputed step grid with typed arrays.
import { METRIC_NAME, compareLabels, labelsKey, type Labels } from '../model/labels.js';
import { isStaleNaN } from '../model/sample.js';
import type { FloatHistogram } from '../model/histogram.js';
import { histSampleSize, mergeHistograms, unknownHint } from './nhvalue.js';
import { detectHintsOnTheFly, statsOnlySelectors } from './nhstats.js';
import { smoothHistSeries } from './nhextended.js';
import { mergeStartTimestamps } from './startts.js';
import type { Queryable, Querier } from '../storage/interface.js';
import { exprType, type Call, type Expr, type SubqueryExpr, type VectorSelector, type MatrixSelector, type DurationExpr } from './ast.js';
import { Annotations } from './annotations.js';
import { evalAggregate } from './aggregations.js';
import { evalBinary } from './binops.js';
import { ERR_TOO_MANY_SAMPLES, QueryError } from './errors.js';
import { evalCall } from './functions.js';
import { infoMatchers, refTime } from './info.js';
import { evalDurationSeconds, parseExpr } from './parser.js';
import type { GridMatrix, GridScalar, GridSeries, GridValue, GridVector, MatrixSeries, QueryResult, RangeSeries, Sample, Value } from './value.js';

export interface EngineOptions {
  /** How far back a vector selector looks for a sample (default 5m). */
  lookbackDeltaMs?: number;
  /** Query timeout (default 2m). */
  timeoutMs?: number;
  /** Max samples a query may hold in memory (default 50,000,000). */
  maxSamples?: number;
  /** Default subquery step when `[range:]` gives none (default 1m). */
  noStepSubqueryIntervalMs?: number;
  /** Max points per series for range queries (default 11,000). */
  maxPointsPerSeries?: number;
}

export interface QueryOptions {
  signal?: AbortSignal;
  lookbackDeltaMs?: number;
  /** Per-query timeout; the engine's timeout still caps it. */
  timeoutMs?: number;
}

interface RawSeries {
  labels: Labels;
  t: Float64Array;
  v: Float64Array;
  /** Native histogram points parallel to t (absent when the series has none). */
  h?: (FloatHistogram | undefined)[];
  /** Start timestamps parallel to t (0 = unknown); absent when the storage has none. */
  st?: Float64Array;
  /** Same without staleness markers (for range selectors); lazily built. */
  clean?: { t: Float64Array; v: Float64Array; h?: (FloatHistogram | undefined)[]; st?: Float64Array };
}

/** Per-query state shared by nested evaluators (subqueries). */
export interface QueryCtx {
  query: string;
  data: Map<VectorSelector, RawSeries[]>;
  lookbackMs: number;
  annotations: Annotations;
  maxSamples: number;
  deadline: number;
  signal?: AbortSignal;
  startMs: number;
  endMs: number;
  stepMs: number;
  noStepSubqueryIntervalMs: number;
  checks: number;
  isRange: boolean;
  /** Synthetic selectors for the info series of each info() call. */
  infoSelectors: Map<Call, VectorSelector>;
}

export class Engine {
  readonly lookbackDeltaMs: number;
  readonly timeoutMs: number;
  readonly maxSamples: number;
  readonly noStepSubqueryIntervalMs: number;
  readonly maxPointsPerSeries: number;

  constructor(opts: EngineOptions = {}) {
    this.lookbackDeltaMs = opts.lookbackDeltaMs ?? 5 * 60e3;
    this.timeoutMs = opts.timeoutMs ?? 2 * 60e3;
    this.maxSamples = opts.maxSamples ?? 50_000_000;
    this.noStepSubqueryIntervalMs = opts.noStepSubqueryIntervalMs ?? 60e3;
    this.maxPointsPerSeries = opts.maxPointsPerSeries ?? 11000;
  }

  async instantQuery(queryable: Queryable, expr: string | Expr, timeMs: number, opts: QueryOptions = {}): Promise<QueryResult> {
    return this.exec(queryable, expr, timeMs, timeMs, 0, false, opts);
  }

  async rangeQuery(queryable: Queryable, expr: string | Expr, startMs: number, endMs: number, stepMs: number, opts: QueryOptions = {}): Promise<QueryResult> {
    if (!(stepMs > 0)) throw new QueryError('bad_data', 'zero or negative query resolution step widths are not accepted. Try a positive integer');
    if (endMs < startMs) throw new QueryError('bad_data', 'end timestamp must not be before start time');
    if ((endMs - startMs) / stepMs > this.maxPointsPerSeries) {
      throw new QueryError('bad_data', 'exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)');
    }
    return this.exec(queryable, expr, startMs, endMs, stepMs, true, opts);
  }

  private async exec(queryable: Queryable, exprIn: string | Expr, startMs: number, endMs: number, stepMs: number, isRange: boolean, opts: QueryOptions): Promise<QueryResult> {
    const query = typeof exprIn === 'string' ? exprIn : '';
    // A caller's AST is copied: preparation resolves @/durations in place, and concurrent
    // queries may share the same parsed expression.
    const expr = typeof exprIn === 'string' ? parseExpr(exprIn) : structuredClone(exprIn);
    const et = exprType(expr);
    if (isRange && et !== 'scalar' && et !== 'vector') {
      throw new QueryError('bad_data', `invalid expression type "${et === 'matrix' ? 'range vector' : et}" for range query, must be Scalar or instant Vector`);
    }
    const ctx: QueryCtx = {
      query,
      data: new Map(),
      lookbackMs: opts.lookbackDeltaMs ?? this.lookbackDeltaMs,
      annotations: new Annotations(query),
      maxSamples: this.maxSamples,
      deadline: Date.now() + Math.min(this.timeoutMs, opts.timeoutMs ?? Infinity),
      signal: opts.signal,
      startMs, endMs, stepMs,
      noStepSubqueryIntervalMs: this.noStepSubqueryIntervalMs,
      checks: 0,
      isRange,
      infoSelectors: new Map(),
    };
    prepare(expr, ctx, isRange);
    // Work out the time range every selector needs, then select them all.
    const needs: { vs: VectorSelector; mint: number; maxt: number; func?: string }[] = [];
    collectSelectors(expr, startMs, endMs, ctx, needs, undefined);
    if (needs.length) {
      let mint = Infinity, maxt = -Infinity;
      for (const n of needs) { mint = Math.min(mint, n.mint); maxt = Math.max(maxt, n.maxt); }
      const querier: Querier = queryable.querier(mint, maxt);
      try {
        const results = await Promise.all(needs.map((n) => querier.select({ start: n.mint, end: n.maxt, step: stepMs || undefined, func: n.func }, n.vs.matchers)));
        checkCancel(ctx);
        const statsOnly = statsOnlySelectors(expr);
        for (let k = 0; k < needs.length; k++) {
          const n = needs[k]!;
          const decoded: RawSeries[] = results[k]!.map((s) => {
            const sa = s.samples();
            const hs = s.histograms?.();
            const fst = s.startTimestamps?.();
            if (hs && hs.t.length) {
              const m = mergeHistograms(sa, hs);
              if (statsOnly.has(n.vs)) m.h = detectHintsOnTheFly(m.h);
              const st = mergeStartTimestamps(sa.t, fst, hs.t, hs.st, m.t.length);
              return st ? { labels: s.labels, ...m, st } : { labels: s.labels, ...m };
            }
            return fst ? { labels: s.labels, t: sa.t, v: sa.v, st: fst } : { labels: s.labels, t: sa.t, v: sa.v };
          });
          ctx.data.set(n.vs, decoded);
        }
      } finally {
        querier.close();
      }
    }
    checkCancel(ctx);
    const n = isRange ? Math.floor((endMs - startMs) / stepMs) + 1 : 1;
    const ts = new Float64Array(n);
    for (let i = 0; i < n; i++) ts[i] = startMs + i * stepMs;
    const ev = new Evaluator(ctx, ts);
    let value: Value;
    if (!isRange && (et === 'matrix')) {
      value = ev.evalMatrixResult(expr);
    } else {
      const gv = ev.eval(expr);
      value = toValue(gv, ts, isRange);
    }
    return { value, warnings: [...ctx.annotations.warnings], infos: [...ctx.annotations.infos] };
  }
}

export function checkCancel(ctx: QueryCtx): void {
  if (ctx.signal?.aborted) throw new QueryError('canceled', 'query was canceled in query execution');
  if (Date.now() > ctx.deadline) throw new QueryError('timeout', 'query timed out in query execution');
}

function resolveDuration(d: DurationExpr | null, ctx: QueryCtx, isRange: boolean): number {
  if (!d) return 0;
  if (d.kind === 'const') return d.ms;
  const sec = evalDurationSeconds(d.expr, isRange ? ctx.stepMs : 0, isRange ? ctx.endMs - ctx.startMs : 0);
  return Math.round(sec * 1000);
}

/** Resolves @ start()/end() and duration expressions on every node. */
function prepare(e: Expr, ctx: QueryCtx, isRange: boolean): void {
  const at = (mod: 'start' | 'end' | null, cur: number | null) => (mod === 'start' ? ctx.startMs : mod === 'end' ? ctx.endMs : cur);
  switch (e.type) {
    case 'VectorSelector':
      e.at = at(e.atMod, e.at);
      e.offsetMs = resolveDuration(e.offset, ctx, isRange);
      return;
    case 'MatrixSelector':
      prepare(e.vs, ctx, isRange);
      e.rangeMs = resolveDuration(e.range, ctx, isRange);
      if (!(e.rangeMs > 0)) throw new QueryError('bad_data', `range must be greater than 0`);
      return;
    case 'SubqueryExpr':
      prepare(e.expr, ctx, isRange);
      e.at = at(e.atMod, e.at);
      e.offsetMs = resolveDuration(e.offset, ctx, isRange);
      e.rangeMs = resolveDuration(e.range, ctx, isRange);
      e.stepMs = e.step ? resolveDuration(e.step, ctx, isRange) : ctx.noStepSubqueryIntervalMs;
      if (!(e.stepMs > 0)) throw new QueryError('bad_data', 'zero or negative subquery step');
      return;
    case 'Call': {
      e.args.forEach((a) => prepare(a, ctx, isRange));
      for (const a of e.args) {
        const u = a.type === 'ParenExpr' ? a.expr : a;
        if (u.type !== 'MatrixSelector') continue;
        if (u.smoothed && !['delta', 'increase', 'rate'].includes(e.func)) throw new QueryError('execution', `smoothed modifier can only be used with: delta, increase, rate - not with ${e.func}`);
        if (u.anchored && !['changes', 'delta', 'increase', 'rate', 'resets'].includes(e.func)) throw new QueryError('execution', `anchored modifier can only be used with: changes, delta, increase, rate, resets - not with ${e.func}`);
      }
      return;
    }
    case 'AggregateExpr': prepare(e.expr, ctx, isRange); if (e.param) prepare(e.param, ctx, isRange); return;
    case 'BinaryExpr': prepare(e.lhs, ctx, isRange); prepare(e.rhs, ctx, isRange); return;
    case 'UnaryExpr': case 'ParenExpr': prepare(e.expr, ctx, isRange); return;
    default: return;
  }
}

function collectSelectors(e: Expr, start: number, end: number, ctx: QueryCtx, out: { vs: VectorSelector; mint: number; maxt: number; func?: string }[], func: string | undefined, rangeMs = 0, aheadMs = 0): void {
  switch (e.type) {
    case 'VectorSelector': {
      const off = e.offsetMs ?? 0;
      const s = e.at !== null ? e.at : start, en = e.at !== null ? e.at : end;
      const back = rangeMs > 0 ? rangeMs : ctx.lookbackMs;
      const ahead = aheadMs || (e.smoothed ? ctx.lookbackMs : 0);
      const mint = s - off - back + 1, maxt = en - off + ahead;
      const prev = out.find((x) => x.vs === e);
      if (prev) { prev.mint = Math.min(prev.mint, mint); prev.maxt = Math.max(prev.maxt, maxt); }
      else out.push({ vs: e, mint, maxt, func });
      return;
    }
    case 'MatrixSelector':
      // Extended (anchored/smoothed) ranges also need samples a lookback delta around the range.
      if (e.anchored || e.smoothed) collectSelectors(e.vs, start, end, ctx, out, func, e.rangeMs! + ctx.lookbackMs, e.smoothed ? ctx.lookbackMs : 0);
      else collectSelectors(e.vs, start, end, ctx, out, func, e.rangeMs);
      return;
    case 'SubqueryExpr': {
      const off = e.offsetMs ?? 0;
      const s = e.at !== null ? e.at : start, en = e.at !== null ? e.at : end;
      collectSelectors(e.expr, s - off - e.rangeMs!, en - off, ctx, out, undefined);
      return;
    }
    case 'Call': {
      if (e.func === 'info') {
        collectSelectors(e.args[0]!, start, end, ctx, out, e.func);
        // Info series are read at the base expression's reference times.
        const { name, data } = infoMatchers(e);
        const r1 = refTime(e.args[0]!, start), r2 = refTime(e.args[0]!, end);
        const vs: VectorSelector = { type: 'VectorSelector', name: '', matchers: [...name, ...data], offset: null, at: null, atMod: null, start: 0, end: 0 };
        ctx.infoSelectors.set(e, vs);
        out.push({ vs, mint: Math.min(r1, r2) - ctx.lookbackMs + 1, maxt: Math.max(r1, r2), func: 'info' });
        return;
      }
      e.args.forEach((a) => collectSelectors(a, start, end, ctx, out, e.func));
      return;
    }
    case 'AggregateExpr': collectSelectors(e.expr, start, end, ctx, out, undefined); if (e.param) collectSelectors(e.param, start, end, ctx, out, undefined); return;
    case 'BinaryExpr': collectSelectors(e.lhs, start, end, ctx, out, undefined); collectSelectors(e.rhs, start, end, ctx, out, undefined); return;
    case 'UnaryExpr': case 'ParenExpr': collectSelectors(e.expr, start, end, ctx, out, func); return;
    default: return;
  }
}

export class Evaluator {
  readonly n: number;
  constructor(
    readonly ctx: QueryCtx,
    readonly ts: Float64Array,
  ) {
    this.n = ts.length;
  }

  scalar(val: number): GridScalar {
    const v = new Float64Array(this.n);
    v.fill(val);
    return { kind: 'scalar', v };
  }

  eval(e: Expr): GridValue {
    if ((++this.ctx.checks & 63) === 0) checkCancel(this.ctx);
    switch (e.type) {
      case 'NumberLiteral': return this.scalar(e.val);
      case 'StringLiteral': return { kind: 'string', s: e.val };
      case 'ParenExpr': return this.eval(e.expr);
      case 'VectorSelector': return this.countVec(this.evalVectorSelector(e, false));
      case 'MatrixSelector': return this.evalMatrixSelector(e);
      case 'SubqueryExpr': return this.evalSubquery(e);
      case 'UnaryExpr': {
        const v = this.eval(e.expr);
        if (e.op === '+') return v;
        if (v.kind === 'scalar') {
          const out = new Float64Array(this.n);
          for (let i = 0; i < this.n; i++) out[i] = -v.v[i]!;
          return { kind: 'scalar', v: out };
        }
        if (v.kind !== 'vector') throw new QueryError('execution', 'unary expression only allowed on expressions of type scalar or instant vector');
        return {
          kind: 'vector',
          series: v.series.map((s) => {
            const out = new Float64Array(this.n);
            for (let i = 0; i < this.n; i++) out[i] = -s.v[i]!;
            const h = s.h?.map((x) => x?.copy().mul(-1));
            return { labels: s.labels, v: out, has: s.has, dropName: true, h };
          }),
        };
      }
      case 'BinaryExpr': return this.countVec(evalBinary(this, e));
      case 'AggregateExpr': return this.countVec(evalAggregate(this, e));
      case 'Call': return this.countVec(evalCall(this, e));
      case 'DurationFunc': {
        const c = this.ctx;
        const v = e.func === 'step' ? c.stepMs : e.func === 'range' ? c.endMs - c.startMs : e.func === 'start' ? c.startMs : c.endMs;
        return this.scalar(v / 1000);
      }
    }
  }

  /** Enforces the max-samples limit on a node's output. */
  countVec(v: GridValue): GridValue {
    if (v.kind === 'vector') {
      let total = 0;
      for (const s of v.series) {
        for (let i = 0; i < this.n; i++) total += s.has[i]!;
        if (s.h) for (let i = 0; i < this.n; i++) if (s.h[i]) total += histSampleSize(s.h[i]!) - 1;
      }
      if (total > this.ctx.maxSamples) throw new QueryError('execution', ERR_TOO_MANY_SAMPLES);
    }
    return v;
  }

  evalVector(e: Expr): GridVector {
    const v = this.eval(e);
    if (v.kind !== 'vector') throw new QueryError('execution', `expected instant vector, got ${v.kind}`);
    return v;
  }

  evalScalar(e: Expr): GridScalar {
    const v = this.eval(e);
    if (v.kind !== 'scalar') throw new QueryError('execution', `expected scalar, got ${v.kind}`);
    return v;
  }

  /**
   * Evaluates a selector on the step grid. `withTs` also records, per step, the chosen sample's
   * timestamp in `ts` (timestamp()), or with `startTs` its start timestamp (start_timestamp()).
   */
  evalVectorSelector(vs: VectorSelector, withTs: boolean, startTs = false): GridVector {
    const raw = this.ctx.data.get(vs) ?? [];
    const n = this.n, ts = this.ts, lb = this.ctx.lookbackMs, off = vs.offsetMs ?? 0;
    // The step grid is dense: refuse before allocating far more than the sample limit allows.
    if (n * raw.length > 2 * this.ctx.maxSamples + 1e6) throw new QueryError('execution', ERR_TOO_MANY_SAMPLES);
    const out: GridSeries[] = [];
    let count = 0;
    for (const r of raw) {
      if ((++count & 255) === 0) checkCancel(this.ctx);
      if (vs.smoothed && r.h) {
        const s = smoothHistSeries(r.labels, r.t, r.v, r.h, (i) => (vs.at !== null ? vs.at : ts[i]!) - off, n, lb, this.ctx.annotations, vs);
        if (s) out.push(s);
        continue;
      }
      const v = new Float64Array(n), has = new Uint8Array(n);
      const sts = withTs ? new Float64Array(n) : undefined;
      const t = r.t, rv = r.v, len = t.length, rh = r.h;
      // start_timestamp(): report start timestamps (0 when unknown) instead of sample times.
      const tsOf = startTs ? (r.st ?? new Float64Array(len)) : t;
      const oh: (FloatHistogram | undefined)[] | undefined = rh ? new Array(n) : undefined;
      let j = 0, any = false;
      if (vs.smoothed) {
        for (let i = 0; i < n; i++) {
          const T = (vs.at !== null ? vs.at : ts[i]!) - off;
          let k = -1;
          // Binary search: last sample at or before T.
          let a = 0, b = len;
          while (a < b) { const mid = (a + b) >> 1; if (t[mid]! <= T) a = mid + 1; else b = mid; }
          k = a - 1;
          if (k < 0 || t[k]! <= T - lb || (!rh?.[k] && isStaleNaN(rv[k]!))) continue;
          if (rh?.[k]) { oh![i] = rh[k]; has[i] = 1; if (sts) sts[i] = startTs ? tsOf[k]! : T; any = true; continue; }
          let x = rv[k]!;
          if (t[k]! < T && k + 1 < len && t[k + 1]! <= T + lb && !isStaleNaN(rv[k + 1]!)) {
            x = x + ((rv[k + 1]! - x) * (T - t[k]!)) / (t[k + 1]! - t[k]!);
          }
          v[i] = x;
          has[i] = 1;
          if (sts) sts[i] = startTs ? tsOf[k]! : T;
          any = true;
        }
      } else if (vs.at !== null) {
        const T = vs.at - off;
        while (j < len && t[j]! <= T) j++;
        const k = j - 1;
        if (k >= 0 && t[k]! > T - lb && (rh?.[k] !== undefined || !isStaleNaN(rv[k]!))) {
          if (rh?.[k]) oh!.fill(rh[k]);
          v.fill(rv[k]!);
          has.fill(1);
          if (sts) sts.fill(tsOf[k]!);
          any = true;
        }
      } else {
        for (let i = 0; i < n; i++) {
          const T = ts[i]! - off;
          while (j < len && t[j]! <= T) j++;
          const k = j - 1;
          if (k >= 0 && t[k]! > T - lb) {
            const x = rv[k]!;
            if (rh?.[k]) {
              oh![i] = rh[k];
              has[i] = 1;
              if (sts) sts[i] = tsOf[k]!;
              any = true;
            } else if (x === x || !isStaleNaN(x)) {
              v[i] = x;
              has[i] = 1;
              if (sts) sts[i] = tsOf[k]!;
              any = true;
            }
          }
        }
      }
      if (any) out.push(oh ? { labels: r.labels, v, has, dropName: false, ts: sts, h: oh } : { labels: r.labels, v, has, dropName: false, ts: sts });
    }
    return { kind: 'vector', series: out };
  }

  /** Window ends per step for a selector/subquery with @ and offset. */
  windowEnds(at: number | null, offsetMs: number): Float64Array {
    const w = new Float64Array(this.n);
    for (let i = 0; i < this.n; i++) w[i] = (at !== null ? at : this.ts[i]!) - offsetMs;
    return w;
  }

  evalMatrixSelector(ms: MatrixSelector): GridMatrix {
    const raw = this.ctx.data.get(ms.vs) ?? [];
    const series: RangeSeries[] = raw.map((r) => {
      if (!r.clean) r.clean = dropStale(r.t, r.v, r.h, r.st);
      const c = r.clean;
      const rs: RangeSeries = c.h ? { labels: r.labels, t: c.t, v: c.v, dropName: false, h: c.h } : { labels: r.labels, t: c.t, v: c.v, dropName: false };
      if (c.st) rs.st = c.st;
      return rs;
    });
    return { kind: 'matrix', series, winEnd: this.windowEnds(ms.vs.at, ms.vs.offsetMs ?? 0), rangeMs: ms.rangeMs!, offsetMs: ms.vs.offsetMs ?? 0 };
  }

  evalSubquery(sq: SubqueryExpr): GridMatrix {
    const winEnd = this.windowEnds(sq.at, sq.offsetMs ?? 0);
    const range = sq.rangeMs!, step = sq.stepMs!;
    // Inner steps: the step-aligned points of every outer window (start exclusive), merged.
    // Windows that do not overlap leave gaps, so large outer steps stay cheap.
    const firstIn = (end: number) => {
      let f = Math.floor((end - range) / step) * step;
      if (f <= end - range) f += step;
      return f;
    };
    let cnt = 0, last = -Infinity;
    for (let i = 0; i < this.n; i++) {
      const end = winEnd[i]!;
      const f = Math.max(firstIn(end), last + step);
      if (end >= f) {
        cnt += Math.floor((end - f) / step) + 1;
        last = f + Math.floor((end - f) / step) * step;
      }
    }
    if (cnt > 2 * this.ctx.maxSamples + 1e6) throw new QueryError('execution', ERR_TOO_MANY_SAMPLES);
    const its = new Float64Array(cnt);
    let k = 0;
    last = -Infinity;
    for (let i = 0; i < this.n; i++) {
      const end = winEnd[i]!;
      for (let t = Math.max(firstIn(end), last + step); t <= end; t += step) {
        its[k++] = t;
        last = t;
      }
    }
    const series: RangeSeries[] = [];
    if (cnt > 0) {
      const child = new Evaluator(this.ctx, its);
      const v = child.eval(sq.expr);
      if (v.kind !== 'vector') throw new QueryError('execution', 'subquery is only allowed on instant vector');
      for (const s of v.series) {
        let c = 0;
        for (let i = 0; i < cnt; i++) c += s.has[i]!;
        const t = new Float64Array(c), vv = new Float64Array(c);
        const hh: (FloatHistogram | undefined)[] | undefined = s.h ? new Array(c) : undefined;
        let k = 0;
        for (let i = 0; i < cnt; i++) if (s.has[i]) { if (hh) hh[k] = unknownHint(s.h![i]); t[k] = its[i]!; vv[k++] = s.v[i]!; }
        series.push(hh ? { labels: s.labels, t, v: vv, dropName: s.dropName, h: hh } : { labels: s.labels, t, v: vv, dropName: s.dropName });
      }
    }
    return { kind: 'matrix', series, winEnd, rangeMs: range, offsetMs: sq.offsetMs ?? 0 };
  }

  /** Instant query whose result is a range vector: the raw points in each window. */
  evalMatrixResult(e: Expr): Value {
    const m = this.eval(e);
    if (m.kind !== 'matrix') throw new QueryError('execution', 'expected range vector');
    const end = m.winEnd[0]!, start = end - m.rangeMs;
    const out: MatrixSeries[] = [];
    let total = 0;
    for (const s of m.series) {
      let lo = 0;
      while (lo < s.t.length && s.t[lo]! <= start) lo++;
      let hi = lo;
      while (hi < s.t.length && s.t[hi]! <= end) hi++;
      if (hi > lo) {
        out.push(s.h ? { labels: s.labels, t: s.t.slice(lo, hi), v: s.v.slice(lo, hi), h: s.h.slice(lo, hi) } : { labels: s.labels, t: s.t.slice(lo, hi), v: s.v.slice(lo, hi) });
        total += hi - lo;
      }
    }
    if (total > this.ctx.maxSamples) throw new QueryError('execution', ERR_TOO_MANY_SAMPLES);
    checkDuplicates(out.map((s) => s.labels));
    return { type: 'matrix', series: out };
  }
}

function dropStale(t: Float64Array, v: Float64Array, h?: (FloatHistogram | undefined)[], st?: Float64Array): { t: Float64Array; v: Float64Array; h?: (FloatHistogram | undefined)[]; st?: Float64Array } {
  let stale = 0;
  for (let i = 0; i < v.length; i++) if (!h?.[i] && isStaleNaN(v[i]!)) stale++;
  if (!stale) return st ? (h ? { t, v, h, st } : { t, v, st }) : h ? { t, v, h } : { t, v };
  const nt = new Float64Array(t.length - stale), nv = new Float64Array(t.length - stale);
  const nh: (FloatHistogram | undefined)[] | undefined = h ? new Array(t.length - stale) : undefined;
  const nst = st ? new Float64Array(t.length - stale) : undefined;
  let k = 0;
  for (let i = 0; i < v.length; i++) if (h?.[i] || !isStaleNaN(v[i]!)) { if (nh) nh[k] = h![i]; if (nst) nst[k] = st![i]!; nt[k] = t[i]!; nv[k++] = v[i]!; }
  const out: { t: Float64Array; v: Float64Array; h?: (FloatHistogram | undefined)[]; st?: Float64Array } = nh ? { t: nt, v: nv, h: nh } : { t: nt, v: nv };
  if (nst) out.st = nst;
  return out;
}

export function dropMetricName(ls: Labels): Labels {
  return ls.filter((l) => l.name !== METRIC_NAME && l.name !== '__type__' && l.name !== '__unit__');
}

function checkDuplicates(list: Labels[]): void {
  const seen = new Set<string>();
  for (const l of list) {
    const k = labelsKey(l);
    if (seen.has(k)) throw new QueryError('execution', 'vector cannot contain metrics with the same labelset');
    seen.add(k);
  }
}

function toValue(gv: GridValue, ts: Float64Array, isRange: boolean): Value {
  const n = ts.length;
  if (gv.kind === 'string') return { type: 'string', t: ts[0]!, v: gv.s };
  if (gv.kind === 'matrix') throw new QueryError('execution', 'unexpected range vector');
  if (gv.kind === 'scalar') {
    if (!isRange) return { type: 'scalar', t: ts[0]!, v: gv.v[0]! };
    return { type: 'matrix', series: [{ labels: [], t: ts.slice(), v: gv.v.slice() }] };
  }
  const labels = gv.series.map((s) => (s.dropName ? dropMetricName(s.labels) : s.labels));
  if (!isRange) {
    const samples: Sample[] = [];
    const present: Labels[] = [];
    gv.series.forEach((s, k) => {
      if (s.has[0]) {
        const h = s.h?.[0];
        samples.push(h ? { labels: labels[k]!, t: ts[0]!, v: 0, h } : { labels: labels[k]!, t: ts[0]!, v: s.v[0]! });
        present.push(labels[k]!);
      }
    });
    checkDuplicates(present);
    return { type: 'vector', samples };
  }
  // Series whose names were dropped may now share labels: merge them unless they overlap in time.
  const byKey = new Map<string, { labels: Labels; v: Float64Array; has: Uint8Array; h?: (FloatHistogram | undefined)[] }>();
  gv.series.forEach((s, k) => {
    const key = labelsKey(labels[k]!);
    const prev = byKey.get(key);
    if (!prev) {
      byKey.set(key, { labels: labels[k]!, v: s.v, has: s.has, h: s.h });
      return;
    }
    const v = new Float64Array(prev.v), has = new Uint8Array(prev.has);
    const h = prev.h || s.h ? (prev.h ? prev.h.slice() : new Array<FloatHistogram | undefined>(n)) : undefined;
    for (let i = 0; i < n; i++) {
      if (!s.has[i]) continue;
      if (has[i]) throw new QueryError('execution', 'vector cannot contain metrics with the same labelset');
      has[i] = 1;
      v[i] = s.v[i]!;
      if (h) h[i] = s.h?.[i];
    }
    byKey.set(key, { labels: prev.labels, v, has, h });
  });
  const series: MatrixSeries[] = [];
  for (const s of byKey.values()) {
    let c = 0;
    for (let i = 0; i < n; i++) c += s.has[i]!;
    if (!c) continue;
    const t = new Float64Array(c), v = new Float64Array(c);
    const h: (FloatHistogram | undefined)[] | undefined = s.h ? new Array(c) : undefined;
    let j = 0;
    for (let i = 0; i < n; i++) if (s.has[i]) { if (h) h[j] = s.h![i]; t[j] = ts[i]!; v[j++] = s.v[i]!; }
    series.push(h ? { labels: s.labels, t, v, h } : { labels: s.labels, t, v });
  }
  series.sort((a, b) => compareLabels(a.labels, b.labels));
  return { type: 'matrix', series };
}
