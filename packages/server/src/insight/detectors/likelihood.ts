// Anomaly likelihood (the post-processing HTM made popular, our own formulation): instead of
// thresholding a raw prediction error, ask how unusual the *recent average* error is compared
// with the long-run distribution of that average. A series that is always hard to predict stops
// alarming; a change in predictability alarms even if single errors are modest. Output is the
// upper-tail confidence mapped through a log scale so that 0.5 ≈ 1e-5 tail probability.
// Cost: O(blocks) per sample; short ring + block stats ≈ 1.7 KB.
import { BlockStats, Ring, normalTail } from './math.js';

export class Likelihood {
  private readonly shortRing: Ring;
  private readonly hist: BlockStats;
  private readonly tmp = new Float64Array(3);
  readonly s = { sum: 0, n: 0 };
  constructor(
    readonly short = 10,
    readonly longWindow = 4096,
    readonly warmup = 300,
    readonly minSd = 0.02,
  ) {
    this.shortRing = new Ring(short);
    this.hist = new BlockStats(32, Math.max(1, Math.round(longWindow / 32)));
  }
  parts() {
    return { ring: this.shortRing.s, hist: this.hist.s, s: this.s };
  }
  /** Feeds a raw score in [0,1]; returns the likelihood-based score in [0,1]. */
  update(raw: number): number {
    const old = this.shortRing.push(raw);
    this.s.sum += raw - (Number.isNaN(old) ? 0 : old);
    const avg = this.s.sum / this.shortRing.length;
    const [n, mean, variance] = this.hist.stats(this.tmp) as unknown as [number, number, number];
    this.hist.push(avg);
    this.s.n++;
    if (n < this.warmup) return 0;
    const sd = Math.max(Math.sqrt(variance), this.minSd);
    const tail = normalTail((avg - mean) / sd);
    return logScale(1 - tail);
  }
}

/** Spreads likelihoods near 1 over [0,1]: 1 - 1e-10 → 1, 1 - 1e-5 → 0.5, 0.9 → 0.1. */
export function logScale(l: number): number {
  const x = Math.log(1.0000000001 - l) / Math.log(1e-10);
  return x < 0 ? 0 : x > 1 ? 1 : x;
}

/**
 * Turns a raw anomaly score into an alarm score: the anomaly likelihood, then suppression of
 * repeated alarms (score >= 0.5) within `suppress` samples (damped to a quarter), so one incident
 * alarms once at its onset. Used where a detector's raw score is poorly calibrated (iforest).
 */
export class Calibrator {
  private readonly lh: Likelihood;
  readonly s = { n: 0, lastAlarm: -1e18 };
  constructor(
    readonly suppress = 200,
    readonly warmup = 150,
  ) {
    this.lh = new Likelihood(10, 8640, 300, 0.05);
  }
  parts() {
    return { lh: this.lh.parts(), s: this.s };
  }
  update(raw: number): number {
    const s = this.s;
    let score = this.lh.update(raw);
    s.n++;
    if (s.n < this.warmup) return 0;
    if (score >= 0.5) {
      if (s.n - s.lastAlarm < this.suppress) score *= 0.25;
      else s.lastAlarm = s.n;
    }
    return score;
  }
}
