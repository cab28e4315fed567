// Windowed Gaussian (NAB's baseline): how many standard deviations the value lies from the mean of
// the previous ~window samples. Catches spikes on stationary series; misses changes in shape,
// seasonality and slow drifts; a single outlier inflates the deviation for the whole window.
// Cost: O(blocks) per sample (a ring of 64 block sums), 1.6 KB per series.
import { BaseDetector } from './base.js';
import { BlockStats, zToScore } from './math.js';
import { checkParams, numParam, type Params } from './types.js';

export class WindowedGaussian extends BaseDetector {
  private readonly stats: BlockStats;
  private readonly tmp = new Float64Array(3);
  constructor(params: Params = {}) {
    super('gaussian', params);
    checkParams(params, 'gaussian', ['window']);
    const window = numParam(params, 'gaussian', 'window', 6400, 64, 1e7);
    const blocks = 64;
    this.stats = new BlockStats(blocks, Math.max(1, Math.round(window / blocks)));
  }
  protected parts() {
    return { stats: this.stats.s };
  }
  protected step(_t: number, v: number): number {
    const [n, mean, variance] = this.stats.stats(this.tmp) as unknown as [number, number, number];
    this.stats.push(v);
    if (n < 2) return 0;
    const sd = Math.max(Math.sqrt(variance), 1e-9 * Math.abs(mean));
    this.expect(mean, sd);
    if (sd === 0) return v === mean ? 0 : 1;
    return zToScore(Math.abs(v - mean) / sd);
  }
}
