// Functions over range vectors, applied to one series' window [lo, hi) of raw points.
// Each returns a number, or undefined for "no output at this step". No per-sample objects.
import { kahanC, kahanMean, kahanSumInc } from './kahan.js';
import { isStartTimestampReset, startTimeOverlaps } from './startts.js';

export interface RangeCtx {
  /** Extended range selectors (experimental): window holds boundary samples outside the range. */
  smoothed?: boolean;
  extended?: boolean;
  /** Window boundaries (start exclusive, end inclusive), ms. */
  rangeStart: number;
  rangeEnd: number;
  rangeMs: number;
  /** Evaluation time of this step (ms), i.e. @ time or step time. */
  stepT: number;
  /** Scalar arguments at this step. */
  p0: number;
  p1: number;
  /**
   * Start timestamps parallel to the series' t (0 = unknown), for rate/increase/irate/resets on
   * plain selectors; undefined otherwise (then nothing below looks at them).
   */
  st?: Float64Array;
  /** Called once per window whose start timestamps overlap (rate/increase). */
  overlap?: () => void;
  /**
   * Optional prefix counts of counter resets for the series (resets[i] = how many j in 1..i have
   * v[j] < v[j-1]), so rate/increase can skip the reset scan for windows without any.
   */
  resets?: Int32Array;
}

export type RangeFn = (t: Float64Array, v: Float64Array, lo: number, hi: number, c: RangeCtx) => number | undefined;

/** Prefix counts of counter resets (see RangeCtx.resets); reuses `buf` when it is large enough. */
export function resetPrefix(v: Float64Array, buf: Int32Array | undefined): Int32Array {
  const len = v.length;
  const r = buf && buf.length >= len ? buf : new Int32Array(Math.max(len, 64));
  if (len === 0) return r;
  let k = 0;
  r[0] = 0;
  for (let i = 1; i < len; i++) {
    if (v[i]! < v[i - 1]!) k++;
    r[i] = k;
  }
  return r;
}

const rateOut = new Float64Array(1);

function extrapolatedRate(t: Float64Array, v: Float64Array, lo: number, hi: number, c: RangeCtx, isCounter: boolean, isRate: boolean): number | undefined {
  if (isCounter && c.st) return extrapolatedRateST(t, v, lo, hi, c, c.st, isRate);
  return extrapolatedRateInto(t, v, lo, hi, c.rangeStart, c.rangeEnd, c.rangeMs, isCounter, isRate, c.resets, rateOut, 0) ? rateOut[0]! : undefined;
}

/**
 * rate/increase/delta of the window [lo, hi) without start timestamps, written to out[at]
 * (a typed array, so the hot per-step loop boxes no numbers); false when there is no output.
 * `resets` as RangeCtx.resets.
 */
export function extrapolatedRateInto(
  t: Float64Array, v: Float64Array, lo: number, hi: number, rangeStart: number, rangeEnd: number, rangeMs: number,
  isCounter: boolean, isRate: boolean, resets: Int32Array | undefined, out: Float64Array, at: number,
): boolean {
  const n = hi - lo;
  if (n < 2) return false;
  const firstT = t[lo]!, lastT = t[hi - 1]!;
  let result = v[hi - 1]! - v[lo]!;
  if (isCounter && (!resets || resets[hi - 1] !== resets[lo])) {
    let prev = v[lo]!;
    for (let i = lo + 1; i < hi; i++) {
      const cur = v[i]!;
      if (cur < prev) result += prev;
      prev = cur;
    }
  }
  let durationToStart = (firstT - rangeStart) / 1000;
  let durationToEnd = (rangeEnd - lastT) / 1000;
  const sampledInterval = (lastT - firstT) / 1000;
  const avg = sampledInterval / (n - 1);
  const threshold = avg * 1.1;
  if (durationToStart >= threshold) durationToStart = avg / 2;
  if (isCounter && result > 0 && v[lo]! >= 0) {
    const durationToZero = sampledInterval * (v[lo]! / result);
    if (durationToZero < durationToStart) durationToStart = durationToZero;
  }
  if (durationToEnd >= threshold) durationToEnd = avg / 2;
  let factor = (sampledInterval + durationToStart + durationToEnd) / sampledInterval;
  if (isRate) factor /= rangeMs / 1000;
  out[at] = result * factor;
  return true;
}

/**
 * rate/increase with start timestamps: they also signal counter resets, and a first sample whose
 * start lies inside the range means a zero at that start instead of extrapolating to the left
 * (so one sample can be enough).
 */
