// Binary operators: scalar/scalar, vector/scalar and vector/vector with on/ignoring,
// group_left/group_right and the set operators, evaluated per step over the grid.
import { METRIC_NAME, labelsKey, type Label, type Labels } from '../model/labels.js';
import { goQuote } from './strings.js';
import { isComparisonOp, isSetOp, type BinOp, type BinaryExpr, type VectorMatching } from './ast.js';
import type { Evaluator } from './engine.js';
import { QueryError } from './errors.js';
import type { GridScalar, GridSeries, GridValue, GridVector } from './value.js';
import type { FloatHistogram } from '../model/histogram.js';
import { histElemOp } from './nhbinop.js';

/** Go's math.Pow differs from JS ** for a few special cases. */
function goPow(a: number, b: number): number {
  if (b === 0 || a === 1) return 1;
  if (a === -1 && (b === Infinity || b === -Infinity)) return 1;
  return a ** b;
}

export function arith(op: BinOp, a: number, b: number): number {
  switch (op) {
    case '+': return a + b;
    case '-': return a - b;
    case '*': return a * b;
    case '/': return a / b;
    case '%': return a % b;
    case '^': return goPow(a, b);
    case 'atan2': return Math.atan2(a, b);
  }
  return NaN;
}

export function compare(op: BinOp, a: number, b: number): boolean {
  switch (op) {
    case '==': return a === b;
    case '!=': return a !== b;
    case '>': return a > b;
    case '<': return a < b;
    case '>=': return a >= b;
    case '<=': return a <= b;
  }
  return false;
}

export function evalBinary(ev: Evaluator, e: BinaryExpr): GridValue {
  const l = ev.eval(e.lhs);
  const r = ev.eval(e.rhs);
  const n = ev.n;
  if (l.kind === 'scalar' && r.kind === 'scalar') {
    const out = new Float64Array(n);
    const cmp = isComparisonOp(e.op);
    for (let i = 0; i < n; i++) out[i] = cmp ? (compare(e.op, l.v[i]!, r.v[i]!) ? 1 : 0) : arith(e.op, l.v[i]!, r.v[i]!);
    return { kind: 'scalar', v: out };
  }
  if (l.kind === 'vector' && r.kind === 'scalar') return vectorScalar(ev, e, l, r, false);
  if (l.kind === 'scalar' && r.kind === 'vector') return vectorScalar(ev, e, r, l, true);
  if (l.kind === 'vector' && r.kind === 'vector') {
    const m = e.matching ?? { card: isSetOp(e.op) ? 'many-to-many' : 'one-to-one', matchingLabels: [], on: false, include: [], explicit: false };
    switch (e.op) {
      case 'and': return setAnd(ev, l, r, m, false);
      case 'unless': return setAnd(ev, l, r, m, true);
      case 'or': return setOr(ev, l, r, m);
      default: return vectorVector(ev, e, l, r, m);
    }
  }
  throw new QueryError('execution', 'binary expression must contain only scalar and instant vector types');
}

function vectorScalar(ev: Evaluator, e: BinaryExpr, vec: GridVector, sc: GridScalar, swap: boolean): GridVector {
  const n = ev.n;
  const cmp = isComparisonOp(e.op);
  const trim = e.op === '</' || e.op === '>/';
  const out: GridSeries[] = [];
  for (const s of vec.series) {
    const v = new Float64Array(n), has = new Uint8Array(n);
    const oh: (FloatHistogram | undefined)[] | undefined = s.h ? new Array(n) : undefined;
    let any = false;
    for (let i = 0; i < n; i++) {
      if (!s.has[i]) continue;
      const hx = s.h?.[i];
      if (hx) {
        const y = sc.v[i]!;
        const r = swap ? histElemOp(ev, e, y, undefined, 0, hx, true) : histElemOp(ev, e, 0, hx, y, undefined);
        if (!r) continue;
        v[i] = r.v;
        if (r.h) oh![i] = r.h;
        has[i] = 1;
        any = true;
        continue;
      }
      const x = s.v[i]!, y = sc.v[i]!;
      const a = swap ? y : x, b = swap ? x : y;
      if (trim) { histElemOp(ev, e, a, undefined, b, undefined); continue; }
      if (cmp) {
        const keep = compare(e.op, a, b);
        if (e.returnBool) v[i] = keep ? 1 : 0;
        else if (!keep) continue;
        else v[i] = x;
      } else v[i] = arith(e.op, a, b);
      has[i] = 1;
      any = true;
    }
    const dropName = s.dropName || (!cmp && !trim) || e.returnBool;
    if (any) out.push(oh ? { labels: s.labels, v, has, dropName, h: oh } : { labels: s.labels, v, has, dropName });
  }
  return { kind: 'vector', series: out };
}

