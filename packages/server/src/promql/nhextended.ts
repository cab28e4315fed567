// Extended range selectors (experimental `anchored` / `smoothed`) over native histograms:
// interpolation between histogram samples, the smoothed instant selector, and rate/increase/delta
// over anchored or smoothed ranges (Prometheus's extendedHistogramRate semantics).
import { HistogramError, type FloatHistogram } from '../model/histogram.js';
import { isStaleNaN } from '../model/sample.js';
import { METRIC_NAME, getLabel, type Labels } from '../model/labels.js';
import type { Expr, VectorSelector } from './ast.js';
import type { Annotations } from './annotations.js';
import type { GridSeries } from './value.js';

const MIXED_SCHEMAS = (name: string) => `vector contains a mix of histograms with exponential and custom buckets schemas for metric name "${name}"`;

/** h1 + (h2 - h1) * fraction at time t; a counter reset models h2 as growing from zero. */
export function interpolateHistograms(h1: FloatHistogram, t1: number, h2: FloatHistogram, t2: number, t: number, isCounter: boolean, ann: Annotations, pos: Expr): FloatHistogram {
  if (t === t1) return h1.copy();
  if (t === t2) return h2.copy();
  const fraction = (t - t1) / (t2 - t1);
  if (isCounter && h2.detectReset(h1)) return h2.copy().mul(fraction);
  const r = h2.copy();
  if (r.sub(h1).reconciled) ann.info('mismatched custom buckets were reconciled during subtraction', pos);
  r.mul(fraction);
  if (r.add(h1).reconciled) ann.info('mismatched custom buckets were reconciled during addition', pos);
  return r;
}

/**
 * The smoothed instant selector for a series holding histograms: per step, the window
 * (T - lookback, T + lookback] must hold only floats or only histograms (else a warning);
 * histograms are taken exactly, interpolated between neighbours, or carried forward.
 */
export function smoothHistSeries(labels: Labels, t: Float64Array, v: Float64Array, h: (FloatHistogram | undefined)[], stepT: (i: number) => number, n: number, lb: number, ann: Annotations, vs: VectorSelector): GridSeries | null {
  const name = getLabel(labels, METRIC_NAME);
  const ov = new Float64Array(n), has = new Uint8Array(n);
  const oh: (FloatHistogram | undefined)[] = new Array(n);
  let any = false;
  const len = t.length;
  for (let i = 0; i < n; i++) {
    const T = stepT(i);
    let a = 0, b = len;
    while (a < b) { const m = (a + b) >> 1; if (t[m]! <= T - lb) a = m + 1; else b = m; }
    const lo = a;
    let hi = lo;
    while (hi < len && t[hi]! <= T + lb) hi++;
    const idx: number[] = [];
    let nf = 0, nh = 0;
    for (let k = lo; k < hi; k++) {
      if (h[k]) { nh++; idx.push(k); } else if (!isStaleNaN(v[k]!)) { nf++; idx.push(k); }
    }
    if (!idx.length) continue;
    if (nf && nh) { ann.warn(`encountered a mix of histograms and floats for metric name "${name}"`, vs); continue; }
    let j = 0;
    while (j < idx.length && t[idx[j]!]! < T) j++;
    const cur = j < idx.length ? idx[j]! : -1, prev = j > 0 ? idx[j - 1]! : -1;
    if (nh) {
      let r: FloatHistogram | undefined;
      if (cur >= 0 && t[cur] === T) r = h[cur]!.copy();
      else if (prev >= 0 && cur >= 0) {
        const p = h[prev]!, q = h[cur]!;
        if (p.usesCustomBuckets !== q.usesCustomBuckets) { ann.warn(MIXED_SCHEMAS(name), vs); continue; }
        const isCounter = p.hint !== 'gauge' || q.hint !== 'gauge';
        try {
          r = interpolateHistograms(p, t[prev]!, q, t[cur]!, T, isCounter, ann, vs);
        } catch (err) {
          if (!(err instanceof HistogramError)) throw err;
          ann.warn(MIXED_SCHEMAS(name), vs);
          continue;
        }
      } else if (prev >= 0) {
        r = h[prev]!.copy();
        r.hint = 'unknown';
      }
      if (!r) continue;
      oh[i] = r;
    } else {
      if (cur >= 0 && t[cur] === T) ov[i] = v[cur]!;
      else if (prev >= 0 && cur >= 0) ov[i] = v[prev]! + ((v[cur]! - v[prev]!) * (T - t[prev]!)) / (t[cur]! - t[prev]!);
      else if (prev >= 0) ov[i] = v[prev]!;
      else continue;
    }
    has[i] = 1;
    any = true;
  }
  return any ? { labels, v: ov, has, dropName: false, h: oh } : null;
}

