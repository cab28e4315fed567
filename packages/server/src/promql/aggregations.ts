// Aggregation operators (sum, avg, topk, quantile, count_values, limitk, ...), per step over the
// grid. Groups are computed once per input series; accumulators are typed arrays per group.
import { METRIC_NAME, labelsKey, sortLabels, type Label, type Labels } from '../model/labels.js';
import type { AggregateExpr } from './ast.js';
import type { Evaluator } from './engine.js';
import { QueryError } from './errors.js';
import { formatFloatF } from './goformat.js';
import { kahanC, kahanSumInc } from './kahan.js';
import { quantileOf } from './rangefuncs.js';
import { isValidUTF8, goQuote } from './strings.js';
import { labelsXXHash } from './xxhash.js';
import { aggInput, histogramGoString, withHistogramAgg } from './nhagg.js';
import type { GridSeries, GridVector } from './value.js';

function groupLabels(ls: Labels, e: AggregateExpr): Labels {
  if (e.without) return ls.filter((l) => l.name !== METRIC_NAME && !e.grouping.includes(l.name));
  return ls.filter((l) => e.grouping.includes(l.name));
}

export function evalAggregate(ev: Evaluator, e: AggregateExpr): GridVector {
  const n = ev.n;
  let param: Float64Array | null = null;
  let strParam = '';
  if (e.param) {
    const p = ev.eval(e.param);
    if (p.kind === 'scalar') param = p.v;
    else if (p.kind === 'string') strParam = p.s;
  }
  const vecAll = ev.evalVector(e.expr);
  const vec = aggInput(ev, e, vecAll);
  const inS = vec.series;
  // Group assignment.
  const groupOf = new Int32Array(inS.length);
  const groups: { labels: Labels; dropName: boolean }[] = [];
  const gIdx = new Map<string, number>();
  inS.forEach((s, k) => {
    const gl = groupLabels(s.labels, e);
    const key = labelsKey(gl);
    let g = gIdx.get(key);
    if (g === undefined) {
      g = groups.length;
      gIdx.set(key, g);
      groups.push({ labels: gl, dropName: s.dropName && gl.some((l) => l.name === METRIC_NAME) });
    } else if (s.dropName && gl.some((l) => l.name === METRIC_NAME)) groups[g]!.dropName = true;
    groupOf[k] = g;
  });
  const G = groups.length;
  switch (e.op) {
    case 'topk': case 'bottomk': case 'limitk': case 'limit_ratio':
      return selectK(ev, e, inS, groupOf, G, param!);
    case 'count_values':
      return countValues(ev, e, inS, strParam);
    case 'quantile':
      return quantileAgg(ev, e, inS, groupOf, groups, param!);
  }
  if (e.op === 'sum' || e.op === 'count' || e.op === 'group' || e.op === 'min' || e.op === 'max') {
    const out = simpleAgg(e.op, inS, groupOf, groups, n);
    return withHistogramAgg(ev, e, (ls) => groupLabels(ls, e), vecAll, { kind: 'vector', series: out });
  }
  const outV = groups.map(() => new Float64Array(n));
  const outHas = groups.map(() => new Uint8Array(n));
  const acc = new Float64Array(G), comp = new Float64Array(G), cnt = new Float64Array(G), mean = new Float64Array(G);
  const incr = new Uint8Array(G);
  for (let i = 0; i < n; i++) {
    cnt.fill(0); acc.fill(0); comp.fill(0); mean.fill(0); incr.fill(0);
    for (let k = 0; k < inS.length; k++) {
      const s = inS[k]!;
      if (!s.has[i]) continue;
      const g = groupOf[k]!, x = s.v[i]!;
      const c = ++cnt[g]!;
      switch (e.op) {
        case 'avg': {
          if (c === 1) { acc[g] = x; break; }
          if (!incr[g]) {
            const ns = kahanSumInc(x, acc[g]!, comp[g]!);
            if (Number.isFinite(ns) || ns !== ns) { acc[g] = ns; comp[g] = kahanC.c; break; }
            incr[g] = 1;
            mean[g] = acc[g]! / (c - 1);
            comp[g] = comp[g]! / (c - 1);
          }
          const q = (c - 1) / c;
          mean[g] = kahanSumInc(x / c, q * mean[g]!, q * comp[g]!);
          comp[g] = kahanC.c;
          break;
        }
        case 'stddev': case 'stdvar': {
          const delta = x - mean[g]!;
          mean[g] = mean[g]! + delta / c;
          acc[g] = acc[g]! + delta * (x - mean[g]!);
          break;
        }
      }
    }
    for (let g = 0; g < G; g++) {
      const c = cnt[g]!;
      if (!c) continue;
      let r: number;
      switch (e.op) {
        case 'avg': r = incr[g] ? mean[g]! + comp[g]! : (acc[g]! + comp[g]!) / c; break;
        case 'stdvar': r = acc[g]! / c; break;
        default: r = Math.sqrt(acc[g]! / c); break;
      }
      outV[g]![i] = r;
      outHas[g]![i] = 1;
    }
  }
  const out: GridSeries[] = [];
  for (let g = 0; g < G; g++) out.push({ labels: groups[g]!.labels, v: outV[g]!, has: outHas[g]!, dropName: groups[g]!.dropName });
  return withHistogramAgg(ev, e, (ls) => groupLabels(ls, e), vecAll, { kind: 'vector', series: out });
}

