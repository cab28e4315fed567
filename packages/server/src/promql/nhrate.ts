// rate/increase/delta over the histogram samples of a range (Prometheus's histogramRate plus
// the float extrapolation rules, the zero point estimated from the observation count).
import { FloatHistogram, HistogramError } from '../model/histogram.js';
import type { Expr } from './ast.js';
import type { Evaluator } from './engine.js';
import type { RangeCtx } from './rangefuncs.js';
import { isStartTimestampReset, startTimeOverlaps } from './startts.js';

/** rate/increase/delta over histogram samples hh[lo..hi), with Prometheus's extrapolation. */
export function histogramRate(ev: Evaluator, ht: Float64Array, hh: FloatHistogram[], lo: number, hi: number, c: RangeCtx, isCounter: boolean, isRate: boolean, name: string, argE: Expr): FloatHistogram | undefined {
  const cnt = hi - lo;
  // Start timestamps (parallel to ht) only matter for counters.
  const st = isCounter ? c.st : undefined;
  if (cnt < 2 && !(st && cnt === 1)) return undefined;
  const ann = ev.ctx.annotations;
  let h: FloatHistogram | undefined;
  if (cnt >= 2) {
    h = histogramDiff(ann, ht, hh, lo, hi, st, c, isCounter, name, argE);
    if (!h) return undefined;
  }
  // Extrapolation as for floats, using the observation count for the zero point.
  const firstT = ht[lo]!, lastT = ht[hi - 1]!;
  let durationToStart = (firstT - c.rangeStart) / 1000;
  let durationToEnd = (c.rangeEnd - lastT) / 1000;
  let sampledInterval = (lastT - firstT) / 1000;
  const avg = cnt > 1 ? sampledInterval / (cnt - 1) : 0;
  const threshold = avg * 1.1;
  const st0 = st ? st[lo]! : 0;
  if (st0 !== 0 && st0 > c.rangeStart && st0 < firstT) {
    // A zero-valued histogram at the first sample's start time instead of extrapolating left.
    durationToStart = 0;
    sampledInterval = (lastT - st0) / 1000;
    if (!h) h = hh[lo]!.copy();
    else {
      try {
        if (h.add(hh[lo]!).reconciled) ann.info('mismatched custom buckets were reconciled during addition', argE);
      } catch (err) {
        if (!(err instanceof HistogramError)) throw err;
        ann.warn(`vector contains a mix of histograms with exponential and custom buckets schemas for metric name "${name}"`, argE);
        return undefined;
      }
    }
  } else if (!h) {
    return undefined;
  } else {
    if (durationToStart >= threshold) durationToStart = avg / 2;
    if (isCounter && h.count > 0 && hh[lo]!.count >= 0) {
      const durationToZero = sampledInterval * (hh[lo]!.count / h.count);
      if (durationToZero < durationToStart) durationToStart = durationToZero;
    }
  }
  if (durationToEnd >= threshold) durationToEnd = avg / 2;
  let factor = sampledInterval !== 0 ? (sampledInterval + durationToStart + durationToEnd) / sampledInterval : 1;
  if (isRate) factor /= c.rangeMs / 1000;
  h.mul(factor);
  return h;
}

/** Prometheus's histogramRate: last − first with counter resets (hint and ST) added back. */
function histogramDiff(ann: Evaluator['ctx']['annotations'], ht: Float64Array, hh: FloatHistogram[], lo: number, hi: number, st: Float64Array | undefined, c: RangeCtx, isCounter: boolean, name: string, argE: Expr): FloatHistogram | undefined {
  let prev = hh[lo]!;
  const last = hh[hi - 1]!;
  let custom = prev.usesCustomBuckets;
  const mixedSchemas = () => { ann.warn(`vector contains a mix of histograms with exponential and custom buckets schemas for metric name "${name}"`, argE); return undefined; };
  if (isCounter && (prev.hint === 'gauge' || last.hint === 'gauge')) ann.warn(`this native histogram metric is not a counter: "${name}"`, argE);
  if (isCounter) {
    const second = hh[lo + 1]!;
    if ((st && isStartTimestampReset(st[lo]!, ht[lo]!, st[lo + 1]!, ht[lo + 1]!)) || second.detectReset(prev)) {
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
      let p = prev, warned = false;
      for (let k = lo + 1; k < hi; k++) {
        const cur = hh[k]!;
        if (st && !warned && startTimeOverlaps(st[k - 1]!, ht[k - 1]!, st[k]!)) { warned = true; c.overlap?.(); }
        if ((st && isStartTimestampReset(st[k - 1]!, ht[k - 1]!, st[k]!, ht[k]!)) || cur.detectReset(p)) {
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
  return h;
}
