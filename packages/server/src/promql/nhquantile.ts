// histogram_quantile, histogram_fraction and histogram_stddev/stdvar over one native histogram,
// following Prometheus's interpolation rules (log-linear in exponential buckets, linear in custom
// buckets and in the zero bucket).
import type { Bucket, FloatHistogram } from '../model/histogram.js';

export interface NHResult {
  v: number;
  /** Info annotation text (without the metric name suffix), if any. */
  info?: string;
}

export function nativeQuantile(q: number, h: FloatHistogram): NHResult {
  if (q < 0) return { v: -Infinity };
  if (q > 1) return { v: Infinity };
  if (h.count === 0 || q !== q) return { v: NaN };
  const all = h.buckets();
  const forward = h.sum !== h.sum || q < 0.5;
  const order = forward ? all : all.slice().reverse();
  let rank = forward ? q * h.count : (1 - q) * h.count;
  let count = 0;
  let b: Bucket | undefined;
  let k = 0;
  for (; k < order.length; k++) {
    const x = order[k]!;
    if (x.count === 0) continue;
    b = x;
    count += x.count;
    if (count >= rank) break;
  }
  if (!b) b = order[order.length - 1] ?? { lower: 0, upper: 0, count: 0, index: 0, side: 0 };
  let lower = b.lower, upper = b.upper;
  if (!h.usesCustomBuckets && lower < 0 && upper > 0) {
    if (h.nIdx.length === 0 && h.pIdx.length > 0) lower = 0;
    else if (h.pIdx.length === 0 && h.nIdx.length > 0) upper = 0;
  } else if (h.usesCustomBuckets) {
    if (lower === -Infinity) {
      if (upper <= 0) return { v: upper };
      lower = 0;
    } else if (upper === Infinity) return { v: lower };
  }
  if (count > h.count) count = h.count;
  if (count < rank) {
    if (h.sum !== h.sum) return { v: NaN, info: 'input to histogram_quantile has NaN observations, result is NaN' };
    return { v: upper };
  }
  if (forward) rank -= count - b.count;
  else rank = count - rank;
  let info: string | undefined;
  if (h.sum !== h.sum) {
    let c2 = count;
    for (k++; k < order.length; k++) c2 += order[k]!.count;
    if (c2 < h.count) info = 'input to histogram_quantile has NaN observations, result is skewed higher';
  }
  const fraction = rank / b.count;
  if (h.usesCustomBuckets || (lower <= 0 && upper >= 0)) return { v: lower + (upper - lower) * fraction, info };
  const logLower = Math.log2(Math.abs(lower)), logUpper = Math.log2(Math.abs(upper));
  if (lower > 0) return { v: 2 ** (logLower + (logUpper - logLower) * fraction), info };
  return { v: -(2 ** (logUpper + (logLower - logUpper) * (1 - fraction))), info };
}

function fractionBelow(lower: number, upper: number, v: number, linear: boolean): number {
  if (linear) return (v - lower) / (upper - lower);
  const logLower = Math.log2(Math.abs(lower)), logUpper = Math.log2(Math.abs(upper)), logV = Math.log2(Math.abs(v));
  if (v > 0) return (logV - logLower) / (logUpper - logLower);
  return 1 - (logV - logUpper) / (logLower - logUpper);
}

export function nativeFraction(lowerQ: number, upperQ: number, h: FloatHistogram): NHResult {
  if (h.count === 0 || lowerQ !== lowerQ || upperQ !== upperQ) return { v: NaN };
  if (lowerQ >= upperQ) return { v: 0 };
  let count = 0, rank = 0, lowerRank = 0, upperRank = 0, lowerSet = false, upperSet = false;
  const all = h.buckets();
  let k = 0;
  for (; k < all.length; k++) {
    const b = all[k]!;
    count += b.count;
    let lo = b.lower, up = b.upper, zero = false;
    if (lo <= 0 && up >= 0) {
      zero = true;
      if (h.nIdx.length === 0 && h.pIdx.length > 0) lo = 0;
      else if (h.pIdx.length === 0 && h.nIdx.length > 0) up = 0;
    }
    const linear = h.usesCustomBuckets || zero;
    const interp = (v: number) => {
      if (linear && lo === -Infinity) return b.count;
      return rank + b.count * fractionBelow(lo, up, v, linear);
    };
    if (!lowerSet && lo >= lowerQ) { lowerRank = rank; lowerSet = true; }
    if (!upperSet && lo >= upperQ) { upperRank = rank; upperSet = true; }
    if (lowerSet && upperSet) { k++; break; }
    if (!lowerSet && lo < lowerQ && up > lowerQ) { lowerRank = interp(lowerQ); lowerSet = true; }
    if (!upperSet && lo < upperQ && up > upperQ) { upperRank = interp(upperQ); upperSet = true; }
    if (lowerSet && upperSet) { k++; break; }
    rank += b.count;
  }
  let info: string | undefined;
  if (h.sum !== h.sum) {
    for (; k < all.length; k++) count += all[k]!.count;
    if (count < h.count) info = 'input to histogram_fraction has NaN observations, which are excluded from all fractions';
  } else count = h.count;
  if (!lowerSet || lowerRank > count) lowerRank = count;
  if (!upperSet || upperRank > count) upperRank = count;
  return { v: (upperRank - lowerRank) / h.count, info };
}

/** Estimated variance of the observations (bucket midpoints: geometric, arithmetic for custom/zero). */
export function nativeVariance(h: FloatHistogram): number {
  const mean = h.sum / h.count;
  let variance = 0, c = 0;
  for (const b of h.buckets()) {
    if (b.count === 0) continue;
    let val: number;
    if (h.usesCustomBuckets) val = (b.upper + b.lower) / 2;
    else if (b.lower <= 0 && b.upper >= 0) val = 0;
    else {
      val = Math.sqrt(b.upper * b.lower);
      if (b.upper < 0) val = -val;
    }
    const d = val - mean;
    const x = b.count * d * d;
    const t = variance + x;
    if (!Number.isFinite(t) && t === t) c = 0;
    else if (Math.abs(variance) >= Math.abs(x)) c += variance - t + x;
    else c += x - t + variance;
    variance = t;
  }
  return (Number.isFinite(variance) ? variance + c : variance) / h.count;
}
