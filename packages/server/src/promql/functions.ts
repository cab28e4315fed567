// Function calls: dispatch to range functions (windows over raw points), element-wise math,
// label manipulation, sorting, histograms, absent, time and date functions.
import { METRIC_NAME, compareLabels, getLabel, labelsKey, withLabel, type Labels } from '../model/labels.js';
import { compileAnchoredRegex } from '../model/matchers.js';
import { unwrapParens, type Call, type Expr } from './ast.js';
import { formatFloatG } from './aggregations.js';
import { checkCancel, type Evaluator } from './engine.js';
import { ERR_TOO_MANY_SAMPLES, QueryError } from './errors.js';
import { bucketFraction, bucketQuantile, type Bucket } from './histogram.js';
import { RANGE_FUNCS, extrapolatedRateInto, resetPrefix, type RangeCtx } from './rangefuncs.js';
import { isValidUTF8 } from './strings.js';
import { evalInfo } from './info.js';
import { evalCallNH } from './nhfuncs.js';
import { ST_FUNCS, overlapWarning } from './startts.js';
import type { FloatHistogram } from '../model/histogram.js';
import { GridSlab, type GridMatrix, type GridSeries, type GridValue, type GridVector } from './value.js';

/** Functions whose output keeps the metric name. */
const KEEP_NAME = new Set(['last_over_time', 'first_over_time', 'sort', 'sort_desc', 'sort_by_label', 'sort_by_label_desc', 'label_replace', 'label_join']);

const MATH: Record<string, (x: number) => number> = {
  abs: Math.abs, ceil: Math.ceil, floor: Math.floor, exp: Math.exp, sqrt: Math.sqrt,
  ln: Math.log, log2: Math.log2, log10: Math.log10,
  sin: Math.sin, cos: Math.cos, tan: Math.tan, asin: Math.asin, acos: Math.acos, atan: Math.atan,
  sinh: Math.sinh, cosh: Math.cosh, tanh: Math.tanh, asinh: Math.asinh, acosh: Math.acosh, atanh: Math.atanh,
  deg: (x) => (x * 180) / Math.PI,
  rad: (x) => (x * Math.PI) / 180,
  sgn: (x) => (x > 0 ? 1 : x < 0 ? -1 : x),
};

const DATE: Record<string, (d: Date) => number> = {
  day_of_month: (d) => d.getUTCDate(),
  day_of_week: (d) => d.getUTCDay(),
  day_of_year: (d) => Math.floor((Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86400e3) + 1,
  days_in_month: (d) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate(),
  hour: (d) => d.getUTCHours(),
  minute: (d) => d.getUTCMinutes(),
  month: (d) => d.getUTCMonth() + 1,
  year: (d) => d.getUTCFullYear(),
};

const COUNTER_SUFFIXES = ['_total', '_sum', '_count', '_bucket'];

function mapVector(v: GridVector, n: number, keepName: boolean, f: (x: number, i: number) => number): GridVector {
  return {
    kind: 'vector',
    series: v.series.map((s) => {
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) if (s.has[i]) out[i] = f(s.v[i]!, i);
      return { labels: s.labels, v: out, has: s.has, dropName: s.dropName || !keepName };
    }),
  };
}

export function evalCall(ev: Evaluator, e: Call): GridValue {
  return evalCallNH(ev, e, evalCallFloat);
}

