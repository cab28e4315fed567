// Seasonal baseline: a profile of the value by time of period (hour-of-day by default; set
// period to 1w for day-of-week × hour), learnt by per-bucket exponential averaging and linearly
// interpolated between bucket centres. The score is the residual against the profile in units of
// the residuals' own running deviation. Catches values wrong for the time of day (a missing
// nightly dip, traffic at 3 a.m.); misses anomalies that look like another time of day; needs a
// few periods of history. Cost: O(1) per sample, 2 × buckets + 4 numbers.
import { BaseDetector } from './base.js';
import { zToScore } from './math.js';
import { checkParams, numParam, type Params } from './types.js';

const AUTO_SAMPLES = 17;

export class Seasonal extends BaseDetector {
  private readonly s: {
    prof: Float64Array; seen: Uint8Array; rmean: number; rvar: number; n: number; vmean: number; vvar: number;
    /** Bucket count in use (0 until chosen from the sample spacing) and the first timestamps. */
    buckets: number; t0: Float64Array; tFirst: number;
  };
  private readonly period: number;
  private readonly maxBuckets: number;
  private readonly alpha: number;
  private readonly ralpha: number;
  private readonly minPeriods: number;
  constructor(params: Params = {}) {
    super('seasonal', params);
    checkParams(params, 'seasonal', ['period', 'buckets', 'alpha', 'residual_alpha', 'min_periods']);
    /** Stay silent until this many periods of history exist (a weekly profile needs weeks). */
    this.minPeriods = numParam(params, 'seasonal', 'min_periods', 0, 0, 1000);
    this.period = numParam(params, 'seasonal', 'period', 86_400_000, 1000, 1e12);
    // 0 = choose from the sample spacing: one bucket per sample interval, between 24 and 288.
    const b = Math.round(numParam(params, 'seasonal', 'buckets', 0, 0, 10_000));
    this.maxBuckets = b || 288;
    this.alpha = numParam(params, 'seasonal', 'alpha', 0.2, 1e-4, 1);
    this.ralpha = numParam(params, 'seasonal', 'residual_alpha', 0.01, 1e-5, 1);
    this.s = {
      prof: new Float64Array(this.maxBuckets), seen: new Uint8Array(this.maxBuckets), rmean: 0, rvar: 0, n: 0, vmean: 0, vvar: 0,
      buckets: b, t0: new Float64Array(AUTO_SAMPLES).fill(NaN), tFirst: NaN,
    };
  }
  protected parts() {
    return { s: this.s };
  }
  /** Interpolated profile at t; NaN until both neighbouring buckets have been seen. */
  private profileAt(t: number): [number, number, number, number] {
    const B = this.s.buckets;
    const pos = ((((t % this.period) + this.period) % this.period) / this.period) * B - 0.5;
    const i0 = (Math.floor(pos) + B) % B;
    const i1 = (i0 + 1) % B;
    const f = pos - Math.floor(pos);
    const s = this.s;
    const p = s.seen[i0]! && s.seen[i1]! ? (1 - f) * s.prof[i0]! + f * s.prof[i1]! : NaN;
    return [p, i0, i1, f];
  }
  /** Picks the bucket count from the median spacing of the first samples. */
  private chooseBuckets(t: number): boolean {
    const s = this.s;
    if (s.buckets) return true;
    let k = 0;
    while (k < AUTO_SAMPLES && !Number.isNaN(s.t0[k]!)) k++;
    if (k < AUTO_SAMPLES) {
      s.t0[k] = t;
      if (k + 1 < AUTO_SAMPLES) return false;
    }
    const d: number[] = [];
    for (let i = 1; i < AUTO_SAMPLES; i++) d.push(Math.abs(s.t0[i]! - s.t0[i - 1]!));
    d.sort((a, b) => a - b);
    const step = d[d.length >> 1]!;
    s.buckets = step > 0 ? Math.max(24, Math.min(this.maxBuckets, Math.round(this.period / step))) : 24;
    return true;
  }
  protected step(t: number, v: number): number {
    const s = this.s;
    if (Number.isNaN(s.tFirst)) {
      s.tFirst = t;
      s.vmean = v; // start the spread estimate at the data, so it does not depend on the level
    }
    if (!this.chooseBuckets(t)) return 0;
    const mature = t - s.tFirst >= this.minPeriods * this.period;
    const [p, i0, i1, f] = this.profileAt(t);
    let score = 0;
    if (Number.isFinite(p)) {
      const r = v - p;
      // Floor: 1% of the value's overall spread, so a perfectly learnt profile does not turn
      // rounding noise into alarms.
      const sd = Math.max(Math.sqrt(s.rvar), 0.01 * Math.sqrt(s.vvar), 1e-9 * Math.abs(p));
      if (s.n >= 20 && mature) {
        this.expect(p + s.rmean, sd);
        score = sd > 0 ? zToScore(Math.abs(r - s.rmean) / sd) : r === s.rmean ? 0 : 1;
      }
      const d = r - s.rmean;
      const a = s.n === 0 ? 1 : this.ralpha;
      s.rmean += a * d;
      s.rvar = (1 - a) * (s.rvar + a * d * d);
      s.n++;
    }
    const dv = v - s.vmean;
    const va = s.n <= 1 ? 0.5 : 0.002;
    s.vmean += va * dv;
    s.vvar = (1 - va) * (s.vvar + va * dv * dv);
    // Update the two neighbouring buckets in proportion to their interpolation weight.
    for (const [i, w] of [[i0, 1 - f], [i1, f]] as const) {
      if (w <= 0) continue;
      if (!s.seen[i]) {
        s.prof[i] = v;
        s.seen[i] = 1;
      } else s.prof[i]! += this.alpha * w * (v - s.prof[i]!);
    }
    return score;
  }
}
