// EWMA deviation: distance from an exponentially weighted moving average in units of the
// exponentially weighted standard deviation of the residuals. Adapts to level changes within
// ~1/alpha samples. Catches sudden jumps and spikes; misses slow drifts and seasonal changes.
// Cost: O(1) per sample, 4 numbers.
import { BaseDetector } from './base.js';
import { zToScore } from './math.js';
import { checkParams, numParam, type Params } from './types.js';

export class Ewma extends BaseDetector {
  private readonly s = { mean: 0, var: 0, n: 0 };
  private readonly alpha: number;
  private readonly warmup: number;
  constructor(params: Params = {}) {
    super('ewma', params);
    checkParams(params, 'ewma', ['alpha', 'warmup']);
    this.alpha = numParam(params, 'ewma', 'alpha', 0.05, 1e-5, 1);
    this.warmup = numParam(params, 'ewma', 'warmup', 20, 1, 1e6);
  }
  protected parts() {
    return { s: this.s };
  }
  protected step(_t: number, v: number): number {
    const s = this.s;
    if (s.n === 0) {
      s.mean = v;
      s.n = 1;
      return 0;
    }
    const d = v - s.mean;
    // Relative floor: rounding noise on a constant series far from zero is not a deviation.
    const sd = Math.max(Math.sqrt(s.var), 1e-9 * Math.abs(s.mean));
    let score = 0;
    if (s.n >= this.warmup) {
      this.expect(s.mean, sd);
      score = sd > 0 ? zToScore(Math.abs(d) / sd) : d === 0 ? 0 : 1;
    }
    const a = this.alpha;
    s.mean += a * d;
    s.var = (1 - a) * (s.var + a * d * d);
    s.n++;
    return score;
  }
}