/**
 * rate/increase/delta over an anchored or smoothed range of histogram samples hh[0..len):
 * the samples include the one at or before the range start and, when smoothed, the first one
 * after the end. Returns undefined when there is no result.
 */
export function extendedHistogramRate(ht: Float64Array, hh: FloatHistogram[], rangeStart: number, rangeEnd: number, rangeMs: number, smoothed: boolean, isCounter: boolean, isRate: boolean, name: string, ann: Annotations, pos: Expr): FloatHistogram | undefined {
  let last = hh.length - 1;
  // Index of the last sample at or before the range start (or 0).
  let a = 0, b = last;
  while (a < b) { const m = (a + b) >> 1; if (ht[m]! > rangeStart) b = m; else a = m + 1; }
  const first = Math.max(0, a - 1);
  if (smoothed) {
    a = 0; b = last;
    while (a < b) { const m = (a + b) >> 1; if (ht[m]! >= rangeEnd) b = m; else a = m + 1; }
    last = a;
  }
  if (ht[last]! <= rangeStart) return undefined;
  if (smoothed && ht[first]! > rangeEnd) return undefined;
  const custom = hh[first]!.usesCustomBuckets;
  let warnedGauge = false;
  for (let k = first; k <= last; k++) {
    if (hh[k]!.usesCustomBuckets !== custom) { ann.warn(MIXED_SCHEMAS(name), pos); return undefined; }
    if (isCounter && hh[k]!.hint === 'gauge' && !warnedGauge) { ann.warn(`this native histogram metric is not a counter: "${name}"`, pos); warnedGauge = true; }
  }
  try {
    const left = smoothed && ht[first]! < rangeStart ? interpolateHistograms(hh[first]!, ht[first]!, hh[first + 1]!, ht[first + 1]!, rangeStart, isCounter, ann, pos) : hh[first]!.copy();
    const right = smoothed && last > 0 && ht[last]! > rangeEnd ? interpolateHistograms(hh[last - 1]!, ht[last - 1]!, hh[last]!, ht[last]!, rangeEnd, isCounter, ann, pos) : hh[last]!.copy();
    if (!isCounter && (left.hint !== 'gauge' || right.hint !== 'gauge')) ann.warn(`this native histogram metric is not a gauge: "${name}"`, pos);
    const result = right.copy();
    if (result.sub(left).reconciled) ann.info('mismatched custom buckets were reconciled during subtraction', pos);
    if (isCounter) {
      // Resets strictly inside the range (the boundaries already account for theirs).
      let from = first + 1;
      let prev = left;
      if (smoothed && ht[first]! < rangeStart && hh[first + 1]!.detectReset(hh[first]!)) {
        prev = hh[first + 1]!;
        from++;
      }
      const to = last - 1;
      if (from <= to + 1) {
        let correction: FloatHistogram | undefined;
        const addC = (x: FloatHistogram) => {
          if (!correction) correction = x.copy();
          else if (correction.add(x).reconciled) ann.info('mismatched custom buckets were reconciled during addition', pos);
        };
        for (let k = from; k <= to; k++) {
          if (hh[k]!.detectReset(prev)) addC(prev);
          prev = hh[k]!;
        }
        if (right.detectReset(prev)) addC(prev);
        if (correction && result.add(correction).reconciled) ann.info('mismatched custom buckets were reconciled during addition', pos);
      }
    }
    if (isRate) result.div(rangeMs / 1000);
    result.hint = 'gauge';
    return result.compact();
  } catch (err) {
    if (!(err instanceof HistogramError)) throw err;
    ann.warn(MIXED_SCHEMAS(name), pos);
    return undefined;
  }
}