/** Matching signature of a series for on()/ignoring(); ignoring always ignores the metric name. */
export function signature(ls: Labels, m: VectorMatching): string {
  let s = '';
  if (m.on) {
    for (const name of m.matchingLabels) {
      let val = '';
      for (const l of ls) if (l.name === name) { val = l.value; break; }
      s += name + '\xff' + val + '\xff';
    }
    return s;
  }
  for (const l of ls) {
    if (l.name === METRIC_NAME || m.matchingLabels.includes(l.name)) continue;
    s += l.name + '\xff' + l.value + '\xff';
  }
  return s;
}

function setAnd(ev: Evaluator, l: GridVector, r: GridVector, m: VectorMatching, unless: boolean): GridVector {
  const n = ev.n;
  const rsig = r.series.map((s) => signature(s.labels, m));
  // For each signature, which steps have at least one rhs sample.
  const present = new Map<string, Uint8Array>();
  r.series.forEach((s, k) => {
    let p = present.get(rsig[k]!);
    if (!p) present.set(rsig[k]!, (p = new Uint8Array(n)));
    for (let i = 0; i < n; i++) p[i]! |= s.has[i]!;
  });
  const out: GridSeries[] = [];
  for (const s of l.series) {
    const p = present.get(signature(s.labels, m));
    const has = new Uint8Array(n);
    let any = false;
    for (let i = 0; i < n; i++) {
      if (!s.has[i]) continue;
      const inR = p ? p[i] === 1 : false;
      if (inR !== unless) { has[i] = 1; any = true; }
    }
    if (any) out.push(s.h ? { labels: s.labels, v: s.v, has, dropName: s.dropName, h: s.h } : { labels: s.labels, v: s.v, has, dropName: s.dropName });
  }
  return { kind: 'vector', series: out };
}

function setOr(ev: Evaluator, l: GridVector, r: GridVector, m: VectorMatching): GridVector {
  const n = ev.n;
  const present = new Map<string, Uint8Array>();
  for (const s of l.series) {
    const sig = signature(s.labels, m);
    let p = present.get(sig);
    if (!p) present.set(sig, (p = new Uint8Array(n)));
    for (let i = 0; i < n; i++) p[i]! |= s.has[i]!;
  }
  const out: GridSeries[] = l.series.slice();
  for (const s of r.series) {
    const p = present.get(signature(s.labels, m));
    if (!p) { out.push(s); continue; }
    const has = new Uint8Array(n);
    let any = false;
    for (let i = 0; i < n; i++) if (s.has[i] && !p[i]) { has[i] = 1; any = true; }
    if (any) out.push(s.h ? { labels: s.labels, v: s.v, has, dropName: s.dropName, h: s.h } : { labels: s.labels, v: s.v, has, dropName: s.dropName });
  }
  return { kind: 'vector', series: out };
}

function resultLabels(many: Labels, one: Labels, m: VectorMatching): Labels {
  let out: Label[] = many.slice();
  if (m.card === 'one-to-one') {
    if (m.on) out = out.filter((l) => m.matchingLabels.includes(l.name));
    else out = out.filter((l) => !m.matchingLabels.includes(l.name));
  }
  for (const name of m.include) {
    let val = '';
    for (const l of one) if (l.name === name) { val = l.value; break; }
    out = out.filter((l) => l.name !== name);
    if (val !== '') out.push({ name, value: val });
  }
  if (m.include.length) out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return out;
}

function matchGroupString(ls: Labels, m: VectorMatching): string {
  const kept = m.on ? ls.filter((l) => m.matchingLabels.includes(l.name)) : ls.filter((l) => l.name !== METRIC_NAME && !m.matchingLabels.includes(l.name));
  return promLabelsString(kept);
}

/** Prometheus's labels.String(): {a="b", c="d"} including __name__. */
export function promLabelsString(ls: Labels): string {
  return '{' + ls.map((l) => `${/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(l.name) ? l.name : goQuote(l.name)}=${goQuote(l.value)}`).join(', ') + '}';
}

