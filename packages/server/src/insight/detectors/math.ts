// Small numeric building blocks shared by detectors. All bounded, typed-array backed.

/** Upper tail of the standard normal, Q(z) = P(Z > z) (Abramowitz–Stegun 7.1.26 via erfc). */
export function normalTail(z: number): number {
  return 0.5 * erfc(z / Math.SQRT2);
}

export function erfc(x: number): number {
  const ax = Math.abs(x);
  const t = 1 / (1 + 0.5 * ax);
  // Numerical Recipes erfcc: fractional error < 1.2e-7 everywhere.
  const r =
    t *
    Math.exp(
      -ax * ax - 1.26551223 +
        t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 +
        t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

/**
 * Maps a deviation z (in σ) to [0,1): z²/(z²+9), so 1σ → 0.1, 3σ → 0.5, 9σ → 0.9. Unlike a
 * normal tail probability it does not round to 1 for large z, so scores keep their order.
 */
export function zToScore(z: number): number {
  if (!(z > 0)) return 0;
  if (z === Infinity) return 1;
  const q = z * z;
  return q / (q + 9);
}

export function clamp01(x: number): number {
  return x < 0 ? 0 : x > 1 ? 1 : x === x ? x : 0;
}

/**
 * Mean and variance over roughly the last `blocks * blockSize` samples, kept as a ring of block
 * sums (count, sum, sum of squares). O(1) per sample, memory 3 * blocks doubles. Values are
 * shifted by the first sample to keep sums of squares well conditioned.
 */
export class BlockStats {
  readonly s: { n: Float64Array; sum: Float64Array; sq: Float64Array; head: number; shift: number; init: number };
  constructor(readonly blocks: number, readonly blockSize: number) {
    this.s = { n: new Float64Array(blocks), sum: new Float64Array(blocks), sq: new Float64Array(blocks), head: 0, shift: 0, init: 0 };
  }
  push(x: number): void {
    const s = this.s;
    if (!s.init) {
      s.shift = x;
      s.init = 1;
    }
    let h = s.head;
    if (s.n[h]! >= this.blockSize) {
      h = s.head = (h + 1) % this.blocks;
      s.n[h] = 0;
      s.sum[h] = 0;
      s.sq[h] = 0;
    }
    const d = x - s.shift;
    s.n[h]! += 1;
    s.sum[h]! += d;
    s.sq[h]! += d * d;
  }
  count(): number {
    let n = 0;
    for (let i = 0; i < this.blocks; i++) n += this.s.n[i]!;
    return n;
  }
  /** [count, mean, variance (population)]. */
  stats(out: Float64Array): Float64Array {
    const s = this.s;
    let n = 0, a = 0, b = 0;
    for (let i = 0; i < this.blocks; i++) {
      n += s.n[i]!;
      a += s.sum[i]!;
      b += s.sq[i]!;
    }
    out[0] = n;
    if (n === 0) {
      out[1] = 0;
      out[2] = 0;
      return out;
    }
    const m = a / n;
    out[1] = m + s.shift;
    out[2] = Math.max(0, b / n - m * m);
    return out;
  }
}

/** Fixed-capacity ring of doubles. */
export class Ring {
  readonly s: { buf: Float64Array; head: number; len: number };
  constructor(readonly cap: number) {
    this.s = { buf: new Float64Array(cap), head: 0, len: 0 };
  }
  /** Pushes x; returns the evicted value, or NaN-free `undefined` signalled by len < cap. */
  push(x: number): number {
    const s = this.s;
    const old = s.buf[s.head]!;
    s.buf[s.head] = x;
    s.head = (s.head + 1) % this.cap;
    if (s.len < this.cap) {
      s.len++;
      return NaN;
    }
    return old;
  }
  get length(): number {
    return this.s.len;
  }
  /** i-th most recent (0 = newest). */
  back(i: number): number {
    const s = this.s;
    return s.buf[(s.head - 1 - i + 2 * this.cap) % this.cap]!;
  }
}

/**
 * Sliding window kept sorted for median/MAD: insertion and eviction by binary search and a
 * typed-array shift, O(w) memmove for a fixed w (a few hundred) — constant work per sample.
 */
export class SortedWindow {
  readonly s: { sorted: Float64Array; ring: Float64Array; head: number; len: number };
  constructor(readonly cap: number) {
    this.s = { sorted: new Float64Array(cap), ring: new Float64Array(cap), head: 0, len: 0 };
  }
  private find(x: number): number {
    const a = this.s.sorted;
    let lo = 0, hi = this.s.len;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (a[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
  push(x: number): void {
    const s = this.s;
    if (s.len === this.cap) {
      const old = s.ring[s.head]!;
      const i = this.find(old);
      s.sorted.copyWithin(i, i + 1, s.len);
      s.len--;
    }
    s.ring[s.head] = x;
    s.head = (s.head + 1) % this.cap;
    const j = this.find(x);
    s.sorted.copyWithin(j + 1, j, s.len);
    s.sorted[j] = x;
    s.len++;
  }
  get length(): number {
    return this.s.len;
  }
  quantile(q: number): number {
    const s = this.s;
    if (s.len === 0) return NaN;
    const pos = q * (s.len - 1);
    const i = Math.floor(pos);
    const f = pos - i;
    const a = s.sorted[i]!;
    return f > 0 && i + 1 < s.len ? a + f * (s.sorted[i + 1]! - a) : a;
  }
  median(): number {
    return this.quantile(0.5);
  }
  /** Median absolute deviation around m: a merge outward from m over the sorted values. */
  mad(m: number): number {
    const s = this.s;
    const n = s.len;
    if (n === 0) return NaN;
    const a = s.sorted;
    let r = this.find(m);
    let l = r - 1;
    const k = (n - 1) >> 1; // lower median index of deviations
    let d = 0;
    for (let c = 0; c <= k; c++) {
      const dl = l >= 0 ? m - a[l]! : Infinity;
      const dr = r < n ? a[r]! - m : Infinity;
      if (dl <= dr) {
        d = dl;
        l--;
      } else {
        d = dr;
        r++;
      }
    }
    return d;
  }
}
