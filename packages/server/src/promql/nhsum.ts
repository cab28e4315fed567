// Summing and averaging native histograms as Prometheus does: compensated (Kahan) summation of
// count, sum and zero count, and an incremental mean once the running sum overflows.
import type { FloatHistogram } from '../model/histogram.js';
import { kahanC, kahanSumInc } from './kahan.js';

export class HistSum {
  sum: FloatHistogram | undefined;
  n = 0;
  reconciled = false;
  resetSeen = false;
  notResetSeen = false;
  private cCount = 0;
  private cSum = 0;
  private cZero = 0;
  private mean: FloatHistogram | undefined;

  /** Adds one histogram; throws HistogramError on an exponential/custom schema mix. */
  add(h: FloatHistogram): void {
    if (h.hint === 'reset') this.resetSeen = true;
    if (h.hint === 'not_reset') this.notResetSeen = true;
    this.n++;
    if (!this.sum) {
      this.sum = h.copy();
      return;
    }
    const s = this.sum.copy();
    const oc = s.count, os = s.sum;
    const oz = s.zeroCount;
    if (s.add(h).reconciled) this.reconciled = true;
    s.count = kahanSumInc(h.count, oc, this.cCount);
    const cc = kahanC.c;
    s.sum = kahanSumInc(h.sum, os, this.cSum);
    const cs = kahanC.c;
    let cz = this.cZero;
    if (s.zeroThreshold === this.sum.zeroThreshold && s.zeroCount === oz + h.zeroCount) {
      s.zeroCount = kahanSumInc(h.zeroCount, oz, this.cZero);
      cz = kahanC.c;
    }
    if (this.mean || s.hasOverflow()) {
      // Once the sum overflows, avg switches to an incremental mean: mean*(n-1)/n + h/n.
      if (!this.mean) this.mean = this.total().div(this.n - 1);
      const q = (this.n - 1) / this.n;
      if (this.mean.mul(q).add(h.copy().div(this.n)).reconciled) this.reconciled = true;
    }
    this.sum = s;
    this.cCount = cc;
    this.cSum = cs;
    this.cZero = cz;
  }

  /** The compensated sum. */
  total(): FloatHistogram {
    const r = this.sum!.copy();
    if (Number.isFinite(r.count)) r.count += this.cCount;
    if (Number.isFinite(r.sum)) r.sum += this.cSum;
    if (Number.isFinite(r.zeroCount)) r.zeroCount += this.cZero;
    return r;
  }

  average(): FloatHistogram {
    if (this.mean) return this.mean.copy();
    return this.total().div(this.n);
  }
}
