// Helpers for native histogram points on the evaluator's grid values: merging storage output,
// and splitting float from histogram points for operations that only handle one kind.
import { FloatHistogram } from '../model/histogram.js';
import type { HistogramSamples } from '../storage/interface.js';
import type { SampleArrays } from '../model/sample.js';
import type { GridMatrix, GridSeries, GridValue, GridVector, RangeSeries } from './value.js';

/** Merges a series' float and histogram samples into one time-ordered run (h parallel to t). */
export function mergeHistograms(sa: SampleArrays, hs: HistogramSamples): { t: Float64Array; v: Float64Array; h: (FloatHistogram | undefined)[] } {
  const n = sa.t.length + hs.t.length;
  const t = new Float64Array(n), v = new Float64Array(n);
  const h: (FloatHistogram | undefined)[] = new Array(n);
  let i = 0, j = 0, k = 0;
  while (i < sa.t.length || j < hs.t.length) {
    if (j >= hs.t.length || (i < sa.t.length && sa.t[i]! < hs.t[j]!)) { t[k] = sa.t[i]!; v[k++] = sa.v[i++]!; }
    else if (i < sa.t.length && sa.t[i] === hs.t[j]) { t[k] = hs.t[j]!; h[k++] = hs.h[j++]; i++; }
    else { t[k] = hs.t[j]!; h[k++] = hs.h[j++]; }
  }
  return k === n ? { t, v, h } : { t: t.slice(0, k), v: v.slice(0, k), h: h.slice(0, k) };
}

/**
 * How many samples a histogram point counts as against the max-samples limit, as Prometheus
 * does: its in-memory size (168 bytes plus 8 per span, bucket and custom bound) over 16.
 */
export function histSampleSize(h: FloatHistogram): number {
  const spans = FloatHistogram.spansOf(h.pIdx).length + FloatHistogram.spansOf(h.nIdx).length;
  const size = 168 + 8 * (spans + h.pIdx.length + h.nIdx.length + (h.customValues?.length ?? 0));
  return Math.floor((size + 8) / 16);
}

/** True if any point of the vector is a histogram. */
export function vectorHasHistograms(v: GridVector): boolean {
  for (const s of v.series) if (s.h && s.h.some((x) => x !== undefined)) return true;
  return false;
}

/** The series with histogram points removed (series left without points are dropped). */
export function floatSeries(series: GridSeries[], n: number): GridSeries[] {
  const out: GridSeries[] = [];
  for (const s of series) {
    if (!s.h) { out.push(s); continue; }
    const has = new Uint8Array(n);
    let any = false;
    for (let i = 0; i < n; i++) if (s.has[i] && !s.h[i]) { has[i] = 1; any = true; }
    if (any) out.push({ labels: s.labels, v: s.v, has, dropName: s.dropName, ts: s.ts });
  }
  return out;
}

/** Range series with histogram points removed. */
export function floatRangeSeries(s: RangeSeries): RangeSeries {
  if (!s.h) return s;
  let c = 0;
  for (let i = 0; i < s.t.length; i++) if (!s.h[i]) c++;
  const t = new Float64Array(c), v = new Float64Array(c);
  const st = s.st ? new Float64Array(c) : undefined;
  let k = 0;
  for (let i = 0; i < s.t.length; i++) if (!s.h[i]) { if (st) st[k] = s.st![i]!; t[k] = s.t[i]!; v[k++] = s.v[i]!; }
  return st ? { labels: s.labels, t, v, dropName: s.dropName, st } : { labels: s.labels, t, v, dropName: s.dropName };
}

/** A grid value with histogram points removed (for float-only operations). */
export function floatsOnly(g: GridValue, n: number): GridValue {
  if (g.kind === 'vector') return vectorHasHistograms(g) ? { kind: 'vector', series: floatSeries(g.series, n) } : g;
  if (g.kind === 'matrix') return stripMatrix(g);
  return g;
}

function stripMatrix(m: GridMatrix): GridMatrix {
  if (!m.series.some((s) => s.h)) return m;
  return { ...m, series: m.series.map(floatRangeSeries) };
}

/**
 * Subquery output: explicit reset/not_reset hints become unknown (the subquery may skip or repeat
 * the samples they describe), as Prometheus does.
 */
export function unknownHint(h: FloatHistogram | undefined): FloatHistogram | undefined {
  if (!h || (h.hint !== 'reset' && h.hint !== 'not_reset')) return h;
  const c = h.copy();
  c.hint = 'unknown';
  return c;
}
