// Functions over native histograms: histogram_* over instant vectors, and the range functions
// that accept histogram samples (rate, increase, delta, irate, idelta, *_over_time, resets,
// changes). Series without histogram points go through the float implementations unchanged.
import { METRIC_NAME, getLabel, labelsKey, withLabel } from '../model/labels.js';
import { HistogramError, type FloatHistogram } from '../model/histogram.js';
import { unwrapParens, type Call, type Expr } from './ast.js';
import type { Evaluator } from './engine.js';
import { QueryError } from './errors.js';
import { nativeFraction, nativeQuantile, nativeVariance } from './nhquantile.js';
import { floatRangeSeries, floatSeries, floatsOnly, vectorHasHistograms } from './nhvalue.js';
import { RANGE_FUNCS, type RangeCtx } from './rangefuncs.js';
import { HistSum } from './nhsum.js';
import { extendedHistogramRate } from './nhextended.js';
import { histogramRate } from './nhrate.js';
import { ST_FUNCS, isStartTimestampReset, overlapWarning } from './startts.js';
import type { GridMatrix, GridSeries, GridValue, GridVector, RangeSeries } from './value.js';

type Inner = (ev: Evaluator, e: Call) => GridValue;

/** Functions that pass histogram samples through untouched (they only look at labels/presence). */
const PASS_THROUGH = new Set(['label_replace', 'label_join', 'absent', 'absent_over_time', 'present_over_time', 'count_over_time', 'timestamp', 'start_timestamp', 'info', 'sort_by_label', 'sort_by_label_desc']);

const NH_RANGE = new Set(['rate', 'increase', 'delta', 'irate', 'idelta', 'sum_over_time', 'avg_over_time', 'last_over_time', 'first_over_time', 'resets', 'changes',
  'min_over_time', 'max_over_time', 'stddev_over_time', 'stdvar_over_time', 'quantile_over_time', 'mad_over_time', 'deriv', 'predict_linear',
  'ts_of_min_over_time', 'ts_of_max_over_time', 'ts_of_last_over_time', 'ts_of_first_over_time', 'double_exponential_smoothing', 'holt_winters']);

/** An evaluator that answers `arg` with a precomputed value and strips histograms elsewhere if asked. */
function proxy(ev: Evaluator, arg: Expr | null, value: GridValue | null, strip: boolean): Evaluator {
  const p = Object.create(ev) as Evaluator;
  p.eval = (x: Expr): GridValue => {
    const v = x === arg && value ? value : ev.eval(x);
    return strip ? floatsOnly(v, ev.n) : v;
  };
  return p;
}

export function evalCallNH(ev: Evaluator, e: Call, inner: Inner): GridValue {
  const f = e.func;
  if (PASS_THROUGH.has(f)) return inner(ev, e);
  switch (f) {
    case 'histogram_count': case 'histogram_sum': case 'histogram_avg': case 'histogram_stddev': case 'histogram_stdvar':
      return simpleHistogramFunc(ev, e);
    case 'histogram_quantile': case 'histogram_fraction':
      return histogramQuantileOrFraction(ev, e, inner);
    case 'histogram_quantiles':
      return histogramQuantiles(ev, e, inner);
    case 'last_over_time': case 'first_over_time':
      if (unwrapParens(e.args[0]!).type !== 'MatrixSelector' && unwrapParens(e.args[0]!).type !== 'SubqueryExpr') break;
  }
  if (NH_RANGE.has(f)) return rangeNH(ev, e, inner);
  if (f === 'sort' || f === 'sort_desc') return inner(proxy(ev, null, null, true), e);
  return inner(proxy(ev, null, null, true), e);
}

function simpleHistogramFunc(ev: Evaluator, e: Call): GridValue {
  const n = ev.n;
  const vec = ev.evalVector(e.args[0]!);
  const out: GridSeries[] = [];
  for (const s of vec.series) {
    if (!s.h) continue;
    const v = new Float64Array(n), has = new Uint8Array(n);
    let any = false;
    for (let i = 0; i < n; i++) {
      const h = s.h[i];
      if (!h) continue;
      switch (e.func) {
        case 'histogram_count': v[i] = h.count; break;
        case 'histogram_sum': v[i] = h.sum; break;
        case 'histogram_avg': v[i] = h.sum / h.count; break;
        case 'histogram_stdvar': v[i] = nativeVariance(h); break;
        default: v[i] = Math.sqrt(nativeVariance(h));
      }
      has[i] = 1;
      any = true;
    }
    if (any) out.push({ labels: s.labels, v, has, dropName: true });
  }
  return { kind: 'vector', series: out };
}