/** The float implementations; native histogram points are handled (or stripped) by nhfuncs. */
function evalCallFloat(ev: Evaluator, e: Call): GridValue {
  const n = ev.n;
  const f = e.func;
  if (f in RANGE_FUNCS) return evalRangeFunc(ev, e);
  if (f in MATH) return mapVector(ev.evalVector(e.args[0]!), n, false, MATH[f]!);
  if (f in DATE) {
    const fn = DATE[f]!;
    const conv = (x: number) => (Number.isFinite(x) ? fn(new Date(Math.trunc(x) * 1000)) : NaN);
    if (e.args.length === 0) {
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = conv(ev.ts[i]! / 1000);
      return { kind: 'vector', series: [{ labels: [], v: out, has: new Uint8Array(n).fill(1), dropName: false }] };
    }
    return mapVector(ev.evalVector(e.args[0]!), n, false, conv);
  }
  if (f.startsWith('sort') && ev.ctx.isRange) ev.ctx.annotations.warn(`sort is ineffective for range queries since results are always ordered by labels`, e);
  switch (f) {
    case 'time': {
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = ev.ts[i]! / 1000;
      return { kind: 'scalar', v: out };
    }
    case 'pi': return ev.scalar(Math.PI);
    case 'vector': {
      const s = ev.evalScalar(e.args[0]!);
      return { kind: 'vector', series: [{ labels: [], v: s.v, has: new Uint8Array(n).fill(1), dropName: false }] };
    }
    case 'scalar': {
      const v = ev.evalVector(e.args[0]!);
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        let c = 0, val = NaN;
        for (const s of v.series) if (s.has[i]) { c++; val = s.v[i]!; }
        out[i] = c === 1 ? val : NaN;
      }
      return { kind: 'scalar', v: out };
    }
    case 'timestamp': {
      const arg = unwrapParens(e.args[0]!);
      if (arg.type === 'VectorSelector') {
        const v = ev.evalVectorSelector(arg, true);
        return { kind: 'vector', series: v.series.map((s) => ({ labels: s.labels, v: s.ts!.map((t) => t / 1000), has: s.has, dropName: true })) };
      }
      return mapVector(ev.evalVector(e.args[0]!), n, false, (_x, i) => ev.ts[i]! / 1000);
    }
    case 'round': {
      const v = ev.evalVector(e.args[0]!);
      const to = e.args[1] ? ev.evalScalar(e.args[1]).v : null;
      return mapVector(v, n, false, (x, i) => {
        const inv = 1 / (to ? to[i]! : 1);
        return Math.floor(x * inv + 0.5) / inv;
      });
    }
    case 'clamp': case 'clamp_min': case 'clamp_max': {
      const v = ev.evalVector(e.args[0]!);
      const a = ev.evalScalar(e.args[1]!).v;
      const b = f === 'clamp' ? ev.evalScalar(e.args[2]!).v : null;
      const out = mapVector(v, n, false, (x, i) => {
        if (f === 'clamp_min') return goMax(a[i]!, x);
        if (f === 'clamp_max') return goMin(a[i]!, x);
        return goMax(a[i]!, goMin(b![i]!, x));
      });
      if (b) {
        for (const s of out.series) {
          const has = new Uint8Array(s.has);
          for (let i = 0; i < n; i++) if (b[i]! < a[i]!) has[i] = 0;
          s.has = has;
        }
      }
      return out;
    }
    case 'absent': {
      const v = ev.evalVector(e.args[0]!);
      const out = new Float64Array(n).fill(1), has = new Uint8Array(n).fill(1);
      for (const s of v.series) for (let i = 0; i < n; i++) if (s.has[i]) has[i] = 0;
      if (!has.some((x) => x)) return { kind: 'vector', series: [] };
      return { kind: 'vector', series: [{ labels: absentLabels(e.args[0]!), v: out, has, dropName: false }] };
    }
    case 'min_of': case 'max_of': {
      const a = ev.evalScalar(e.args[0]!).v, b = ev.evalScalar(e.args[1]!).v;
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = f === 'min_of' ? goMin(a[i]!, b[i]!) : goMax(a[i]!, b[i]!);
      return { kind: 'scalar', v: out };
    }
    case 'sort': case 'sort_desc': return sortVec(ev, ev.evalVector(e.args[0]!), f === 'sort_desc');
    case 'sort_by_label': case 'sort_by_label_desc': {
      const v = ev.evalVector(e.args[0]!);
      const names = e.args.slice(1).map((a) => (ev.eval(a) as { s: string }).s);
      const desc = f === 'sort_by_label_desc';
      const series = v.series.slice().sort((a, b) => (desc ? -1 : 1) * compareLabels(a.labels, b.labels));
      series.sort((a, b) => {
        for (const nm of names) {
          const x = getLabel(a.labels, nm), y = getLabel(b.labels, nm);
          if (x === y) continue;
          const c = natCompare(x, y);
          return desc ? -c : c;
        }
        return 0;
      });
      return { kind: 'vector', series };
    }
    case 'label_replace': return labelReplace(ev, e);
    case 'label_join': return labelJoin(ev, e);
    case 'histogram_quantile': return histogramQuantile(ev, e);
    case 'histogram_fraction': return histogramFraction(ev, e);
    case 'histogram_count': case 'histogram_sum': case 'histogram_avg': case 'histogram_stddev': case 'histogram_stdvar': {
      // Only native histograms have these; float series are ignored as in Prometheus.
      ev.evalVector(e.args[0]!);
      return { kind: 'vector', series: [] };
    }
    case 'histogram_quantiles':
      throw new QueryError('execution', 'histogram_quantiles() is not supported (native histograms are not supported yet)');
    case 'info': {
      const sel = e.args[1] ? unwrapParens(e.args[1]) : null;
      return evalInfo(ev, e, ev.ctx.infoSelectors.get(e) ?? (sel && sel.type === 'VectorSelector' ? sel : null));
    }
    case 'start_timestamp': {
      // Only a plain selector carries start timestamps; over any other expression: no result.
      const arg = unwrapParens(e.args[0]!);
      if (arg.type === 'VectorSelector') {
        const v = ev.evalVectorSelector(arg, true, true);
        return { kind: 'vector', series: v.series.map((s) => ({ labels: s.labels, v: s.ts!.map((t) => t / 1000), has: s.has, dropName: true })) };
      }
      ev.evalVector(e.args[0]!);
      return { kind: 'vector', series: [] };
    }
  }
  throw new QueryError('execution', `function "${f}" is not supported`);
}

