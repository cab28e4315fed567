// Binary operators where one or both operands are native histograms (Prometheus semantics):
// histogram ± histogram, histogram * / scalar, scalar * histogram, histogram ==/!= histogram;
// everything else drops the element with an "incompatible sample types" info.
import { HistogramError, type FloatHistogram } from '../model/histogram.js';
import { isComparisonOp, type BinaryExpr } from './ast.js';
import type { Evaluator } from './engine.js';

export interface ElemResult {
  v: number;
  h?: FloatHistogram;
}

/** Same data (not numeric closeness): layouts and bit-for-bit counts after compaction. */
function histEquals(a: FloatHistogram, b: FloatHistogram): boolean {
  const x = a.copy().compact(), y = b.copy().compact();
  const same = (p: number, q: number) => Object.is(p, q) || (p !== p && q !== q) || p === q;
  if (x.schema !== y.schema || x.zeroThreshold !== y.zeroThreshold || !same(x.zeroCount, y.zeroCount) || !same(x.count, y.count) || !same(x.sum, y.sum)) return false;
  const arr = (p: number[], q: number[]) => p.length === q.length && p.every((v, k) => same(v, q[k]!));
  if (x.usesCustomBuckets && (x.customValues ?? []).join() !== (y.customValues ?? []).join()) return false;
  return arr(x.pIdx, y.pIdx) && arr(x.pCnt, y.pCnt) && arr(x.nIdx, y.nIdx) && arr(x.nCnt, y.nCnt);
}

/**
 * Applies e.op to (fl|hl, fr|hr) where at least one side is a histogram. Returns undefined when
 * the element is dropped. `vectorIsRight`: for vector/scalar comparisons with the scalar on the
 * left, the kept value is the vector's (right) operand.
 */
export function histElemOp(ev: Evaluator, e: BinaryExpr, fl: number, hl: FloatHistogram | undefined, fr: number, hr: FloatHistogram | undefined, vectorIsRight = false): ElemResult | undefined {
  const ann = ev.ctx.annotations;
  const op = e.op;
  const typ = (h: FloatHistogram | undefined) => (h ? 'histogram' : 'float');
  const incompatible = () => { ann.info(`incompatible sample types encountered for binary operator "${op}": ${typ(hl)} ${op} ${typ(hr)}`, e); return undefined; };
  let res: ElemResult | undefined;
  let keep = true;
  if (!hl && hr) {
    if (op !== '*') return incompatible();
    res = { v: 0, h: hr.copy().mul(fl).compact() };
  } else if (hl && !hr) {
    if (op === '</' || op === '>/') res = { v: 0, h: hl.copy().trim(fr, op === '</') };
    else if (op === '*') res = { v: 0, h: hl.copy().mul(fr).compact() };
    else if (op === '/') res = { v: 0, h: hl.copy().div(fr).compact() };
    else return incompatible();
  } else if (hl && hr) {
    if (op === '+' || op === '-') {
      const r = hl.copy();
      let flags;
      try {
        flags = op === '+' ? r.add(hr) : r.sub(hr);
      } catch (err) {
        if (!(err instanceof HistogramError)) throw err;
        ann.warn(`incompatible bucket layout encountered for binary operator ${op}`, e);
        return undefined;
      }
      if (op === '-') r.hint = 'gauge';
      if (flags.collision) ann.warn(`conflicting counter resets during histogram ${op === '+' ? 'addition' : 'subtraction'}`, e);
      if (flags.reconciled) ann.info(`mismatched custom buckets were reconciled during ${op === '+' ? 'addition' : 'subtraction'}`, e);
      res = { v: 0, h: r.compact() };
    } else if (op === '==' || op === '!=') {
      keep = histEquals(hl, hr) === (op === '==');
      res = { v: 0, h: hl };
    } else return incompatible();
  } else {
    // Two floats: only the trim operators get here (they need a histogram on the left).
    if (op === '</' || op === '>/') return incompatible();
    return undefined;
  }
  if (isComparisonOp(op)) {
    if (vectorIsRight) res = { v: fr, h: hr };
    if (e.returnBool) return { v: keep ? 1 : 0 };
    return keep ? res : undefined;
  }
  return res;
}