function histogramQuantileOrFraction(ev: Evaluator, e: Call, inner: Inner): GridValue {
  const n = ev.n;
  const isQ = e.func === 'histogram_quantile';
  const vecArg = e.args[isQ ? 1 : 2]!;
  const vec = ev.evalVector(vecArg);
  if (!vectorHasHistograms(vec)) return inner(proxy(ev, vecArg, vec, false), e);
  const floats: GridVector = { kind: 'vector', series: floatSeries(vec.series, n) };
  // A native histogram and classic buckets with the same labels: both are dropped.
  const classicKeys = new Map<string, GridSeries[]>();
  for (const s of floats.series) {
    if (!s.labels.some((l) => l.name === 'le')) continue;
    const k = labelsKey(s.labels.filter((l) => l.name !== 'le'));
    const a = classicKeys.get(k);
    if (a) a.push(s); else classicKeys.set(k, [s]);
  }
  const dropNative = new Set<GridSeries>();
  const nativeMask = new Map<GridSeries, Uint8Array>();
  if (classicKeys.size) {
    for (const s of vec.series) {
      if (!s.h) continue;
      const cl = classicKeys.get(labelsKey(s.labels));
      if (!cl) continue;
      for (let i = 0; i < n; i++) {
        if (!s.h[i] || !cl.some((c) => c.has[i])) continue;
        ev.ctx.annotations.warn(`vector contains a mix of classic and native histograms for metric name "${getLabel(s.labels, METRIC_NAME)}"`, vecArg);
        for (const c of cl) c.has[i] = 0;
        let m = nativeMask.get(s);
        if (!m) nativeMask.set(s, (m = new Uint8Array(n)));
        m[i] = 1;
        dropNative.add(s);
      }
    }
  }
  const res = inner(proxy(ev, vecArg, floats, false), e) as GridVector;
  const p0 = ev.evalScalar(e.args[0]!).v;
  const p1 = isQ ? null : ev.evalScalar(e.args[1]!).v;
  const out: GridSeries[] = [...res.series];
  const ann = ev.ctx.annotations;
  for (const s of vec.series) {
    if (!s.h) continue;
    const v = new Float64Array(n), has = new Uint8Array(n);
    let any = false;
    const name = getLabel(s.labels, METRIC_NAME);
    const mask = nativeMask.get(s);
    for (let i = 0; i < n; i++) {
      const h = s.h[i];
      if (!h || mask?.[i]) continue;
      const r = isQ ? nativeQuantile(p0[i]!, h) : nativeFraction(p0[i]!, p1![i]!, h);
      v[i] = r.v;
      if (r.info) ann.info(`${r.info} for metric name "${name}"`, vecArg);
      has[i] = 1;
      any = true;
    }
    if (any) out.push({ labels: s.labels, v, has, dropName: true });
  }
  if (isQ) {
    for (let i = 0; i < n; i++) {
      const q = p0[i]!;
      if (q !== q || q < 0 || q > 1) { ann.warn(`quantile value should be between 0 and 1, got ${q}`, e.args[0]!); break; }
    }
  }
  return { kind: 'vector', series: out };
}

/** histogram_quantiles(v, "label", q1, q2, ...): one output series per quantile, labelled. */
function histogramQuantiles(ev: Evaluator, e: Call, inner: Inner): GridValue {
  const vecArg = e.args[0]!;
  const lbl = e.args[1]!;
  if (lbl.type !== 'StringLiteral') throw new QueryError('execution', 'histogram_quantiles: expected a string literal label name');
  const vec = ev.evalVector(vecArg);
  const out: GridSeries[] = [];
  for (let k = 2; k < e.args.length; k++) {
    const qv = ev.evalScalar(e.args[k]!).v;
    // Copy has-bits: the mixed classic/native handling clears them per run.
    const copy: GridVector = { kind: 'vector', series: vec.series.map((s) => ({ ...s, has: s.has.slice() })) };
    const call: Call = { ...e, func: 'histogram_quantile', args: [e.args[k]!, vecArg] };
    const r = histogramQuantileOrFraction(proxy(ev, vecArg, copy, false), call, inner) as GridVector;
    const qs = formatOMFloat(qv[0]!);
    for (const s of r.series) out.push({ ...s, labels: withLabel(s.labels, lbl.val, qs) });
  }
  return { kind: 'vector', series: out };
}

/** OpenMetrics float text (integers get ".0"), as Prometheus formats the quantile label. */
function formatOMFloat(x: number): string {
  if (x !== x) return 'NaN';
  if (x === Infinity) return '+Inf';
  if (x === -Infinity) return '-Inf';
  if (Number.isInteger(x) && Math.abs(x) < 1e21) return `${x}.0`;
  return String(x);
}

