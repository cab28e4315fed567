// Robust z-score: distance from the window median in units of the median absolute deviation
// (scaled by 1.4826 to match σ for normal data) — the 3-sigma rule, unmoved by the outliers it
// is looking for. Catches spikes and dips; misses seasonal shape changes and slow drifts.
// Cost: a sorted window of `window` values (default 512): O(window) memmove per sample, 8 KB.
import { BaseDetector } from './base.js';
import { SortedWindow, zToScore } from './math.js';
import { checkParams, numParam, type Params } from './types.js';

export class RobustZ extends BaseDetector {
  private readonly win: SortedWindow;
  private readonly k: number;
  constructor(params: Params = {}) {
    super('robust_z', params);
    checkParams(params, 'robust_z', ['window', 'k']);
    this.win = new SortedWindow(numParam(params, 'robust_z', 'window', 512, 8, 1 << 16));
    /** z is divided by k/3 so that `k` robust sigmas map to the score of 3σ. */
    this.k = numParam(params, 'robust_z', 'k', 3, 0.1, 100);
  }
  protected parts() {
    return { win: this.win.s };
  }
  protected step(_t: number, v: number): number {
    let score = 0;
    if (this.win.length >= 8) {
      const med = this.win.median();
      const sd = 1.4826 * this.win.mad(med);
      // MAD is 0 when most of the window sits on one level (square waves, idle counters): floor
      // the scale at a fraction of the window's 1–99% spread, then at a tiny relative scale.
      const spread = this.win.quantile(0.99) - this.win.quantile(0.01);
      const scale = Math.max(sd, 0.1 * spread, Math.abs(med) * 1e-6, 1e-12);
      this.expect(med, scale, this.k);
      score = zToScore(((Math.abs(v - med) / scale) * 3) / this.k);
    }
    this.win.push(v);
    return score;
  }
}