function goMax(a: number, b: number): number {
  if (a !== a || b !== b) return NaN;
  return Math.max(a, b);
}
function goMin(a: number, b: number): number {
  if (a !== a || b !== b) return NaN;
  return Math.min(a, b);
}

function absentLabels(arg: Expr): Labels {
  const a = arg;
  const vs = a.type === 'VectorSelector' ? a : a.type === 'MatrixSelector' ? a.vs : null;
  if (!vs) return [];
  let out: Labels = [];
  const has = new Set<string>();
  for (const m of vs.matchers) {
    if (m.name === METRIC_NAME) continue;
    if (m.type === '=' && !has.has(m.name)) {
      out = withLabel(out, m.name, m.value);
      has.add(m.name);
    } else out = out.filter((l) => l.name !== m.name);
  }
  return out;
}

function sortVec(ev: Evaluator, v: GridVector, desc: boolean): GridVector {
  if (ev.n !== 1) return v;
  const series = v.series.filter((s) => s.has[0]).slice();
  series.sort((a, b) => {
    const x = a.v[0]!, y = b.v[0]!;
    if (x !== x) return y !== y ? 0 : 1;
    if (y !== y) return -1;
    return desc ? y - x : x - y;
  });
  return { kind: 'vector', series };
}

/** Natural ordering: digit runs compare numerically. */
function natCompare(a: string, b: string): number {
  const ca = a.match(/\d+|\D+/g) ?? [], cb = b.match(/\d+|\D+/g) ?? [];
  for (let i = 0; i < Math.min(ca.length, cb.length); i++) {
    const x = ca[i]!, y = cb[i]!;
    if (x === y) continue;
    const dx = /^\d/.test(x), dy = /^\d/.test(y);
    if (dx && dy) {
      const nx = BigInt(x), ny = BigInt(y);
      if (nx !== ny) return nx < ny ? -1 : 1;
      return x.length - y.length;
    }
    return x < y ? -1 : 1;
  }
  return ca.length - cb.length;
}

