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
  /** Compensation terms of the incremental mean. */
  private mc = [0, 0, 0];

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
      // Once the sum overflows, avg switches to an incremental mean: mean*(n-1)/n + h/n, with
      // the compensation terms scaled alongside.
      if (!this.mean) {
        this.mean = this.sum.copy().div(this.n - 1);
        this.mc = [this.cCount / (this.n - 1), this.cSum / (this.n - 1), this.cZero / (this.n - 1)];
      }
      const q = (this.n - 1) / this.n;
      const m = this.mean.mul(q);
      for (let k = 0; k < 3; k++) this.mc[k]! *= q;
      const oc = m.count, os = m.sum, oz = m.zeroCount, zt = m.zeroThreshold;
      const add = h.copy().div(this.n);
      if (m.add(add).reconciled) this.reconciled = true;
      m.count = kahanSumInc(add.count, oc, this.mc[0]!); this.mc[0] = kahanC.c;
      m.sum = kahanSumInc(add.sum, os, this.mc[1]!); this.mc[1] = kahanC.c;
      if (m.zeroThreshold === zt && add.zeroThreshold === zt) { m.zeroCount = kahanSumInc(add.zeroCount, oz, this.mc[2]!); this.mc[2] = kahanC.c; }
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
    if (this.mean) {
      const r = this.mean.copy();
      if (Number.isFinite(r.count)) r.count += this.mc[0]!;
      if (Number.isFinite(r.sum)) r.sum += this.mc[1]!;
      if (Number.isFinite(r.zeroCount)) r.zeroCount += this.mc[2]!;
      return r;
    }
    return this.total().div(this.n);
  }
}
