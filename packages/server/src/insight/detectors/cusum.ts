// Level shift / change point: a two-sided CUSUM of standardised residuals against a slow
// baseline. Small persistent shifts accumulate until the sum crosses `h`; then the baseline
// re-anchors at the new level so one change alarms once. Catches level shifts and slow drifts
// that per-sample tests miss; misses single spikes (by design) and variance-only changes.
// Cost: O(1) per sample, 7 numbers.
import { BaseDetector } from './base.js';
import { zToScore } from './math.js';
import { checkParams, numParam, type Params } from './types.js';

export class Cusum extends BaseDetector {
  private readonly s = { mean: 0, var: 0, fast: 0, pos: 0, neg: 0, n: 0, since: 0 };
  private readonly alpha: number;
  private readonly k: number;
  private readonly h: number;
  constructor(params: Params = {}) {
    super('cusum', params);
    checkParams(params, 'cusum', ['alpha', 'k', 'h']);
    this.alpha = numParam(params, 'cusum', 'alpha', 0.005, 1e-6, 1);
    this.k = numParam(params, 'cusum', 'k', 0.5, 0, 10);
    this.h = numParam(params, 'cusum', 'h', 8, 0.1, 1000);
  }
  protected parts() {
    return { s: this.s };
  }
  protected step(_t: number, v: number): number {
    const s = this.s;
    if (s.n === 0) {
      s.mean = s.fast = v;
      s.n = 1;
      return 0;
    }
    // Relative floor: rounding noise on a constant series far from zero is not a deviation.
    const sd = Math.max(Math.sqrt(s.var), 1e-9 * Math.abs(s.mean));
    const d = v - s.mean;
    let score = 0;
    if (s.n >= 30 && sd > 0) {
      this.expect(s.mean, sd);
      const z = Math.max(-6, Math.min(6, d / sd)); // clipped: one spike is not a level shift
      s.pos = Math.max(0, s.pos + z - this.k);
      s.neg = Math.max(0, s.neg - z - this.k);
      const c = Math.max(s.pos, s.neg);
      // Below h the score grows towards 0.5; an alarm scores 0.5–1 by the size of the shift (recent
      // level vs baseline, in σ), so big shifts rank above marginal ones.
      score = c >= this.h ? 0.5 + 0.5 * zToScore(Math.abs(s.fast - s.mean) / sd) : (c / this.h) * 0.5;
      if (c >= this.h) {
        // Re-anchor at the recent level; the variance estimate is kept.
        s.mean = s.fast;
        s.pos = s.neg = 0;
        s.since = 0;
      }
    }
    const a = s.since < 1 / this.alpha ? Math.max(this.alpha, 1 / (s.since + 2)) : this.alpha;
    const dd = v - s.mean;
    s.mean += a * dd;
    s.var = (1 - a) * (s.var + a * dd * dd);
    s.fast += 0.2 * (v - s.fast);
    s.since++;
    s.n++;
    return score;
  }
}