function evalRangeFunc(ev: Evaluator, e: Call): GridValue {
  const n = ev.n;
  const f = e.func;
  const mIdx = f === 'quantile_over_time' ? 1 : 0;
  const margExpr = e.args[mIdx]!;
  const p0 = f === 'quantile_over_time' ? ev.evalScalar(e.args[0]!).v : f === 'predict_linear' || f === 'double_exponential_smoothing' || f === 'holt_winters' ? ev.evalScalar(e.args[1]!).v : null;
  const p1 = f === 'double_exponential_smoothing' || f === 'holt_winters' ? ev.evalScalar(e.args[2]!).v : null;
  const m = ev.eval(margExpr) as GridMatrix;
  if (m.kind !== 'matrix') throw new QueryError('execution', `expected range vector in call to function "${f}"`);
  const ms = unwrapParens(margExpr);
  const anchored = ms.type === 'MatrixSelector' && !!ms.anchored, smoothed = ms.type === 'MatrixSelector' && !!ms.smoothed;
  const lb = ev.ctx.lookbackMs;
  if (p1) {
    for (let i = 0; i < n; i++) {
      const sf = p0![i]!, tf = p1[i]!;
      if (!(sf > 0 && sf < 1)) throw new QueryError('execution', `invalid smoothing factor. Expected: 0 < sf < 1, got: ${sf.toFixed(6)}`);
      if (!(tf > 0 && tf < 1)) throw new QueryError('execution', `invalid trend factor. Expected: 0 < tf < 1, got: ${tf.toFixed(6)}`);
    }
  }
  if (f === 'quantile_over_time') {
    let warned = false;
    for (let i = 0; i < n && !warned; i++) {
      const q = p0![i]!;
      if ((q !== q || q < 0 || q > 1) && m.series.length) {
        ev.ctx.annotations.warn(`quantile value should be between 0 and 1, got ${formatFloatG(q)}`, e.args[0]!);
        warned = true;
      }
    }
  }
  const fn = RANGE_FUNCS[f]!;
  const keep = KEEP_NAME.has(f);
  const ctx: RangeCtx = { rangeStart: 0, rangeEnd: 0, rangeMs: m.rangeMs, stepT: 0, p0: 0, p1: 0, extended: anchored || smoothed, smoothed, st: undefined, overlap: undefined, resets: undefined };
  const perStep = new Float64Array(n);
  const absent = f === 'absent_over_time';
  const anyPresent = absent ? new Uint8Array(n) : null;
  const out: GridSeries[] = [];
  const isCounterFn = f === 'rate' || f === 'increase';
  const useST = ST_FUNCS.has(f);
  const fastRateFn = (isCounterFn || f === 'delta') && !anchored && !smoothed;
  let resetBuf: Int32Array | undefined;
  const slab = new GridSlab(n, m.series.length);
  let seriesCount = 0;
  for (const s of m.series) {
    if ((++seriesCount & 255) === 0) checkCancel(ev.ctx);
    if (useST) {
      ctx.st = s.st;
      if (s.st) ctx.overlap = () => ev.ctx.annotations.warnCounted(overlapWarning(getLabel(s.labels, METRIC_NAME)), margExpr);
    }
    const t = s.t, v = s.v, len = t.length;
    ctx.resets = isCounterFn && !anchored && !smoothed && !s.st ? (resetBuf = resetPrefix(v, resetBuf)) : undefined;
    let lo = 0, hi = 0;
    // Outputs are rows of shared slabs; a row whose series produced nothing is reused.
    slab.next();
    const ov = slab.v, oh = slab.has;
    let any = false;
    // Fast path for plain rate/increase/delta (no start timestamps): results go straight into ov.
    const fastRate = fastRateFn && !s.st;
    for (let i = 0; i < n; i++) {
      const end = m.winEnd[i]!, start = end - m.rangeMs;
      if (i > 0 && m.winEnd[i]! < m.winEnd[i - 1]!) { lo = 0; hi = 0; }
      while (lo < len && t[lo]! <= start) lo++;
      if (hi < lo) hi = lo;
      while (hi < len && t[hi]! <= end) hi++;
      let wlo = lo, whi = hi;
      if (anchored || smoothed) {
        // Include the sample at or before the range start (within the lookback delta), and for
        // smoothed also the first one after the end.
        if (wlo > 0 && t[wlo - 1]! > start - lb) wlo--;
        if (smoothed && whi < len && t[whi]! <= end + lb) whi++;
        // Needs data inside the range or at its left boundary, not only after it.
        if (whi === wlo || t[whi - 1]! <= start || (hi === lo && wlo === lo)) continue;
        perStep[i] = perStep[i]! + (whi - wlo);
        ctx.rangeStart = start;
        ctx.rangeEnd = end;
        ctx.stepT = ev.ts[i]!;
        const r = fn(t, v, wlo, whi, ctx);
        if (r === undefined) continue;
        ov[i] = r;
        oh[i] = 1;
        any = true;
        continue;
      }
      if (hi === lo) continue;
      perStep[i] = perStep[i]! + (hi - lo);
      if (fastRate) {
        if (extrapolatedRateInto(t, v, lo, hi, start, end, m.rangeMs, isCounterFn, f === 'rate', ctx.resets, ov, i)) { oh[i] = 1; any = true; }
        continue;
      }
      if (absent) { anyPresent![i] = 1; continue; }
      ctx.rangeStart = start;
      ctx.rangeEnd = end;
      ctx.stepT = ev.ts[i]!;
      ctx.p0 = p0 ? p0[i]! : 0;
      ctx.p1 = p1 ? p1[i]! : 0;
      const r = fn(t, v, lo, hi, ctx);
      if (r === undefined) continue;
      ov[i] = r;
      oh[i] = 1;
      any = true;
    }
    if (any) {
      slab.keep();
      out.push({ labels: s.labels, v: ov, has: oh, dropName: s.dropName || !keep });
      if (isCounterFn) {
        const name = getLabel(s.labels, METRIC_NAME);
        if (name && !COUNTER_SUFFIXES.some((x) => name.endsWith(x)) && getLabel(s.labels, '__type__') !== 'counter') {
          ev.ctx.annotations.info(`metric might not be a counter, name does not end in _total/_sum/_count/_bucket: "${name}"`, margExpr);
        }
      }
    }
  }
  for (let i = 0; i < n; i++) if (perStep[i]! > ev.ctx.maxSamples) throw new QueryError('execution', ERR_TOO_MANY_SAMPLES);
  if (absent) {
    const has = new Uint8Array(n);
    let anyAbsent = false;
    for (let i = 0; i < n; i++) if (!anyPresent![i]) { has[i] = 1; anyAbsent = true; }
    if (!anyAbsent) return { kind: 'vector', series: [] };
    return { kind: 'vector', series: [{ labels: absentLabels(ms), v: new Float64Array(n).fill(1), has, dropName: false }] };
  }
  return { kind: 'vector', series: out };
}

