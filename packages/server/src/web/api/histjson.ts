// Native histograms in query results, as Prometheus renders them: {"count","sum","buckets":
// [[boundaryRule, lower, upper, count], ...]} with only populated buckets. Boundary rules:
// 0 left-open (positive and custom buckets), 1 right-open (negative), 3 closed (zero bucket).
import type { FloatHistogram } from '../../model/histogram.js';

export function histogramJSON(h: FloatHistogram, fmt: (v: number) => string): string {
  let s = `{"count":"${fmt(h.count)}","sum":"${fmt(h.sum)}"`;
  let first = true;
  for (const b of h.buckets()) {
    if (b.count === 0) continue;
    const rule = b.side === 0 ? 3 : b.side < 0 ? 1 : 0;
    s += `${first ? ',"buckets":[' : ','}[${rule},"${fmt(b.lower)}","${fmt(b.upper)}","${fmt(b.count)}"]`;
    first = false;
  }
  if (!first) s += ']';
  return s + '}';
}
