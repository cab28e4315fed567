// Quantile sketch for Summary: log-spaced buckets (the DDSketch idea). Any quantile it reports
// is within relative error `alpha` of the exact value at rank floor(q*(n-1)) of the data it
// holds; memory is bounded by `maxBins` buckets per sign (beyond that the lowest buckets are
// folded together, which only affects the smallest magnitudes).

const EMPTY = new Float64Array(0);

class Store {
  counts: Float64Array = EMPTY;
  offset = 0;
  lo = Infinity;
  hi = -Infinity;
  floor = -Infinity;
  total = 0;

  constructor(private readonly maxBins: number) {}

  add(k: number): void {
    if (k < this.floor) k = this.floor;
    let i = k - this.offset;
    if (i < 0 || i >= this.counts.length) {
      this.grow(k);
      if (k < this.floor) k = this.floor;
      i = k - this.offset;
    }
    this.counts[i]!++;
    this.total++;
    if (k < this.lo) this.lo = k;
    if (k > this.hi) this.hi = k;
  }

  private grow(k: number): void {
    let lo = Math.min(this.lo, k);
    const hi = Math.max(this.hi, k);
    if (hi - lo + 1 > this.maxBins) {
      // Fold the lowest keys into the new floor.
      this.floor = hi - this.maxBins + 1;
      lo = this.floor;
    }
    const span = hi - lo + 1;
    const size = Math.min(this.maxBins, Math.max(32, span * 2));
    let offset = lo - ((size - span) >> 1);
    if (this.floor !== -Infinity && offset < this.floor) offset = this.floor;
    if (offset + size - 1 < hi) offset = hi - size + 1;
    const next = new Float64Array(size);
    for (let key = this.lo; key <= this.hi; key++) {
      const c = this.counts[key - this.offset]!;
      if (c === 0) continue;
      const nk = key < lo ? lo : key;
      next[nk - offset]! += c;
    }
    this.counts = next;
    this.offset = offset;
    if (this.lo < lo) this.lo = lo;
  }

  get(k: number): number {
    const i = k - this.offset;
    return i >= 0 && i < this.counts.length ? this.counts[i]! : 0;
  }

  clear(): void {
    this.counts = EMPTY;
    this.offset = 0;
    this.lo = Infinity;
    this.hi = -Infinity;
    this.floor = -Infinity;
    this.total = 0;
  }
}

export class QuantileSketch {
  readonly pos: Store;
  readonly neg: Store;
  zero = 0;
  count = 0;
  min = Infinity;
  max = -Infinity;
  private readonly invLnGamma: number;

  constructor(
    readonly alpha = 0.01,
    maxBins = 2048,
  ) {
    if (!(alpha > 0 && alpha < 1)) throw new RangeError(`sketch relative accuracy must be in (0, 1), got ${alpha}`);
    this.pos = new Store(maxBins);
    this.neg = new Store(maxBins);
    this.invLnGamma = 1 / Math.log((1 + alpha) / (1 - alpha));
  }

  add(v: number): void {
    if (v > 1e-300) this.pos.add(Math.ceil(Math.log(v) * this.invLnGamma));
    else if (v < -1e-300) this.neg.add(Math.ceil(Math.log(-v) * this.invLnGamma));
    else this.zero++;
    this.count++;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
  }

  clear(): void {
    this.pos.clear();
    this.neg.clear();
    this.zero = 0;
    this.count = 0;
    this.min = Infinity;
    this.max = -Infinity;
  }
}

/**
 * Quantiles over the union of several sketches (all built with the same alpha), written to
 * `out` in the order of `qs` (which need not be sorted). NaN when the sketches are empty.
 */