/**
 * sum/count/group/min/max walked series by series (cache-friendly, one slab for all groups).
 * Each (group, step) cell still sees its inputs in series order, so results are bit-identical
 * to the step-by-step loop.
 */
function simpleAgg(op: 'sum' | 'count' | 'group' | 'min' | 'max', inS: GridSeries[], groupOf: Int32Array, groups: { labels: Labels; dropName: boolean }[], n: number): GridSeries[] {
  const G = groups.length;
  const acc = new Float64Array(G * n), has = new Uint8Array(G * n);
  const comp = op === 'sum' ? new Float64Array(G * n) : null;
  for (let k = 0; k < inS.length; k++) {
    const s = inS[k]!, sv = s.v, sh = s.has;
    const base = groupOf[k]! * n;
    switch (op) {
      case 'sum':
        for (let i = 0; i < n; i++) {
          if (!sh[i]) continue;
          const j = base + i, x = sv[i]!, sum = acc[j]!;
          has[j] = 1;
          const t = sum + x;
          if (!Number.isFinite(t) && t === t) comp![j] = 0;
          else if (Math.abs(sum) >= Math.abs(x)) comp![j] = comp![j]! + (sum - t + x);
          else comp![j] = comp![j]! + (x - t + sum);
          acc[j] = t;
        }
        break;
      case 'count':
        for (let i = 0; i < n; i++) if (sh[i]) { has[base + i] = 1; acc[base + i] = acc[base + i]! + 1; }
        break;
      case 'group':
        for (let i = 0; i < n; i++) if (sh[i]) { has[base + i] = 1; acc[base + i] = 1; }
        break;
      case 'min':
        for (let i = 0; i < n; i++) {
          if (!sh[i]) continue;
          const j = base + i, x = sv[i]!;
          if (!has[j] || acc[j]! > x || acc[j] !== acc[j]) acc[j] = x;
          has[j] = 1;
        }
        break;
      case 'max':
        for (let i = 0; i < n; i++) {
          if (!sh[i]) continue;
          const j = base + i, x = sv[i]!;
          if (!has[j] || acc[j]! < x || acc[j] !== acc[j]) acc[j] = x;
          has[j] = 1;
        }
        break;
    }
  }
  if (comp) for (let j = 0; j < G * n; j++) if (has[j]) acc[j] = acc[j]! + comp[j]!;
  const out: GridSeries[] = [];
  for (let g = 0; g < G; g++) {
    out.push({ labels: groups[g]!.labels, v: acc.subarray(g * n, (g + 1) * n), has: has.subarray(g * n, (g + 1) * n), dropName: groups[g]!.dropName });
  }
  return out;
}

function quantileAgg(ev: Evaluator, e: AggregateExpr, inS: GridSeries[], groupOf: Int32Array, groups: { labels: Labels; dropName: boolean }[], param: Float64Array): GridVector {
  const n = ev.n, G = groups.length;
  const outV = groups.map(() => new Float64Array(n));
  const outHas = groups.map(() => new Uint8Array(n));
  const buckets: number[][] = groups.map(() => []);
  let warned = false;
  for (let i = 0; i < n; i++) {
    for (const b of buckets) b.length = 0;
    for (let k = 0; k < inS.length; k++) if (inS[k]!.has[i]) buckets[groupOf[k]!]!.push(inS[k]!.v[i]!);
    const q = param[i]!;
    if (!warned && (q !== q || q < 0 || q > 1)) {
      ev.ctx.annotations.warn(`quantile value should be between 0 and 1, got ${formatFloatG(q)}`, e.param);
      warned = true;
    }
    for (let g = 0; g < G; g++) {
      const b = buckets[g]!;
      if (!b.length) continue;
      outV[g]![i] = quantileOf(q, Float64Array.from(b));
      outHas[g]![i] = 1;
    }
  }
  return { kind: 'vector', series: groups.map((g, k) => ({ labels: g.labels, v: outV[k]!, has: outHas[k]!, dropName: g.dropName })) };
}

