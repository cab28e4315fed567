// Dynamic threshold bands: rolling upper/lower percentiles of a series with seasonal adjustment.
// The band is `profile(t) + quantile(residuals)`: a time-of-day (or hour-of-week) profile learnt
// by exponential averaging, plus residual percentiles from two log-binned histograms (positive
// and negative residuals) whose weights decay with a time constant of `window`, so the band
// covers about that much history. Memory is fixed: ≤ 168 profile slots + 2 × 64 bins.
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
    prof: Float64Array; seen: Uint8Array; pos: Float64Array; neg: Float64Array; zero: number;
    base: number; lastT: number; n: number;
  };
  constructor(readonly o: BandOptions) {
    this.slots = o.periodMs > 0 ? Math.max(1, Math.round(o.periodMs / 3_600_000)) : 1;
    this.slotMs = o.periodMs > 0 ? o.periodMs / this.slots : Infinity;
    this.s = {
      prof: new Float64Array(this.slots), seen: new Uint8Array(this.slots), pos: new Float64Array(BINS), neg: new Float64Array(BINS),
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
  private binValue(k: number): number {
    // Geometric middle of the bin (bin 0 holds everything below base).
    return k === 0 ? this.s.base / 2 : this.s.base * Math.pow(GROWTH, k - 0.5);
  }

  /** Residual quantile q in (0,1) from the decayed histograms. */
  private quantile(q: number): number {
    const s = this.s;
    let total = s.zero;
    for (let i = 0; i < BINS; i++) total += s.pos[i]! + s.neg[i]!;
    if (total <= 0) return 0;
    let target = q * total;
    // From the most negative up.
    for (let i = BINS - 1; i >= 0; i--) {
      target -= s.neg[i]!;
      if (target <= 0) return -this.binValue(i);
    }
    target -= s.zero;
    if (target <= 0) return 0;
    for (let i = 0; i < BINS; i++) {
      target -= s.pos[i]!;
      if (target <= 0) return this.binValue(i);
    }
    return this.binValue(BINS - 1);
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
      s.prof[k]! += 0.1 * r;
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
