// info(): enriches series with data labels of matching info series (target_info by default),
// joined on the identifying labels instance and job, evaluated at the base series' reference time.
import { METRIC_NAME, getLabel, labelsKey, sortLabels, type Label, type Labels } from '../model/labels.js';
import { matches, newMatcher, type Matcher } from '../model/matchers.js';
import { isStaleNaN } from '../model/sample.js';
import { unwrapParens, type Call, type Expr, type VectorSelector } from './ast.js';
import type { Evaluator } from './engine.js';
import { QueryError } from './errors.js';
import type { GridSeries, GridValue } from './value.js';
import type { FloatHistogram } from '../model/histogram.js';

const IDENTIFYING = ['instance', 'job'];

/** Matchers used to select info series for an info() call (default: target_info). */
export function infoMatchers(e: Call): { name: Matcher[]; data: Matcher[] } {
  const sel = e.args[1] ? unwrapParens(e.args[1]) : null;
  const all = sel && sel.type === 'VectorSelector' ? sel.matchers : [];
  const name = all.filter((m) => m.name === METRIC_NAME);
  const data = all.filter((m) => m.name !== METRIC_NAME);
  if (!name.length) name.push(newMatcher('=', METRIC_NAME, 'target_info'));
  else if (!name.some((m) => m.type === '=' || m.type === '=~')) name.push(newMatcher('=~', METRIC_NAME, '.+_info'));
  return { name, data };
}

/** Maps an evaluation time to the time the base expression reads its samples at (@, offset). */
export function refTime(e: Expr, T: number): number {
  const x = unwrapParens(e);
  switch (x.type) {
    case 'VectorSelector': return (x.at !== null ? x.at : T) - (x.offsetMs ?? 0);
    case 'MatrixSelector': return refTime(x.vs, T);
    case 'SubqueryExpr': return refTime(x.expr, (x.at !== null ? x.at : T) - (x.offsetMs ?? 0));
    case 'Call': {
      const a = x.args.find((y) => { const u = unwrapParens(y).type; return u !== 'NumberLiteral' && u !== 'StringLiteral'; });
      return a ? refTime(a, T) : T;
    }
    case 'AggregateExpr': return refTime(x.expr, T);
    case 'UnaryExpr': return refTime(x.expr, T);
    default: return T;
  }
}

export function evalInfo(ev: Evaluator, e: Call, infoSel: VectorSelector | null): GridValue {
  const n = ev.n;
  const base = ev.evalVector(e.args[0]!);
  const { name, data } = infoMatchers(e);
  const raw = infoSel ? ev.ctx.data.get(infoSel) ?? [] : [];
  // Info metrics are floats: a histogram among the matched info series is an error (as Prometheus).
  if (raw.some((r) => r.h?.some((x) => x))) throw new QueryError('execution', 'info sample should be float');
  const lb = ev.ctx.lookbackMs;
  const dataNames = data.map((m) => m.name);
  const emptyOk = data.every((m) => matches(m, ''));
  // Info series grouped by identifying-label values.
  const byId = new Map<string, typeof raw>();
  for (const r of raw) {
    const k = IDENTIFYING.map((l) => getLabel(r.labels, l)).join('\xff');
    const a = byId.get(k);
    if (a) a.push(r);
    else byId.set(k, [r]);
  }
  const out: GridSeries[] = [];
  const idx = new Map<string, number>();
  const emit = (labels: Labels, dropName: boolean, i: number, v: number, h?: FloatHistogram) => {
    const k = labelsKey(labels) + (dropName ? '\x00' : '');
    let o = idx.get(k);
    if (o === undefined) {
      o = out.length;
      idx.set(k, o);
      out.push({ labels, v: new Float64Array(n), has: new Uint8Array(n), dropName });
    }
    const s = out[o]!;
    if (s.has[i]) throw new QueryError('execution', 'vector cannot contain metrics with the same labelset');
    s.has[i] = 1;
    s.v[i] = v;
    if (h) (s.h ??= new Array<FloatHistogram | undefined>(n))[i] = h;
  };
  for (const s of base.series) {
    const isInfo = name.every((m) => matches(m, getLabel(s.labels, METRIC_NAME)));
    const cands = byId.get(IDENTIFYING.map((l) => getLabel(s.labels, l)).join('\xff')) ?? [];
    for (let i = 0; i < n; i++) {
      if (!s.has[i]) continue;
      if (isInfo || !cands.length) {
        if (isInfo || emptyOk) emit(s.labels, s.dropName, i, s.v[i]!, s.h?.[i]);
        continue;
      }
      const R = refTime(e.args[0]!, ev.ts[i]!);
      // Latest sample of each candidate info series at R (within the lookback delta).
      const present: { labels: Labels; t: number }[] = [];
      for (const c of cands) {
        let a = 0, b = c.t.length;
        while (a < b) { const mid = (a + b) >> 1; if (c.t[mid]! <= R) a = mid + 1; else b = mid; }
        const k = a - 1;
        if (k >= 0 && c.t[k]! > R - lb && !isStaleNaN(c.v[k]!)) present.push({ labels: c.labels, t: c.t[k]! });
      }
      if (!present.length) {
        if (emptyOk) emit(s.labels, s.dropName, i, s.v[i]!, s.h?.[i]);
        continue;
      }
      // One info series per metric name: the one with the latest sample wins.
      const byName = new Map<string, { labels: Labels; t: number }>();
      for (const p of present) {
        const nm = getLabel(p.labels, METRIC_NAME);
        const prev = byName.get(nm);
        if (!prev || p.t > prev.t) byName.set(nm, p);
      }
      const add = new Map<string, string>();
      for (const p of byName.values()) {
        for (const l of p.labels) {
          if (l.name === METRIC_NAME || IDENTIFYING.includes(l.name)) continue;
          if (dataNames.length && !dataNames.includes(l.name)) continue;
          if (s.labels.some((x) => x.name === l.name)) continue;
          const prev = add.get(l.name);
          if (prev !== undefined && prev !== l.value) throw new QueryError('execution', `conflicting label: ${l.name}`);
          add.set(l.name, l.value);
        }
      }
      const ls: Label[] = [...s.labels];
      for (const [k, v] of add) ls.push({ name: k, value: v });
      emit(sortLabels(ls), s.dropName, i, s.v[i]!, s.h?.[i]);
    }
  }
  return { kind: 'vector', series: out };
}