function extrapolatedRateST(t: Float64Array, v: Float64Array, lo: number, hi: number, c: RangeCtx, st: Float64Array, isRate: boolean): number | undefined {
  const n = hi - lo;
  if (n < 1) return undefined;
  const firstT = t[lo]!, lastT = t[hi - 1]!;
  let result = v[hi - 1]! - v[lo]!;
  let warned = false;
  for (let i = lo + 1; i < hi; i++) {
    if (!warned && startTimeOverlaps(st[i - 1]!, t[i - 1]!, st[i]!)) { warned = true; c.overlap?.(); }
    if (v[i]! < v[i - 1]! || isStartTimestampReset(st[i - 1]!, t[i - 1]!, st[i]!, t[i]!)) result += v[i - 1]!;
  }
  let durationToStart = (firstT - c.rangeStart) / 1000;
  let durationToEnd = (c.rangeEnd - lastT) / 1000;
  let sampledInterval = (lastT - firstT) / 1000;
  const avg = n > 1 ? sampledInterval / (n - 1) : 0;
  const threshold = avg * 1.1;
  const st0 = st[lo]!;
  if (st0 !== 0 && st0 > c.rangeStart && st0 < firstT) {
    // Assume a zero-valued sample at the first sample's start time.
    durationToStart = 0;
    sampledInterval = (lastT - st0) / 1000;
    result += v[lo]!;
  } else if (n < 2) {
    return undefined;
  } else {
    if (durationToStart >= threshold) durationToStart = avg / 2;
    if (result > 0 && v[lo]! >= 0) {
      const durationToZero = sampledInterval * (v[lo]! / result);
      if (durationToZero < durationToStart) durationToStart = durationToZero;
    }
  }
  if (durationToEnd >= threshold) durationToEnd = avg / 2;
  let factor = sampledInterval !== 0 ? (sampledInterval + durationToStart + durationToEnd) / sampledInterval : 1;
  if (isRate) factor /= c.rangeMs / 1000;
  return result * factor;
}

function interpolate(t1: number, y1: number, t2: number, y2: number, t: number, isCounter: boolean): number {
  // A counter reset between the two samples: the counter restarted from zero.
  if (isCounter && y2 < y1) y1 = 0;
  return y1 + ((y2 - y1) * (t - t1)) / (t2 - t1);
}

/** rate/increase/delta over an `anchored` or `smoothed` range (window includes boundary samples). */
function extendedRate(t: Float64Array, v: Float64Array, lo: number, hi: number, c: RangeCtx, isCounter: boolean, isRate: boolean): number | undefined {
  if (hi <= lo) return undefined;
  const n = hi - lo;
  let last = n - 1;
  // first: index of the last sample at or before rangeStart (or 0)
  let first = 0;
  while (first < last && t[lo + first]! <= c.rangeStart) first++;
  first = Math.max(0, first - 1);
  if (c.smoothed) {
    let k = 0;
    while (k < last && t[lo + k]! < c.rangeEnd) k++;
    last = k;
  }
  if (t[lo + last]! <= c.rangeStart) return undefined;
  const at = (i: number) => t[lo + i]!, av = (i: number) => v[lo + i]!;
  const left = c.smoothed && at(first) < c.rangeStart ? interpolate(at(first), av(first), at(first + 1), av(first + 1), c.rangeStart, isCounter) : av(first);
  const right = c.smoothed && last > 0 && at(last) > c.rangeEnd ? interpolate(at(last - 1), av(last - 1), at(last), av(last), c.rangeEnd, isCounter) : av(last);
  let result = right - left;
  if (isCounter) {
    let f = first, l = last;
    if (at(f) <= c.rangeStart) f++;
    if (at(l) >= c.rangeEnd) l--;
    let corr = 0, prev = left;
    for (let i = f; i <= l; i++) {
      if (av(i) < prev) corr += prev;
      prev = av(i);
    }
    if (right < prev) corr += prev;
    result += corr;
  }
  if (isRate) result /= c.rangeMs / 1000;
  return result;
}

function instantValue(t: Float64Array, v: Float64Array, lo: number, hi: number, isRate: boolean, st?: Float64Array): number | undefined {
  if (hi - lo < 2) return undefined;
  const last = v[hi - 1]!, prev = v[hi - 2]!;
  let r = last - prev;
  if (isRate && (last < prev || (st && isStartTimestampReset(st[hi - 2]!, t[hi - 2]!, st[hi - 1]!, t[hi - 1]!)))) r = last;
  const dt = t[hi - 1]! - t[hi - 2]!;
  if (dt === 0) return undefined;
  if (isRate) r /= dt / 1000;
  return r;
}