interface Split {
  ft: Float64Array; fv: Float64Array;
  ht: Float64Array; hh: FloatHistogram[];
  /** Start timestamps of the float and histogram points (when the series has any). */
  fst?: Float64Array; hst?: Float64Array;
}

function split(s: RangeSeries): Split {
  const f = floatRangeSeries(s);
  let c = 0;
  for (let i = 0; i < s.t.length; i++) if (s.h![i]) c++;
  const ht = new Float64Array(c), hh: FloatHistogram[] = new Array(c);
  const hst = s.st ? new Float64Array(c) : undefined;
  let k = 0;
  for (let i = 0; i < s.t.length; i++) if (s.h![i]) { if (hst) hst[k] = s.st![i]!; ht[k] = s.t[i]!; hh[k++] = s.h![i]!; }
  return hst ? { ft: f.t, fv: f.v, ht, hh, fst: f.st, hst } : { ft: f.t, fv: f.v, ht, hh };
}

const KEEP_NAME = new Set(['last_over_time', 'first_over_time']);

function rangeNH(ev: Evaluator, e: Call, inner: Inner): GridValue {
  const f = e.func;
  const mIdx = f === 'quantile_over_time' ? 1 : 0;
  const argE = e.args[mIdx]!;
  const m = ev.eval(argE);
  if (m.kind !== 'matrix') return inner(proxy(ev, argE, m, true), e);
  const withH = m.series.filter((s) => s.h?.some((x) => x));
  if (!withH.length) return inner(proxy(ev, argE, floatsOnly(m, ev.n), false), e);
  // Float-only series (and the float parts' shape) via the float implementation.
  const plain: GridMatrix = { ...m, series: m.series.filter((s) => !withH.includes(s)) };
  const base = inner(proxy(ev, argE, plain, true), e) as GridVector;
  const out: GridSeries[] = [...base.series];
  const n = ev.n;
  const ann = ev.ctx.annotations;
  const fn = RANGE_FUNCS[f];
  const ms = unwrapParens(argE);
  const extended = ms.type === 'MatrixSelector' && (!!ms.anchored || !!ms.smoothed);
  const smoothed = ms.type === 'MatrixSelector' && !!ms.smoothed;
  const p0 = f === 'quantile_over_time' ? ev.evalScalar(e.args[0]!).v : f === 'predict_linear' || f === 'double_exponential_smoothing' || f === 'holt_winters' ? ev.evalScalar(e.args[1]!).v : null;
  const p1 = f === 'double_exponential_smoothing' || f === 'holt_winters' ? ev.evalScalar(e.args[2]!).v : null;
  const ctx: RangeCtx = { rangeStart: 0, rangeEnd: 0, rangeMs: m.rangeMs, stepT: 0, p0: 0, p1: 0, extended, smoothed, st: undefined, overlap: undefined };
  const useST = ST_FUNCS.has(f);
  for (const s of withH) {
    const sp = split(s);
    const name = getLabel(s.labels, METRIC_NAME);
    const fst = useST ? sp.fst : undefined, hst = useST ? sp.hst : undefined;
    ctx.overlap = hst || fst ? () => ann.warnCounted(overlapWarning(name), argE) : undefined;
    const v = new Float64Array(n), has = new Uint8Array(n);
    const oh: (FloatHistogram | undefined)[] = new Array(n);
    let any = false, anyH = false;
    for (let i = 0; i < n; i++) {
      const end = m.winEnd[i]!, start = end - m.rangeMs;
      let flo = lowerBound(sp.ft, start), hlo = lowerBound(sp.ht, start);
      let fhi = lowerBound(sp.ft, end + 0.5), hhi = lowerBound(sp.ht, end + 0.5);
      if (extended) {
        // Anchored/smoothed: the newest sample at or before the range start (within the
        // lookback delta) joins the window, and for smoothed also the first one after the end.
        const inRange = fhi - flo + hhi - hlo;
        const pf = flo > 0 ? sp.ft[flo - 1]! : -Infinity, ph = hlo > 0 ? sp.ht[hlo - 1]! : -Infinity;
        const anchor = Math.max(pf, ph) > start - ev.ctx.lookbackMs;
        if (anchor) { if (pf > ph) flo--; else hlo--; }
        if (smoothed) {
          const nf = fhi < sp.ft.length ? sp.ft[fhi]! : Infinity, nh = hhi < sp.ht.length ? sp.ht[hhi]! : Infinity;
          if (Math.min(nf, nh) <= end + ev.ctx.lookbackMs) { if (nf < nh) fhi++; else hhi++; }
        }
        if (!inRange && !anchor) continue;
        const lastT = Math.max(fhi > flo ? sp.ft[fhi - 1]! : -Infinity, hhi > hlo ? sp.ht[hhi - 1]! : -Infinity);
        if (lastT <= start) continue;
      }
      const nf = fhi - flo, nh = hhi - hlo;
      if (nf + nh === 0) continue;
      ctx.rangeStart = start; ctx.rangeEnd = end; ctx.stepT = ev.ts[i]!;
      ctx.p0 = p0 ? p0[i]! : 0; ctx.p1 = p1 ? p1[i]! : 0;
      let rf: number | undefined, rh: FloatHistogram | undefined;
      const mixed = () => ann.warn(`encountered a mix of histograms and floats for metric name "${name}"`, argE);
      switch (f) {
        case 'rate': case 'increase': case 'delta':
          if (nf && nh) { mixed(); break; }
          if (extended && nh) {
            rh = extendedHistogramRate(sp.ht.subarray(hlo, hhi), sp.hh.slice(hlo, hhi), start, end, m.rangeMs, smoothed, f !== 'delta', f === 'rate', name, ann, argE);
            break;
          }
          ctx.st = nh ? hst : fst;
          if (nh) rh = histogramRate(ev, sp.ht, sp.hh, hlo, hhi, ctx, f !== 'delta', f === 'rate', name, argE);
          else rf = fn!(sp.ft, sp.fv, flo, fhi, ctx);
          break;
        case 'irate': case 'idelta': {
          if (nf + nh < 2) break;
          const lastIsH = nh > 0 && (nf === 0 || sp.ht[hhi - 1]! > sp.ft[fhi - 1]!);
          const prevIsH = lastIsH ? (nh >= 2 && (nf === 0 || sp.ht[hhi - 2]! > sp.ft[fhi - 1]!)) : (nh > 0 && (nf < 2 || sp.ht[hhi - 1]! > sp.ft[fhi - 2]!));
          if (!lastIsH && !prevIsH) { ctx.st = fst; rf = fn!(sp.ft, sp.fv, fhi - 2, fhi, ctx); break; }
          if (lastIsH !== prevIsH) { mixed(); break; }
          const cur = sp.hh[hhi - 1]!, prev = sp.hh[hhi - 2]!;
          const dt = sp.ht[hhi - 1]! - sp.ht[hhi - 2]!;
          if (dt === 0) break;
          const isRate = f === 'irate';
          if (isRate && (cur.hint === 'gauge' || prev.hint === 'gauge')) ann.warn(`this native histogram metric is not a counter: "${name}"`, argE);
          if (!isRate && (cur.hint !== 'gauge' || prev.hint !== 'gauge')) ann.warn(`this native histogram metric is not a gauge: "${name}"`, argE);
          const r = cur.copy();
          const stReset = isRate && hst !== undefined && isStartTimestampReset(hst[hhi - 2]!, sp.ht[hhi - 2]!, hst[hhi - 1]!, sp.ht[hhi - 1]!);
          if (!isRate || (!stReset && !cur.detectReset(prev))) {
            try {
              if (r.sub(prev).reconciled) ann.info('mismatched custom buckets were reconciled during subtraction', argE);
            } catch (err) {
              if (!(err instanceof HistogramError)) throw err;
              ann.warn(`vector contains a mix of histograms with exponential and custom buckets schemas for metric name "${name}"`, argE);
              break;
            }
          }
          r.hint = 'gauge';
          r.compact();
          if (isRate) r.div(dt / 1000);
          rh = r;
          break;
        }
        case 'sum_over_time': case 'avg_over_time': {
          if (nf && nh) { mixed(); break; }
          if (nf) { rf = fn!(sp.ft, sp.fv, flo, fhi, ctx); break; }
          rh = sumHist(sp.hh, hlo, hhi, ev, argE, name, f === 'avg_over_time');
          break;
        }
        case 'last_over_time':
          if (nh && (!nf || sp.ht[hhi - 1]! > sp.ft[fhi - 1]!)) rh = sp.hh[hhi - 1]!;
          else rf = sp.fv[fhi - 1]!;
          break;
        case 'first_over_time':
          if (nh && (!nf || sp.ht[hlo]! < sp.ft[flo]!)) rh = sp.hh[hlo]!;
          else rf = sp.fv[flo]!;
          break;
        case 'ts_of_last_over_time': case 'ts_of_first_over_time': {
          const last = f === 'ts_of_last_over_time';
          const tf = nf ? sp.ft[last ? fhi - 1 : flo]! : NaN, th = nh ? sp.ht[last ? hhi - 1 : hlo]! : NaN;
          rf = (nf && nh ? (last ? Math.max(tf, th) : Math.min(tf, th)) : nf ? tf : th) / 1000;
          break;
        }
        case 'resets': case 'changes':
          rf = resetsOrChanges(sp, flo, fhi, hlo, hhi, f === 'resets', fst, hst);
          break;
        default:
          // Float-only functions: histograms are ignored (with an info if floats remain).
          if (!nf) break;
          if (nh) ann.info(`ignored histograms in a range containing both floats and histograms for metric name "${name}"`, argE);
          ctx.st = undefined;
          rf = fn ? fn(sp.ft, sp.fv, flo, fhi, ctx) : undefined;
      }
      if (rh) { oh[i] = rh; has[i] = 1; any = true; anyH = true; }
      else if (rf !== undefined) { v[i] = rf; has[i] = 1; any = true; }
    }
    if (any) out.push(anyH ? { labels: s.labels, v, has, dropName: s.dropName || !KEEP_NAME.has(f), h: oh } : { labels: s.labels, v, has, dropName: s.dropName || !KEEP_NAME.has(f) });
  }
  return { kind: 'vector', series: out };
}

