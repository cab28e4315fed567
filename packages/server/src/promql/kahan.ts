// Compensated (Neumaier) summation, as Prometheus uses for sum/avg and *_over_time.

/** Returns the new sum; the new compensation is left in `kahanC.c`. */
export const kahanC = { c: 0 };
export function kahanSumInc(inc: number, sum: number, c: number): number {
  const t = sum + inc;
  if (!Number.isFinite(t) && t === t) c = 0;
  else if (Math.abs(sum) >= Math.abs(inc)) c += sum - t + inc;
  else c += inc - t + sum;
  kahanC.c = c;
  return t;
}

/** Mean with Kahan summation, switching to an incremental mean when the sum overflows. */
export function kahanMean(v: Float64Array, lo: number, hi: number): number {
  let sum = 0, c = 0, mean = 0, incremental = false;
  for (let i = lo; i < hi; i++) {
    const x = v[i]!;
    const count = i - lo + 1;
    if (!incremental) {
      const ns = kahanSumInc(x, sum, c);
      if (count === 1 || Number.isFinite(ns) || ns !== ns) {
        sum = ns;
        c = kahanC.c;
        continue;
      }
      incremental = true;
      mean = sum / (count - 1);
      c /= count - 1;
    }
    const q = (count - 1) / count;
    mean = kahanSumInc(x / count, q * mean, q * c);
    c = kahanC.c;
  }
  if (incremental) return mean + c;
  const n = hi - lo;
  return sum / n + c / n;
}
