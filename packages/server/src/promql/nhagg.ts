// Aggregations over native histograms: sum and avg add histograms per group; count and group
// count them; limitk/limit_ratio pass them through; the other operators ignore them (with the
// info annotation Prometheus gives).
import { METRIC_NAME, getLabel, labelsKey, type Labels } from '../model/labels.js';
import { HistogramError, type FloatHistogram } from '../model/histogram.js';
import { HistSum } from './nhsum.js';
import type { AggregateExpr } from './ast.js';
import { formatFloatG } from './aggregations.js';
import type { Evaluator } from './engine.js';
import { floatSeries, vectorHasHistograms } from './nhvalue.js';
import type { GridSeries, GridVector } from './value.js';

const KEEP_ALL = new Set(['count', 'group', 'limitk', 'limit_ratio', 'count_values']);

/** Go's %v of a FloatHistogram (Prometheus's String()), used by count_values as the label value. */
export function histogramGoString(h: FloatHistogram): string {
  const g = formatFloatG;
  let s = `{count:${g(h.count)}, sum:${g(h.sum)}`;
  for (const b of h.buckets()) {
    if (b.count === 0) continue;
    if (b.side === 0) s += `, [${g(-h.zeroThreshold)},${g(h.zeroThreshold)}]:${g(b.count)}`;
    else if (b.side < 0) s += `, [${g(b.lower)},${g(b.upper)}):${g(b.count)}`;
    else s += `, (${g(b.lower)},${g(b.upper)}]:${g(b.count)}`;
  }
  return s + '}';
}

/** The input the float aggregation code sees: histograms removed unless the operator uses them. */
export function aggInput(ev: Evaluator, e: AggregateExpr, vec: GridVector): GridVector {
  if (KEEP_ALL.has(e.op) || !vectorHasHistograms(vec)) return vec;
  if (['min', 'max', 'stddev', 'stdvar', 'quantile'].includes(e.op)) {
    ev.ctx.annotations.info(`ignored histogram in ${e.op} aggregation`, e.expr);
  } else if (e.op === 'topk' || e.op === 'bottomk') {
    ev.ctx.annotations.info(`ignored histogram in ${e.op} aggregation`, e);
  }
  return { kind: 'vector', series: floatSeries(vec.series, ev.n) };
}

/** Adds histogram results of sum/avg to the float result (mixed groups are dropped with a warning). */
export function withHistogramAgg(ev: Evaluator, e: AggregateExpr, groupLabels: (ls: Labels) => Labels, vec: GridVector, res: GridVector): GridVector {
  if ((e.op !== 'sum' && e.op !== 'avg') || !vectorHasHistograms(vec)) return res;
  const n = ev.n;
  const ann = ev.ctx.annotations;
  const byKey = new Map<string, GridSeries>();
  for (const s of res.series) byKey.set(labelsKey(s.labels), s);
  interface G { labels: Labels; members: GridSeries[]; dropName: boolean }
  const groups = new Map<string, G>();
  for (const s of vec.series) {
    if (!s.h) continue;
    const gl = groupLabels(s.labels);
    const k = labelsKey(gl);
    let g = groups.get(k);
    if (!g) groups.set(k, (g = { labels: gl, members: [], dropName: false }));
    g.members.push(s);
    if (s.dropName && gl.some((l) => l.name === METRIC_NAME)) g.dropName = true;
  }
  const out = res.series.slice();
  for (const [k, g] of groups) {
    let fs = byKey.get(k);
    const h: (FloatHistogram | undefined)[] = new Array(n);
    const has = fs ? fs.has.slice() : new Uint8Array(n);
    const v = fs ? fs.v : new Float64Array(n);
    let any = false;
    for (let i = 0; i < n; i++) {
      const acc = new HistSum();
      let bad = false;
      for (const s of g.members) {
        const x = s.h![i];
        if (!x || bad) continue;
        try {
          acc.add(x);
        } catch (err) {
          if (!(err instanceof HistogramError)) throw err;
          ann.warn(`vector contains a mix of histograms with exponential and custom buckets schemas for metric name "${getLabel(s.labels, METRIC_NAME)}"`, e.expr);
          bad = true;
        }
      }
      if (!acc.n && !bad) continue;
      // Floats in the same group at this step: the result is dropped.
      const floatsToo = vec.series.some((s) => s.has[i] && !s.h?.[i] && labelsKey(groupLabels(s.labels)) === k);
      if (floatsToo) {
        ann.warn('encountered a mix of histograms and floats for aggregation', e.expr);
        has[i] = 0;
        continue;
      }
      if (acc.reconciled) ann.info('mismatched custom buckets were reconciled during aggregation', e.expr);
      if (bad) { has[i] = 0; continue; }
      if (acc.resetSeen && acc.notResetSeen) ann.warn('conflicting counter resets during histogram aggregation', e.expr);
      h[i] = (e.op === 'avg' ? acc.average() : acc.total()).compact();
      has[i] = 1;
      any = true;
    }
    const merged: GridSeries = { labels: fs ? fs.labels : g.labels, v, has, dropName: fs ? fs.dropName : g.dropName, h };
    if (fs) out[out.indexOf(fs)] = merged;
    else if (any) out.push(merged);
    fs = merged;
  }
  return { kind: 'vector', series: out };
}