/** Go's %g-ish formatting used in Prometheus annotation messages (strconv 'g', -1). */
export function formatFloatG(v: number): string {
  if (v !== v) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  const s = String(v);
  const m = /^(-?[\d.]+)e([+-])(\d+)$/.exec(s);
  if (m) return `${m[1]}e${m[2]}${m[3]!.padStart(2, '0')}`;
  const abs = Math.abs(v);
  if (abs !== 0 && (abs < 1e-4 || abs >= 1e21)) {
    const ex = v.toExponential();
    const mm = /^(-?[\d.]+)e([+-])(\d+)$/.exec(ex)!;
    return `${mm[1]}e${mm[2]}${mm[3]!.padStart(2, '0')}`;
  }
  return s;
}

function selectK(ev: Evaluator, e: AggregateExpr, inS: GridSeries[], groupOf: Int32Array, G: number, param: Float64Array): GridVector {
  const n = ev.n;
  const outHas = inS.map(() => new Uint8Array(n));
  const order: number[] = [];
  const members: number[][] = Array.from({ length: G }, () => []);
  const hashes = e.op === 'limit_ratio' ? inS.map((s) => labelsXXHash(s.labels)) : null;
  for (let i = 0; i < n; i++) {
    const p = param[i]!;
    let k = 0, ratio = 0;
    if (e.op === 'limit_ratio') {
      if (p !== p) throw new QueryError('execution', 'Ratio value is NaN');
      ratio = p;
      if (ratio < -1 || ratio > 1) {
        ev.ctx.annotations.warn(`ratio value should be between -1 and 1, got ${formatFloatG(ratio)}, capping to ${ratio < 0 ? -1 : 1}`, e.param);
        ratio = ratio < 0 ? -1 : 1;
      }
      if (ratio === 0) continue;
    } else {
      if (p !== p) throw new QueryError('execution', 'Parameter value is NaN');
      if (p >= 2 ** 63) k = Number.MAX_SAFE_INTEGER;
      else if (p <= -(2 ** 63)) k = -Number.MAX_SAFE_INTEGER;
      else k = Math.trunc(p);
      if (k < 1) continue;
    }
    for (const m of members) m.length = 0;
    for (let s = 0; s < inS.length; s++) if (inS[s]!.has[i]) members[groupOf[s]!]!.push(s);
    for (let g = 0; g < G; g++) {
      const mem = members[g]!;
      if (!mem.length) continue;
      let chosen: number[];
      if (e.op === 'limitk') chosen = mem.slice(0, k);
      else if (e.op === 'limit_ratio') chosen = mem.filter((s) => ratioSelected(hashes![s]!, ratio));
      else {
        const top = e.op === 'topk';
        const sorted = mem.slice().sort((a, b) => {
          const x = inS[a]!.v[i]!, y = inS[b]!.v[i]!;
          if (x !== x) return y !== y ? 0 : 1;
          if (y !== y) return -1;
          return top ? y - x : x - y;
        });
        chosen = sorted.slice(0, k);
      }
      for (const s of chosen) {
        outHas[s]![i] = 1;
        if (n === 1) order.push(s);
      }
    }
  }
  const idx = n === 1 ? order : inS.map((_, k) => k);
  const out: GridSeries[] = [];
  for (const k of idx) {
    const s = inS[k]!;
    if (!outHas[k]!.some((x) => x)) continue;
    out.push(s.h ? { labels: s.labels, v: s.v, has: outHas[k]!, dropName: s.dropName, h: s.h } : { labels: s.labels, v: s.v, has: outHas[k]!, dropName: s.dropName });
  }
  return { kind: 'vector', series: out };
}

function ratioSelected(hash: bigint, ratio: number): boolean {
  // Position of the series in [0, 1) from its label hash, as Prometheus does.
  const offset = Number(hash) / 18446744073709551615;
  return ratio >= 0 ? offset < ratio : offset >= 1 + ratio;
}

function countValues(ev: Evaluator, e: AggregateExpr, inS: GridSeries[], label: string): GridVector {
  if (!isValidUTF8(label) || label === '') throw new QueryError('execution', `invalid label name ${goQuote(label)}`);
  const n = ev.n;
  const out: GridSeries[] = [];
  const idx = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    for (const s of inS) {
      if (!s.has[i]) continue;
      const base = groupLabels(s.labels, e).filter((l) => l.name !== label);
      const hv = s.h?.[i];
      const ls: Label[] = [...base, { name: label, value: hv ? histogramGoString(hv) : formatFloatF(s.v[i]!) }];
      const lab = sortLabels(ls);
      const key = labelsKey(lab);
      let o = idx.get(key);
      if (o === undefined) {
        o = out.length;
        idx.set(key, o);
        out.push({ labels: lab, v: new Float64Array(n), has: new Uint8Array(n), dropName: false });
      }
      const os = out[o]!;
      os.v[i] = (os.has[i] ? os.v[i]! : 0) + 1;
      os.has[i] = 1;
    }
  }
  return { kind: 'vector', series: out };
}