export function sketchQuantiles(sketches: readonly QuantileSketch[], qs: readonly number[], out: Float64Array): void {
  let n = 0;
  let min = Infinity;
  let max = -Infinity;
  let zero = 0;
  let nlo = Infinity;
  let nhi = -Infinity;
  let plo = Infinity;
  let phi = -Infinity;
  for (const s of sketches) {
    if (s.count === 0) continue;
    n += s.count;
    zero += s.zero;
    if (s.min < min) min = s.min;
    if (s.max > max) max = s.max;
    if (s.neg.total) (nlo = Math.min(nlo, s.neg.lo)), (nhi = Math.max(nhi, s.neg.hi));
    if (s.pos.total) (plo = Math.min(plo, s.pos.lo)), (phi = Math.max(phi, s.pos.hi));
  }
  if (n === 0) {
    out.fill(NaN, 0, qs.length);
    return;
  }
  const alpha = sketches[0]!.alpha;
  const gamma = (1 + alpha) / (1 - alpha);
  const order = qs.map((q, i) => [q, i] as const).sort((a, b) => a[0] - b[0]);
  let oi = 0;
  let cum = 0;
  const clamp = (v: number) => (v < min ? min : v > max ? max : v);
  const emit = (value: number) => {
    while (oi < order.length) {
      const [q, idx] = order[oi]!;
      const rank = Math.floor(Math.max(0, Math.min(1, q)) * (n - 1));
      if (cum <= rank) return;
      out[idx] = clamp(value);
      oi++;
    }
  };
  // Negative values: largest magnitude (highest key) first.
  for (let k = nhi; k >= nlo && oi < order.length; k--) {
    let c = 0;
    for (const s of sketches) c += s.neg.get(k);
    if (c === 0) continue;
    cum += c;
    emit((-2 * Math.pow(gamma, k)) / (gamma + 1));
  }
  if (zero && oi < order.length) {
    cum += zero;
    emit(0);
  }
  for (let k = plo; k <= phi && oi < order.length; k++) {
    let c = 0;
    for (const s of sketches) c += s.pos.get(k);
    if (c === 0) continue;
    cum += c;
    emit((2 * Math.pow(gamma, k)) / (gamma + 1));
  }
  while (oi < order.length) out[order[oi++]![1]] = max;
}

// Shared coarse clock for windowed summaries. Date.now() costs about as much as the rest of
// observe(), so sub-windows of 2 s or more read this variable instead; one unref'd timer keeps it
// within COARSE_MS of the real time (longer while the event loop is blocked, which only delays a
// rotation; reads always rotate by the real clock).
const COARSE_MS = 100;
let coarseNow = Date.now();
let coarseTimer: ReturnType<typeof setInterval> | undefined;
function startCoarseClock(): void {
  if (coarseTimer !== undefined) return;
  coarseNow = Date.now();
  coarseTimer = setInterval(() => (coarseNow = Date.now()), COARSE_MS);
  coarseTimer.unref?.();
}

/**
 * A ring of `ageBuckets` sketches covering the last `maxAgeSeconds`: observations go to the
 * newest; every maxAgeSeconds/ageBuckets the oldest is cleared and becomes the newest. Reads
 * merge the ring, so they cover between (ageBuckets-1)/ageBuckets and all of maxAgeSeconds.
 * With maxAgeSeconds = 0 there is one sketch and no expiry.
 */
export class SlidingQuantiles {
  private readonly ring: QuantileSketch[];
  private head = 0;
  private nextRotate: number;
  private readonly stepMs: number;

  /** Clock for observe(); undefined = the shared coarse clock. */
  private readonly observeClock: (() => number) | undefined;
  private readonly now: () => number;

  constructor(
    maxAgeSeconds: number,
    ageBuckets: number,
    alpha: number,
    /** Clock in ms (tests pass a fake one). */
    clock?: () => number,
  ) {
    const windowed = maxAgeSeconds > 0;
    const n = windowed ? ageBuckets : 1;
    this.ring = Array.from({ length: n }, () => new QuantileSketch(alpha));
    this.stepMs = windowed ? (maxAgeSeconds * 1000) / n : Infinity;
    this.now = clock ?? Date.now;
    this.observeClock = clock ?? (this.stepMs < 2000 ? Date.now : undefined);
    if (windowed && this.observeClock === undefined) startCoarseClock();
    this.nextRotate = this.now() + this.stepMs;
  }

  observe(v: number): void {
    if (this.stepMs !== Infinity) {
      const now = this.observeClock === undefined ? coarseNow : this.observeClock();
      if (now >= this.nextRotate) this.rotate(now);
    }
    this.ring[this.head]!.add(v);
  }

  private rotate(now: number): void {
    let steps = 0;
    while (now >= this.nextRotate && steps < this.ring.length) {
      this.head = (this.head + 1) % this.ring.length;
      this.ring[this.head]!.clear();
      this.nextRotate += this.stepMs;
      steps++;
    }
    if (now >= this.nextRotate) this.nextRotate = now + this.stepMs; // idle longer than the window
  }

  /** Observations currently inside the window. */
  size(): number {
    if (this.stepMs !== Infinity) this.rotate(this.now());
    let n = 0;
    for (const s of this.ring) n += s.count;
    return n;
  }

  quantiles(qs: readonly number[], out: Float64Array): void {
    if (this.stepMs !== Infinity) this.rotate(this.now());
    sketchQuantiles(this.ring, qs, out);
  }

  reset(): void {
    for (const s of this.ring) s.clear();
  }
}
