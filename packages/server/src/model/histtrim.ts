// The native-histogram trim operators `</` and `>/` (Prometheus's TrimBuckets): keep the
// observations below / above a value, interpolating inside the bucket that contains it
// (log-linear for exponential buckets, linear for custom buckets and the zero bucket), and
// re-estimate count and sum from bucket midpoints when anything was cut.
import { expBound } from './histbounds.js';
import type { FloatHistogram } from './histogram.js';

/** Trims `h` in place. */
export function trimHistogram(h: FloatHistogram, rhs: number, upper: boolean): void {
  const custom = h.usesCustomBuckets;
  let newCount = 0, newSum = 0, trimmed = false, hasPos = false, hasNeg = false;
  const side = (idx: number[], cnt: number[], positive: boolean) => {
    for (let i = 0; i < idx.length; i++) {
      const c = cnt[i]!;
      if (c === 0) continue;
      if (positive) hasPos = true; else hasNeg = true;
      const k = idx[i]!;
      let lo: number, up: number;
      if (custom) {
        const cv = h.customValues ?? [];
        lo = k === 0 ? -Infinity : cv[k - 1]!;
        up = k >= cv.length ? Infinity : cv[k]!;
      } else if (positive) { lo = expBound(k - 1, h.schema); up = expBound(k, h.schema); }
      else { lo = -expBound(k, h.schema); up = -expBound(k - 1, h.schema); }
      const whole = upper ? up <= rhs : lo >= rhs;
      const partial = upper ? lo < rhs : up > rhs;
      if (whole) {
        newCount += c;
        newSum += midpoint(lo, up, positive, custom) * c;
      } else if (partial) {
        const [keep, mid] = bucketTrim(lo, up, c, rhs, upper, positive, custom);
        newCount += keep;
        newSum += mid * keep;
        if (keep !== c) { cnt[i] = keep; trimmed = true; }
      } else {
        cnt[i] = 0;
        trimmed = true;
      }
    }
  };
  side(h.pIdx, h.pCnt, true);
  side(h.nIdx, h.nCnt, false);
  if (h.zeroCount > 0) {
    let lo = -h.zeroThreshold, up = h.zeroThreshold;
    if (hasNeg && !hasPos) up = 0;
    if (hasPos && !hasNeg) lo = 0;
    let keep: number, mid: number;
    const zc = h.zeroCount;
    if (upper) {
      if (rhs <= lo) { keep = 0; mid = 0; }
      else if (rhs >= up) { keep = zc; mid = (lo + up) / 2; }
      else { keep = (zc * (rhs - lo)) / (up - lo); mid = (lo + rhs) / 2; }
    } else if (rhs <= lo) { keep = zc; mid = (lo + up) / 2; }
    else if (rhs >= up) { keep = 0; mid = 0; }
    else { keep = (zc * (up - rhs)) / (up - lo); mid = (rhs + up) / 2; }
    if (keep !== zc) { h.zeroCount = keep; trimmed = true; }
    newSum += mid * keep;
    newCount += keep;
  }
  if (trimmed) {
    h.count = newCount;
    h.sum = newSum;
    h.compact();
  }
}

/** Representative value of the surviving part [lo, up] of a bucket (for trimmed sums). */
function midpoint(lo: number, up: number, positive: boolean, linear: boolean): number {
  const inf = (x: number) => x === Infinity || x === -Infinity;
  if (inf(lo)) {
    if (inf(up)) return 0;
    return up > 0 ? up / 2 : up;
  }
  if (inf(up)) return lo;
  if (linear) return (lo + up) / 2;
  const g = Math.sqrt(Math.abs(lo * up));
  return positive ? g : -g;
}

/** Fraction of a bucket's width at or below v (linear, or on a log scale for exponential buckets). */
function fractionBelow(lo: number, up: number, v: number, linear: boolean): number {
  if (linear) return (v - lo) / (up - lo);
  const ll = Math.log2(Math.abs(lo)), lu = Math.log2(Math.abs(up)), lv = Math.log2(Math.abs(v));
  if (v > 0) return (lv - ll) / (lu - ll);
  return 1 - (lv - lu) / (ll - lu);
}

/** [kept count, midpoint of the kept part] for a bucket containing the trim point. */
function bucketTrim(lo: number, up: number, c: number, rhs: number, upper: boolean, positive: boolean, custom: boolean): [number, number] {
  const zeroIfInf = (x: number) => (x === Infinity || x === -Infinity ? 0 : x);
  if (lo === -Infinity) {
    if (upper) {
      if (rhs >= up) return [c, 0];
      if (rhs > 0 && up > 0 && up !== Infinity) return [(c * rhs) / up, rhs / 2];
      if (up <= 0) return [c, rhs];
      return [0, zeroIfInf(up)];
    }
    if (rhs <= lo) return [c, 0];
    if (rhs >= 0 && up > rhs && up !== Infinity) return [c * (1 - rhs / up), (rhs + up) / 2];
    return [0, zeroIfInf(up)];
  }
  if (up === Infinity) {
    if (upper) return [0, zeroIfInf(lo)];
    if (rhs >= lo) return [c, rhs];
    return [0, zeroIfInf(lo)];
  }
  const under = rhs <= lo ? 0 : rhs >= up ? c : c * fractionBelow(lo, up, rhs, custom);
  if (upper) return [under, midpoint(lo, rhs, positive, custom)];
  return [c - under, midpoint(rhs, up, positive, custom)];
}