function linearRegression(t: Float64Array, v: Float64Array, lo: number, hi: number, interceptTime: number): [number, number] {
  let n = 0, sumX = 0, cX = 0, sumY = 0, cY = 0, sumXY = 0, cXY = 0, sumX2 = 0, cX2 = 0;
  const initY = v[lo]!;
  let constY = true;
  for (let i = lo; i < hi; i++) {
    const y = v[i]!;
    if (constY && i > lo && y !== initY) constY = false;
    n += 1;
    const x = (t[i]! - interceptTime) / 1e3;
    sumX = kahanSumInc(x, sumX, cX); cX = kahanC.c;
    sumY = kahanSumInc(y, sumY, cY); cY = kahanC.c;
    sumXY = kahanSumInc(x * y, sumXY, cXY); cXY = kahanC.c;
    sumX2 = kahanSumInc(x * x, sumX2, cX2); cX2 = kahanC.c;
  }
  if (constY) {
    if (!Number.isFinite(initY) && initY === initY) return [NaN, NaN];
    return [0, initY];
  }
  sumX += cX; sumY += cY; sumXY += cXY; sumX2 += cX2;
  const covXY = sumXY - (sumX * sumY) / n;
  const varX = sumX2 - (sumX * sumX) / n;
  const slope = covXY / varX;
  const intercept = sumY / n - (slope * sumX) / n;
  return [slope, intercept];
}

/** φ-quantile of values (sorted copy), Prometheus's interpolation. */
export function quantileOf(q: number, vals: Float64Array): number {
  const n = vals.length;
  if (n === 0 || q !== q) return NaN;
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  vals.sort(); // Float64Array sort: numeric, NaN last
  // Go sorts NaN first; move NaNs to the front to match.
  let nanCount = 0;
  for (let i = n - 1; i >= 0 && vals[i] !== vals[i]; i--) nanCount++;
  if (nanCount) {
    vals.copyWithin(nanCount, 0, n - nanCount);
    vals.fill(NaN, 0, nanCount);
  }
  const rank = q * (n - 1);
  const lower = Math.max(0, Math.floor(rank));
  const upper = Math.min(n - 1, lower + 1);
  const weight = rank - Math.floor(rank);
  return vals[lower]! * (1 - weight) + vals[upper]! * weight;
}

function variance(v: Float64Array, lo: number, hi: number): number {
  let count = 0, mean = 0, cMean = 0, aux = 0, cAux = 0;
  for (let i = lo; i < hi; i++) {
    const x = v[i]!;
    count++;
    const delta = x - (mean + cMean);
    mean = kahanSumInc(delta / count, mean, cMean); cMean = kahanC.c;
    aux = kahanSumInc(delta * (x - (mean + cMean)), aux, cAux); cAux = kahanC.c;
  }
  return (aux + cAux) / count;
}

function calcTrend(i: number, tf: number, s0: number, s1: number, b: number): number {
  if (i === 0) return b;
  return tf * (s1 - s0) + (1 - tf) * b;
}