/** First index with t[i] > x (x is a window start, exclusive) — windows are (start, end]. */
function lowerBound(t: Float64Array, x: number): number {
  let a = 0, b = t.length;
  while (a < b) { const mid = (a + b) >> 1; if (t[mid]! <= x) a = mid + 1; else b = mid; }
  return a;
}

function sumHist(hh: FloatHistogram[], lo: number, hi: number, ev: Evaluator, argE: Expr, name: string, avg: boolean): FloatHistogram | undefined {
  const ann = ev.ctx.annotations;
  const acc = new HistSum();
  for (let k = lo; k < hi; k++) {
    try {
      acc.add(hh[k]!);
    } catch (err) {
      if (!(err instanceof HistogramError)) throw err;
      ann.warn(`vector contains a mix of histograms with exponential and custom buckets schemas for metric name "${name}"`, argE);
      return undefined;
    }
  }
  if (acc.resetSeen && acc.notResetSeen) ann.warn('conflicting counter resets during histogram aggregation', argE);
  if (acc.reconciled) ann.info('mismatched custom buckets were reconciled during aggregation', argE);
  return avg ? acc.average() : acc.total();
}

function resetsOrChanges(sp: Split, flo: number, fhi: number, hlo: number, hhi: number, resets: boolean, fst?: Float64Array, hst?: Float64Array): number {
  let i = flo, j = hlo, cnt = 0;
  let prevH: FloatHistogram | undefined, prevF = 0, first = true;
  let prevT = 0, prevST = 0;
  const useST = resets && (fst !== undefined || hst !== undefined);
  while (i < fhi || j < hhi) {
    let curH: FloatHistogram | undefined, curF = 0, curT: number, curST = 0;
    if (j >= hhi || (i < fhi && sp.ft[i]! < sp.ht[j]!)) { curT = sp.ft[i]!; if (fst) curST = fst[i]!; curF = sp.fv[i++]!; }
    else { curT = sp.ht[j]!; if (hst) curST = hst[j]!; curH = sp.hh[j++]!; }
    if (!first) {
      const stReset = useST && isStartTimestampReset(prevST, prevT, curST, curT);
      if (!prevH && !curH) {
        if (resets ? curF < prevF || stReset : !(curF === prevF || (curF !== curF && prevF !== prevF))) cnt++;
      } else if (!prevH || !curH) cnt++;
      else if (resets ? stReset || curH.detectReset(prevH) : !histEquals(curH, prevH)) cnt++;
    }
    first = false;
    prevH = curH;
    prevF = curF;
    prevT = curT;
    prevST = curST;
  }
  return cnt;
}

function histEquals(a: FloatHistogram, b: FloatHistogram): boolean {
  const same = (x: number, y: number) => x === y || (x !== x && y !== y);
  if (a.schema !== b.schema || a.zeroThreshold !== b.zeroThreshold || !same(a.zeroCount, b.zeroCount) || !same(a.count, b.count) || !same(a.sum, b.sum)) return false;
  const arr = (x: number[], y: number[]) => x.length === y.length && x.every((v, k) => same(v, y[k]!));
  return arr(a.pIdx, b.pIdx) && arr(a.pCnt, b.pCnt) && arr(a.nIdx, b.nIdx) && arr(a.nCnt, b.nCnt) && (a.customValues ?? []).join() === (b.customValues ?? []).join();
}
