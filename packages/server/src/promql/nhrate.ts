// rate/increase/delta over the histogram samples of a range (Prometheus's histogramRate plus
// the float extrapolation rules, the zero point estimated from the observation count).
import { FloatHistogram, HistogramError } from '../model/histogram.js';
import type { Expr } from './ast.js';
import type { Evaluator } from './engine.js';
import type { RangeCtx } from './rangefuncs.js';

/** rate/increase/delta over histogram samples hh[lo..hi), with Prometheus's extrapolation. */
export function histogramRate(ev: Evaluator, ht: Float64Array, hh: FloatHistogram[], lo: number, hi: number, c: RangeCtx, isCounter: boolean, isRate: boolean, name: string, argE: Expr): FloatHistogram | undefined {
  const cnt = hi - lo;
  if (cnt < 2) return undefined;
  const ann = ev.ctx.annotations;
  let prev = hh[lo]!;
  const last = hh[hi - 1]!;
  let custom = prev.usesCustomBuckets;
  const mixedSchemas = () => { ann.warn(`vector contains a mix of histograms with exponential and custom buckets schemas for metric name "${name}"`, argE); return undefined; };
  if (isCounter && (prev.hint === 'gauge' || last.hint === 'gauge')) ann.warn(`this native histogram metric is not a counter: "${name}"`, argE);
  if (isCounter) {
    const second = hh[lo + 1]!;
    if (second.detectReset(prev)) {
      const z = new FloatHistogram();
      z.schema = second.schema;
      z.customValues = second.customValues;
      prev = z;
      custom = second.usesCustomBuckets;
    }
  }
  if (last.usesCustomBuckets !== custom) return mixedSchemas();
  let minSchema = Math.min(last.schema, prev.schema);
  for (let k = lo + 1; k < hi - 1; k++) {
    if (!isCounter) continue;
    const cur = hh[k]!;
    if (cur.hint === 'gauge') ann.warn(`this native histogram metric is not a counter: "${name}"`, argE);
    if (cur.schema < minSchema) minSchema = cur.schema;
    if (cur.usesCustomBuckets !== custom) return mixedSchemas();
  }
  const h = last.copy().reduceTo(minSchema);
  try {
    if (h.sub(prev).reconciled) ann.info('mismatched custom buckets were reconciled during subtraction', argE);
    if (isCounter) {
      let p = prev;
      for (let k = lo + 1; k < hi; k++) {
        const cur = hh[k]!;
        if (cur.detectReset(p)) {
          if (h.add(p).reconciled) ann.info('mismatched custom buckets were reconciled during addition', argE);
        }
        p = cur;
      }
    } else if (hh[lo]!.hint !== 'gauge' || last.hint !== 'gauge') {
      ann.warn(`this native histogram metric is not a gauge: "${name}"`, argE);
    }
  } catch (err) {
    if (!(err instanceof HistogramError)) throw err;
    return mixedSchemas();
  }
  h.hint = 'gauge';
  h.compact();
  // Extrapolation as for floats, using the observation count for the zero point.
  const firstT = ht[lo]!, lastT = ht[hi - 1]!;
  let durationToStart = (firstT - c.rangeStart) / 1000;
  let durationToEnd = (c.rangeEnd - lastT) / 1000;
  const sampledInterval = (lastT - firstT) / 1000;
  const avg = sampledInterval / (cnt - 1);
  const threshold = avg * 1.1;
  if (durationToStart >= threshold) durationToStart = avg / 2;
  if (isCounter && h.count > 0 && hh[lo]!.count >= 0) {
    const durationToZero = sampledInterval * (hh[lo]!.count / h.count);
    if (durationToZero < durationToStart) durationToStart = durationToZero;
  }
  if (durationToEnd >= threshold) durationToEnd = avg / 2;
  let factor = sampledInterval !== 0 ? (sampledInterval + durationToStart + durationToEnd) / sampledInterval : 1;
  if (isRate) factor /= c.rangeMs / 1000;
  h.mul(factor);
  return h;
}