export const RANGE_FUNCS: Record<string, RangeFn> = {
  rate: (t, v, lo, hi, c) => (c.extended ? extendedRate : extrapolatedRate)(t, v, lo, hi, c, true, true),
  increase: (t, v, lo, hi, c) => (c.extended ? extendedRate : extrapolatedRate)(t, v, lo, hi, c, true, false),
  delta: (t, v, lo, hi, c) => (c.extended ? extendedRate : extrapolatedRate)(t, v, lo, hi, c, false, false),
  irate: (t, v, lo, hi, c) => instantValue(t, v, lo, hi, true, c.st),
  idelta: (t, v, lo, hi) => instantValue(t, v, lo, hi, false),
  deriv: (t, v, lo, hi) => (hi - lo < 2 ? undefined : linearRegression(t, v, lo, hi, t[lo]!)[0]),
  predict_linear: (t, v, lo, hi, c) => {
    if (hi - lo < 2) return undefined;
    const [slope, intercept] = linearRegression(t, v, lo, hi, c.stepT);
    return slope * c.p0 + intercept;
  },
  changes: (_t, v, lo, hi) => {
    if (hi <= lo) return undefined;
    let n = 0, prev = v[lo]!;
    for (let i = lo + 1; i < hi; i++) {
      const cur = v[i]!;
      if (cur !== prev && !(cur !== cur && prev !== prev)) n++;
      prev = cur;
    }
    return n;
  },
  resets: (t, v, lo, hi, c) => {
    if (hi <= lo) return undefined;
    let n = 0, prev = v[lo]!;
    const st = c.st;
    for (let i = lo + 1; i < hi; i++) {
      const cur = v[i]!;
      if (cur < prev || (st && isStartTimestampReset(st[i - 1]!, t[i - 1]!, st[i]!, t[i]!))) n++;
      prev = cur;
    }
    return n;
  },
  avg_over_time: (_t, v, lo, hi) => (hi <= lo ? undefined : kahanMean(v, lo, hi)),
  sum_over_time: (_t, v, lo, hi) => {
    if (hi <= lo) return undefined;
    let s = 0, c = 0;
    for (let i = lo; i < hi; i++) { s = kahanSumInc(v[i]!, s, c); c = kahanC.c; }
    return s + c;
  },
  count_over_time: (_t, _v, lo, hi) => (hi <= lo ? undefined : hi - lo),
  min_over_time: (_t, v, lo, hi) => {
    if (hi <= lo) return undefined;
    let m = v[lo]!;
    for (let i = lo; i < hi; i++) if (v[i]! < m || m !== m) m = v[i]!;
    return m;
  },
  max_over_time: (_t, v, lo, hi) => {
    if (hi <= lo) return undefined;
    let m = v[lo]!;
    for (let i = lo; i < hi; i++) if (v[i]! > m || m !== m) m = v[i]!;
    return m;
  },
  last_over_time: (_t, v, lo, hi) => (hi <= lo ? undefined : v[hi - 1]!),
  first_over_time: (_t, v, lo, hi) => (hi <= lo ? undefined : v[lo]!),
  ts_of_last_over_time: (t, _v, lo, hi) => (hi <= lo ? undefined : t[hi - 1]! / 1000),
  ts_of_first_over_time: (t, _v, lo, hi) => (hi <= lo ? undefined : t[lo]! / 1000),
  ts_of_max_over_time: (t, v, lo, hi) => {
    if (hi <= lo) return undefined;
    let m = v[lo]!, mt = t[lo]!;
    for (let i = lo; i < hi; i++) if (v[i]! >= m || m !== m) { m = v[i]!; mt = t[i]!; }
    return mt / 1000;
  },
  ts_of_min_over_time: (t, v, lo, hi) => {
    if (hi <= lo) return undefined;
    let m = v[lo]!, mt = t[lo]!;
    for (let i = lo; i < hi; i++) if (v[i]! <= m || m !== m) { m = v[i]!; mt = t[i]!; }
    return mt / 1000;
  },
  present_over_time: (_t, _v, lo, hi) => (hi <= lo ? undefined : 1),
  stdvar_over_time: (_t, v, lo, hi) => (hi <= lo ? undefined : variance(v, lo, hi)),
  stddev_over_time: (_t, v, lo, hi) => (hi <= lo ? undefined : Math.sqrt(variance(v, lo, hi))),
  quantile_over_time: (_t, v, lo, hi, c) => (hi <= lo ? undefined : quantileOf(c.p0, v.slice(lo, hi))),
  mad_over_time: (_t, v, lo, hi) => {
    if (hi <= lo) return undefined;
    const vals = v.slice(lo, hi);
    for (let i = 0; i < vals.length; i++) if (vals[i] !== vals[i]) return NaN;
    const med = quantileOf(0.5, vals.slice());
    for (let i = 0; i < vals.length; i++) vals[i] = Math.abs(vals[i]! - med);
    return quantileOf(0.5, vals);
  },
  double_exponential_smoothing: (_t, v, lo, hi, c) => {
    const n = hi - lo;
    if (n < 2) return undefined;
    const sf = c.p0, tf = c.p1;
    let s0 = 0, s1 = v[lo]!, b = v[lo + 1]! - v[lo]!;
    for (let i = 1; i < n; i++) {
      const x = sf * v[lo + i]!;
      b = calcTrend(i - 1, tf, s0, s1, b);
      const y = (1 - sf) * (s1 + b);
      s0 = s1;
      s1 = x + y;
    }
    return s1;
  },
};
RANGE_FUNCS.absent_over_time = () => 1;
RANGE_FUNCS.holt_winters = RANGE_FUNCS.double_exponential_smoothing!;
