// Dynamic threshold bands: rolling upper/lower percentiles of a series with seasonal adjustment.
// The band is `profile(t) + quantile(residuals)`: a time-of-day (or hour-of-week) profile learnt
// by exponential averaging, plus residual percentiles from two log-binned histograms (positive
// and negative residuals) whose weights decay with a time constant of `window`, so the band
// covers about that much history. Memory is fixed: ≤ 168 profile slots (level, count, last
// update) + 2 × 64 bins.
import { assignState, decodeState, encodeState, type StateValue } from './detectors/state.js';

const BINS = 64;
const GROWTH = 1.3; // bin i covers [base·g^(i-1), base·g^i); 64 bins span ~7 decades

export interface Band {
  upper: number;
  lower: number;
}

export interface BandOptions {
  windowMs: number;
  upperQuantile: number;
  lowerQuantile: number;
  /** 0 (none), 86400000 (daily, 24 hourly slots) or 604800000 (weekly, 168 slots). */
  periodMs: number;
}

export class ThresholdBand {
  private readonly slots: number;
  private readonly slotMs: number;
  readonly s: {
    prof: Float64Array; seen: Uint8Array; cnt: Int32Array; slotT: Float64Array; pos: Float64Array; neg: Float64Array; zero: number;
    base: number; lastT: number; n: number;
  };
  constructor(readonly o: BandOptions) {
    this.slots = o.periodMs > 0 ? Math.max(1, Math.round(o.periodMs / 3_600_000)) : 1;
    this.slotMs = o.periodMs > 0 ? o.periodMs / this.slots : Infinity;
    this.s = {
      prof: new Float64Array(this.slots), seen: new Uint8Array(this.slots), cnt: new Int32Array(this.slots), slotT: new Float64Array(this.slots), pos: new Float64Array(BINS), neg: new Float64Array(BINS),
      zero: 0, base: 0, lastT: NaN, n: 0,
    };
  }

  private slot(t: number): number {
    if (this.slots === 1) return 0;
    return Math.floor((((t % this.o.periodMs) + this.o.periodMs) % this.o.periodMs) / this.slotMs) % this.slots;
  }

  private bin(a: number): number {
    const k = Math.floor(Math.log(a / this.s.base) / Math.log(GROWTH)) + 1;
    return k < 0 ? 0 : k >= BINS ? BINS - 1 : k;
  }
  /** Edges of bin k (bin 0 holds everything below base). */
  private binLo(k: number): number {
    return k === 0 ? 0 : this.s.base * Math.pow(GROWTH, k - 1);
  }
  private binHi(k: number): number {
    return this.s.base * Math.pow(GROWTH, k);
  }

  /** Residual quantile q in (0,1) from the decayed histograms, interpolated within a bin. */
  private quantile(q: number): number {
    const s = this.s;
    let total = s.zero;
    for (let i = 0; i < BINS; i++) total += s.pos[i]! + s.neg[i]!;
    if (total <= 0) return 0;
    let target = q * total;
    // From the most negative up: a negative bin is walked from its far edge to its near edge.
    for (let i = BINS - 1; i >= 0; i--) {
      const c = s.neg[i]!;
      if (target <= c && c > 0) return -(this.binHi(i) - (target / c) * (this.binHi(i) - this.binLo(i)));
      target -= c;
    }
    if (target <= s.zero) return 0;
    target -= s.zero;
    for (let i = 0; i < BINS; i++) {
      const c = s.pos[i]!;
      if (target <= c && c > 0) return this.binLo(i) + (target / c) * (this.binHi(i) - this.binLo(i));
      target -= c;
    }
    return this.binHi(BINS - 1);
  }

  /** The band expected at time t (before seeing its value); undefined while learning. */
  band(t: number): Band | undefined {
    const s = this.s;
    const k = this.slot(t);
    if (s.n < 10 || !s.seen[k]) return undefined;
    const p = s.prof[k]!;
    return { upper: p + this.quantile(this.o.upperQuantile), lower: p + this.quantile(this.o.lowerQuantile) };
  }

  /** Learns from a sample; returns the band that applied to it (undefined while learning). */
  update(t: number, v: number): Band | undefined {
    if (!Number.isFinite(v) || !Number.isFinite(t)) return undefined;
    const s = this.s;
    const b = this.band(t);
    const k = this.slot(t);
    if (s.base === 0) s.base = Math.max(Math.abs(v) * 1e-4, 1e-9);
    if (!s.seen[k]) {
      s.prof[k] = v;
      s.seen[k] = 1;
      s.cnt[k] = 1;
      s.slotT[k] = t;
    } else {
      const r = v - s.prof[k]!;
      // Decay by elapsed time so the histograms cover ~window of history.
      const dt = Number.isNaN(s.lastT) ? 0 : Math.max(0, t - s.lastT);
      const f = Math.exp(-dt / this.o.windowMs);
      if (f < 1) {
        for (let i = 0; i < BINS; i++) {
          s.pos[i]! *= f;
          s.neg[i]! *= f;
        }
        s.zero *= f;
      }
      if (r > 0) s.pos[this.bin(r)]! += 1;
      else if (r < 0) s.neg[this.bin(-r)]! += 1;
      else s.zero += 1;
      // The slot's level moves with the window's time constant (a running mean while young), so
      // the band reflects the last ~window of history rather than the last few samples.
      const a = Math.max(1 / (s.cnt[k]! + 1), 1 - Math.exp(-Math.max(0, t - s.slotT[k]!) / this.o.windowMs));
      s.prof[k]! += a * r;
      if (s.cnt[k]! < 1e9) s.cnt[k]!++;
      s.slotT[k] = t;
    }
    s.lastT = t;
    s.n++;
    return b;
  }

  toJSON(): unknown {
    return encodeState(this.s as unknown as StateValue);
  }
  load(state: unknown): void {
    assignState(this.s as unknown as Record<string, unknown>, decodeState(state), 'threshold band state');
  }
}