function vectorVector(ev: Evaluator, e: BinaryExpr, lv: GridVector, rv: GridVector, m: VectorMatching): GridVector {
  const n = ev.n;
  const cmp = isComparisonOp(e.op);
  const trim = e.op === '</' || e.op === '>/';
  const swap = m.card === 'one-to-many';
  const manyV = swap ? rv : lv, oneV = swap ? lv : rv;
  const oneSig = oneV.series.map((s) => signature(s.labels, m));
  const manySig = manyV.series.map((s) => signature(s.labels, m));
  const bySig = new Map<string, number[]>();
  oneSig.forEach((sig, k) => {
    const a = bySig.get(sig);
    if (a) a.push(k);
    else bySig.set(sig, [k]);
  });
  const fillL = m.fillLeft, fillR = m.fillRight;
  const outIdx = new Map<string, number>();
  const out: GridSeries[] = [];
  const pairCache = new Map<number, number>();
  // One-to-one: each "one"-side series may match only once per step.
  const matchedAt = new Int32Array(oneV.series.length).fill(-1);
  const oneMatched = fillL !== undefined && fillL !== null || fillR !== undefined && fillR !== null ? oneV.series.map(() => new Uint8Array(n)) : null;

  const emit = (key: number, mkLabels: () => Labels, i: number, val: number, dropName: boolean, hv?: FloatHistogram) => {
    let oi = pairCache.get(key);
    if (oi === undefined) {
      const ls = mkLabels();
      const lk = labelsKey(ls);
      oi = outIdx.get(lk);
      if (oi === undefined) {
        oi = out.length;
        outIdx.set(lk, oi);
        out.push({ labels: ls, v: new Float64Array(n), has: new Uint8Array(n), dropName });
      }
      pairCache.set(key, oi);
    }
    const o = out[oi]!;
    if (o.has[i]) {
      if (m.card === 'one-to-one') throw new QueryError('execution', `multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)`);
      throw new QueryError('execution', `multiple matches for labels: grouping labels must ensure unique matches`);
    }
    o.has[i] = 1;
    o.v[i] = val;
    if (hv) (o.h ??= new Array<FloatHistogram | undefined>(n))[i] = hv;
  };

  const nOne = oneV.series.length;
  // Only signatures shared by several "one"-side series can collide at a step.
  const shared = [...bySig.entries()].filter(([, idxs]) => idxs.length > 1);
  for (let i = 0; i < n; i++) {
    // Check for duplicates on the "one" side at this step.
    for (const [, idxs] of shared) {
      let first = -1;
      for (const k of idxs) {
        if (!oneV.series[k]!.has[i]) continue;
        if (first < 0) first = k;
        else {
          const side = swap ? 'left' : 'right';
          throw new QueryError('execution', `found duplicate series for the match group ${matchGroupString(oneV.series[k]!.labels, m)} on the ${side} hand-side of the operation: [${[promLabelsString(oneV.series[first]!.labels), promLabelsString(oneV.series[k]!.labels)].sort().join(', ')}];many-to-many matching not allowed: matching labels must be unique on one side`);
        }
      }
    }
    for (let mi = 0; mi < manyV.series.length; mi++) {
      const ms = manyV.series[mi]!;
      if (!ms.has[i]) continue;
      const idxs = bySig.get(manySig[mi]!);
      let oi = -1;
      if (idxs) for (const k of idxs) if (oneV.series[k]!.has[i]) { oi = k; break; }
      let fl: number, fr: number;
      let os: GridSeries | null = null;
      if (oi < 0) {
        // No match: fill the missing side if requested.
        // Missing "one" side: fill_right (Prometheus applies fill sides after swapping for group_right).
        const fillMissing = fillR;
        if (fillMissing === undefined || fillMissing === null) continue;
        fl = swap ? fillMissing : ms.v[i]!;
        fr = swap ? ms.v[i]! : fillMissing;
      } else {
        os = oneV.series[oi]!;
        if (m.card === 'one-to-one') {
          if (matchedAt[oi] === i) throw new QueryError('execution', `multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)`);
          matchedAt[oi] = i;
        }
        if (oneMatched) oneMatched[oi]![i] = 1;
        fl = swap ? os.v[i]! : ms.v[i]!;
        fr = swap ? ms.v[i]! : os.v[i]!;
      }
      let val: number;
      let hv: FloatHistogram | undefined;
      const hl = swap ? os?.h?.[i] : ms.h?.[i], hr = swap ? ms.h?.[i] : os?.h?.[i];
      if (hl || hr) {
        const r = histElemOp(ev, e, fl, hl, fr, hr);
        if (!r) continue;
        val = r.v;
        hv = r.h;
      } else if (trim) {
        histElemOp(ev, e, fl, undefined, fr, undefined);
        continue;
      } else if (cmp) {
        const keep = compare(e.op, fl, fr);
        if (e.returnBool) val = keep ? 1 : 0;
        else if (!keep) continue;
        else val = fl;
      } else val = arith(e.op, fl, fr);
      const oneLabels = os ? os.labels : [];
      const key = mi * (nOne + 1) + (oi < 0 ? nOne : oi);
      emit(key, () => resultLabels(ms.labels, oneLabels, m), i, val, e.returnBool || (!cmp && !trim) || ms.dropName, hv);
    }
    // Fill for unmatched "one"-side series.
    if (oneMatched) {
      const fillMissing = fillL;
      if (fillMissing !== undefined && fillMissing !== null) {
        for (let oi = 0; oi < nOne; oi++) {
          const os = oneV.series[oi]!;
          if (!os.has[i] || oneMatched[oi]![i]) continue;
          const fl = swap ? os.v[i]! : fillMissing;
          const fr = swap ? fillMissing : os.v[i]!;
          let val: number;
          if (cmp) {
            const keep = compare(e.op, fl, fr);
            if (e.returnBool) val = keep ? 1 : 0;
            else if (!keep) continue;
            else val = fl;
          } else val = arith(e.op, fl, fr);
          const key = -1 - oi;
          // The result takes the matching labels of the present side, without its metric name.
          emit(key, () => resultLabels(os.labels.filter((l) => l.name !== METRIC_NAME), [], { ...m, card: 'one-to-one' }), i, val, true);
        }
      }
    }
  }
  return { kind: 'vector', series: out };
}
