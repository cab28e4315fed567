// Ensemble: cheap detectors vote through the anomaly likelihood, plus a range check and
// suppression of repeats. Each sample:
//  - components score it: daily profile (`seasonal`), weekly profile once two weeks of history
//    exist (`weekly`), EWMA deviation (`ewma`) and level shift (`cusum`);
//  - each component score goes through its own anomaly likelihood (is the recent average score
//    unusual against its long-run distribution?) and the largest likelihood wins, so a component
//    that is always noisy on this series stops alarming while a change in predictability alarms;
//  - spatial: a value beyond the range seen so far (by 10 % of that range) scores 1;
//  - suppression: after an alarm (score >= 0.5) likelihood alarms within `suppress` samples are
//    damped, because one incident should page once and its onset matters most.
// Catches spikes, level shifts, time-of-day/day-of-week violations and changes in
// predictability; misses anomalies inside the normal range that keep the local statistics.
// Cost: ≈ 18 KB per series, ~3–5 µs per sample (see `npm run bench -- anomaly`).
import { BaseDetector } from './base.js';
import { Cusum } from './cusum.js';
import { Ewma } from './ewma.js';
import { Likelihood } from './likelihood.js';
import { RobustZ } from './robustz.js';
import { Seasonal } from './seasonal.js';
import { IForestUni } from './iforest.js';
import { checkParams, numParam, type Explanation, type Params } from './types.js';

const KNOWN = ['suppress', 'spatial_tolerance', 'warmup', 'period', 'short', 'long', 'combine', 'components', 'lh_min_sd', 'spatial_bypass', 'damp', 'ewma_alpha', 'seasonal_alpha', 'cusum_h', 'weekly_min_periods'];

export class Ensemble extends BaseDetector {
  private readonly comps: { name: string; d: BaseDetector }[];
  private readonly lh: Likelihood | undefined;
  /** Per-component likelihoods (combine = 2: the max of per-component likelihoods). */
  private readonly lhs: Likelihood[];
  /** Last likelihood per component (for explain). */
  private readonly lhLast: Float64Array;
  private readonly s = { min: Infinity, max: -Infinity, n: 0, lastAlarm: -1e18, raw: 0, lhScore: 0, spatial: 0 };
  private readonly suppress: number;
  private readonly tol: number;
  private readonly warmup: number;
  private readonly combine: number;
  private readonly spatialBypass: boolean;
  private readonly damp: number;
  constructor(params: Params = {}) {
    super('ensemble', params);
    checkParams(params, 'ensemble', KNOWN);
    this.suppress = numParam(params, 'ensemble', 'suppress', 200, 0, 1e6);
    this.combine = numParam(params, 'ensemble', 'combine', 2, 0, 2); // 0 = mean, 1 = max, 2 = max of likelihoods
    this.tol = numParam(params, 'ensemble', 'spatial_tolerance', 0.1, 0, 10);
    this.warmup = numParam(params, 'ensemble', 'warmup', 150, 0, 1e6);
    this.spatialBypass = params.spatial_bypass !== false;
    this.damp = numParam(params, 'ensemble', 'damp', 0.25, 0, 0.5);
    const period = numParam(params, 'ensemble', 'period', 86_400_000, 1000, 1e12);
    const short = numParam(params, 'ensemble', 'short', 10, 1, 1000);
    const long = numParam(params, 'ensemble', 'long', 8640, 64, 1e6);
    const minSd = numParam(params, 'ensemble', 'lh_min_sd', 0.05, 0, 1);
    const ewmaAlpha = numParam(params, 'ensemble', 'ewma_alpha', 0.1, 1e-4, 1);
    const seasonalAlpha = numParam(params, 'ensemble', 'seasonal_alpha', 0.2, 1e-4, 1);
    const cusumH = numParam(params, 'ensemble', 'cusum_h', 12, 0.1, 1000);
    const weeklyMin = numParam(params, 'ensemble', 'weekly_min_periods', 2, 0, 100);
    const which = String(params.components ?? 'seasonal,weekly,ewma,cusum').split(',');
    const all: Record<string, () => BaseDetector> = {
      ewma: () => new Ewma({ alpha: ewmaAlpha }),
      seasonal: () => new Seasonal({ period, alpha: seasonalAlpha }),
      weekly: () => new Seasonal({ period: 7 * 86_400_000, alpha: seasonalAlpha, min_periods: weeklyMin }),
      robust_z: () => new RobustZ({ window: 128 }),
      cusum: () => new Cusum({ h: cusumH }),
      iforest: () => new IForestUni({ calibrate: false }),
    };
    this.comps = which.map((w) => {
      const f = all[w.trim()];
      if (!f) throw new Error(`detector ensemble: unknown component ${w} (known: ${Object.keys(all).join(', ')})`);
      return { name: w.trim(), d: f() };
    });
    this.lh = this.combine === 2 ? undefined : new Likelihood(short, long, Math.min(300, long / 2), minSd);
    this.lhs = this.combine === 2 ? this.comps.map(() => new Likelihood(short, long, Math.min(300, long / 2), minSd)) : [];
    this.lhLast = new Float64Array(this.lhs.length);
  }
  protected parts() {
    const p: Record<string, object> = { s: this.s, lhLast: { v: this.lhLast } };
    if (this.lh) p.lh = this.lh.parts();
    this.lhs.forEach((l, i) => (p[`lh${i}`] = l.parts()));
    for (const c of this.comps) p[`c_${c.name}`] = c.d.stateTree();
    return p;
  }
  protected step(t: number, v: number): number {
    const s = this.s;
    let sum = 0, mx = 0, lmax = 0;
    for (let i = 0; i < this.comps.length; i++) {
      const x = this.comps[i]!.d.update(t, v);
      sum += x;
      if (x > mx) mx = x;
      if (this.combine === 2) {
        const l = (this.lhLast[i] = this.lhs[i]!.update(x));
        if (l > lmax) lmax = l;
      }
    }
    const raw = this.combine >= 1 ? mx : sum / this.comps.length;
    const lh = this.lh ? this.lh.update(raw) : lmax;
    let spatial = 0;
    const range = s.max - s.min;
    if (s.n >= this.warmup && range > 0 && (v > s.max + this.tol * range || v < s.min - this.tol * range)) spatial = 1;
    if (v < s.min) s.min = v;
    if (v > s.max) s.max = v;
    s.n++;
    s.raw = raw;
    s.lhScore = lh;
    s.spatial = spatial;
    // Expected range: from the first component that has one (the profile, when learnt).
    let e;
    for (const c of this.comps) if ((e = c.d.explain().expected)) break;
    if (e) {
      this.last.mean = e.mean;
      this.last.lo = e.lo;
      this.last.hi = e.hi;
    }
    let score = spatial ? 1 : lh;
    if (s.n < this.warmup) score = 0;
    if (score >= 0.5) {
      // A value outside everything seen so far is always reported; likelihood alarms repeat
      // only after the suppression period.
      if (s.n - s.lastAlarm < this.suppress && !(spatial && this.spatialBypass)) score *= this.damp;
      else s.lastAlarm = s.n;
    }
    return score;
  }
  override explain(): Explanation {
    const e = super.explain();
    e.components = { raw: this.s.raw, likelihood: this.s.lhScore, spatial: this.s.spatial };
    this.comps.forEach((c, i) => {
      e.components![c.name] = c.d.explain().score;
      if (this.lhs.length) e.components![`lh_${c.name}`] = this.lhLast[i]!;
    });
    return e;
  }
}