/** Merges series with identical labels; fails when two have a point at the same step. */
function mergeSameLabels(series: GridSeries[], n: number): GridSeries[] {
  const idx = new Map<string, number>();
  const out: GridSeries[] = [];
  for (const s of series) {
    const k = labelsKey(s.labels) + (s.dropName ? '\x00d' : '');
    const o = idx.get(k);
    if (o === undefined) {
      idx.set(k, out.length);
      out.push(s);
      continue;
    }
    const t = out[o]!;
    const v = new Float64Array(t.v), has = new Uint8Array(t.has);
    const h = t.h || s.h ? (t.h ? t.h.slice() : new Array<FloatHistogram | undefined>(n)) : undefined;
    for (let i = 0; i < n; i++) {
      if (!s.has[i]) continue;
      if (has[i]) throw new QueryError('execution', 'vector cannot contain metrics with the same labelset');
      has[i] = 1;
      v[i] = s.v[i]!;
      if (h) h[i] = s.h?.[i];
    }
    out[o] = h ? { labels: t.labels, v, has, dropName: t.dropName, h } : { labels: t.labels, v, has, dropName: t.dropName };
  }
  return out;
}

/** Go regexp.Expand template semantics ($1, ${1}, $name, ${name}, $$). */
function expandTemplate(tpl: string, m: RegExpExecArray): string {
  let out = '';
  for (let i = 0; i < tpl.length; i++) {
    const c = tpl[i]!;
    if (c !== '$') { out += c; continue; }
    if (tpl[i + 1] === '$') { out += '$'; i++; continue; }
    let name = '', j = i + 1;
    if (tpl[j] === '{') {
      const close = tpl.indexOf('}', j);
      if (close < 0) { out += '$'; continue; }
      name = tpl.slice(j + 1, close);
      if (!/^[A-Za-z0-9_]+$/.test(name)) { out += '$'; continue; }
      j = close + 1;
    } else {
      while (j < tpl.length && /[A-Za-z0-9_]/.test(tpl[j]!)) j++;
      name = tpl.slice(i + 1, j);
      if (!name) { out += '$'; continue; }
    }
    if (/^\d+$/.test(name)) out += m[Number(name)] ?? '';
    else out += m.groups?.[name] ?? '';
    i = j - 1;
  }
  return out;
}

function compileGoRegex(src: string): RegExp {
  return compileAnchoredRegex(src.replace(/\(\?P</g, '(?<'));
}

function strArg(ev: Evaluator, e: Expr): string {
  const v = ev.eval(e);
  if (v.kind !== 'string') throw new QueryError('execution', 'expected string argument');
  return v.s;
}

function validLabelName(s: string): boolean {
  return s !== '' && isValidUTF8(s);
}

function labelReplace(ev: Evaluator, e: Call): GridValue {
  const v = ev.evalVector(e.args[0]!);
  const dst = strArg(ev, e.args[1]!), repl = strArg(ev, e.args[2]!), src = strArg(ev, e.args[3]!), reStr = strArg(ev, e.args[4]!);
  let re: RegExp;
  try {
    re = compileGoRegex(reStr);
  } catch (err) {
    throw new QueryError('execution', `invalid regular expression in label_replace(): ${reStr}`);
  }
  if (!validLabelName(dst)) throw new QueryError('execution', `invalid destination label name in label_replace(): ${dst}`);
  const series = v.series.map((s) => {
    const m = re.exec(getLabel(s.labels, src));
    if (!m) return s;
    const val = expandTemplate(repl, m);
    return { labels: withLabel(s.labels, dst, val), v: s.v, has: s.has, dropName: dst === METRIC_NAME ? false : s.dropName, h: s.h };
  });
  return { kind: 'vector', series: mergeSameLabels(series, ev.n) };
}

function labelJoin(ev: Evaluator, e: Call): GridValue {
  const v = ev.evalVector(e.args[0]!);
  const dst = strArg(ev, e.args[1]!), sep = strArg(ev, e.args[2]!);
  const srcs = e.args.slice(3).map((a) => strArg(ev, a));
  for (const s of srcs) if (!validLabelName(s)) throw new QueryError('execution', `invalid source label name in label_join(): ${s}`);
  if (!validLabelName(dst)) throw new QueryError('execution', `invalid destination label name in label_join(): ${dst}`);
  const series = v.series.map((s) => {
    const val = srcs.map((x) => getLabel(s.labels, x)).join(sep);
    return { labels: withLabel(s.labels, dst, val), v: s.v, has: s.has, dropName: dst === METRIC_NAME ? false : s.dropName, h: s.h };
  });
  return { kind: 'vector', series: mergeSameLabels(series, ev.n) };
}

interface BucketGroup {
  labels: Labels;
  members: { upper: number; s: GridSeries }[];
  name: string;
}

function bucketGroups(ev: Evaluator, e: Call, vec: GridVector, argIdx: number): BucketGroup[] {
  const groups = new Map<string, BucketGroup>();
  for (const s of vec.series) {
    const le = getLabel(s.labels, 'le');
    const upper = parseLe(le);
    const name = getLabel(s.labels, METRIC_NAME);
    if (upper === null) {
      ev.ctx.annotations.warn(`bucket label "le" is missing or has a malformed value of "${le}" for metric name "${name}"`, e.args[argIdx]!);
      continue;
    }
    const ls = s.labels.filter((l) => l.name !== 'le');
    const key = labelsKey(ls);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { labels: ls, members: [], name }));
    g.members.push({ upper, s });
  }
  return [...groups.values()];
}

function parseLe(s: string): number | null {
  const t = s.trim().toLowerCase();
  if (t === '') return null;
  if (/^[+]?inf(inity)?$/.test(t)) return Infinity;
  if (/^-inf(inity)?$/.test(t)) return -Infinity;
  if (t === 'nan') return NaN;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/.test(t) && !/^[+-]?0x[0-9a-f]+(\.[0-9a-f]*)?(p[+-]?\d+)?$/.test(t)) return null;
  return Number(t);
}

function histogramQuantile(ev: Evaluator, e: Call): GridValue {
  const n = ev.n;
  const q = ev.evalScalar(e.args[0]!).v;
  const vec = ev.evalVector(e.args[1]!);
  const groups = bucketGroups(ev, e, vec, 1);
  const out: GridSeries[] = [];
  let warnedQ = false;
  for (let i = 0; i < n && !warnedQ; i++) {
    const qi = q[i]!;
    if (qi !== qi || qi < 0 || qi > 1) {
      ev.ctx.annotations.warn(`quantile value should be between 0 and 1, got ${formatFloatG(qi)}`, e.args[0]!);
      warnedQ = true;
    }
  }
  const forcedNames = new Set<string>();
  for (const g of groups) {
    const ov = new Float64Array(n), oh = new Uint8Array(n);
    let any = false;
    for (let i = 0; i < n; i++) {
      const b: Bucket[] = [];
      for (const m of g.members) if (m.s.has[i]) b.push({ upper: m.upper, count: m.s.v[i]! });
      if (!b.length) continue;
      const qi = q[i]!;
      if (!warnedQ && (qi !== qi || qi < 0 || qi > 1) && false) {
        ev.ctx.annotations.warn(`quantile value should be between 0 and 1, got ${formatFloatG(qi)}`, e.args[0]!);
        warnedQ = true;
      }
      const [r, forced] = bucketQuantile(qi, b);
      if (forced && !forcedNames.has(g.name)) {
        forcedNames.add(g.name);
        ev.ctx.annotations.info(`input to histogram_quantile needed to be fixed for monotonicity (see https://prometheus.io/docs/prometheus/latest/querying/functions/#histogram_quantile) for metric name "${g.name}"`, e.args[1]!);
      }
      ov[i] = r;
      oh[i] = 1;
      any = true;
    }
    if (any) out.push({ labels: g.labels, v: ov, has: oh, dropName: true });
  }
  return { kind: 'vector', series: out };
}

function histogramFraction(ev: Evaluator, e: Call): GridValue {
  const n = ev.n;
  const lower = ev.evalScalar(e.args[0]!).v, upper = ev.evalScalar(e.args[1]!).v;
  const vec = ev.evalVector(e.args[2]!);
  const groups = bucketGroups(ev, e, vec, 2);
  const out: GridSeries[] = [];
  for (const g of groups) {
    const ov = new Float64Array(n), oh = new Uint8Array(n);
    let any = false;
    for (let i = 0; i < n; i++) {
      const b: Bucket[] = [];
      for (const m of g.members) if (m.s.has[i]) b.push({ upper: m.upper, count: m.s.v[i]! });
      if (!b.length) continue;
      ov[i] = bucketFraction(lower[i]!, upper[i]!, b);
      oh[i] = 1;
      any = true;
    }
    if (any) out.push({ labels: g.labels, v: ov, has: oh, dropName: true });
  }
  return { kind: 'vector', series: out };
}
