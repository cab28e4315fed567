// Native histograms as PromQL sees them: Prometheus's FloatHistogram (absolute float bucket
// counts). Buckets are held as explicit (index, count) pairs per side, sorted by index; spans are
// derived only where a wire format needs them. Exponential schemas -4..8; schema -53 uses
// customValues (upper bounds, +Inf implicit) and positive buckets only.

import { expBound } from './histbounds.js';
import { trimHistogram } from './histtrim.js';

export { expBound };

export type CounterResetHint = 'unknown' | 'reset' | 'not_reset' | 'gauge';

export const CUSTOM_BUCKETS_SCHEMA = -53;

export interface Span {
  offset: number;
  length: number;
}

export class HistogramError extends Error {}

export const ERR_INCOMPATIBLE_SCHEMA = 'cannot apply this operation on histograms with a mix of exponential and custom bucket schemas';

export class FloatHistogram {
  schema = 0;
  zeroThreshold = 0;
  zeroCount = 0;
  count = 0;
  sum = 0;
  /** Positive bucket indices (ascending) and counts. */
  pIdx: number[] = [];
  pCnt: number[] = [];
  /** Negative bucket indices (ascending by index, i.e. by absolute value) and counts. */
  nIdx: number[] = [];
  nCnt: number[] = [];
  customValues: number[] | null = null;
  hint: CounterResetHint = 'unknown';

  get usesCustomBuckets(): boolean {
    return this.schema === CUSTOM_BUCKETS_SCHEMA;
  }

  copy(): FloatHistogram {
    const h = new FloatHistogram();
    h.schema = this.schema;
    h.zeroThreshold = this.zeroThreshold;
    h.zeroCount = this.zeroCount;
    h.count = this.count;
    h.sum = this.sum;
    h.pIdx = this.pIdx.slice();
    h.pCnt = this.pCnt.slice();
    h.nIdx = this.nIdx.slice();
    h.nCnt = this.nCnt.slice();
    h.customValues = this.customValues; // immutable, shared
    h.hint = this.hint;
    return h;
  }

  /** Scales every count and the sum (in place). A negative factor makes it a gauge. */
  mul(f: number): this {
    this.zeroCount *= f;
    this.count *= f;
    this.sum *= f;
    for (let i = 0; i < this.pCnt.length; i++) this.pCnt[i]! *= f;
    for (let i = 0; i < this.nCnt.length; i++) this.nCnt[i]! *= f;
    if (f < 0) this.hint = 'gauge';
    return this;
  }

  /** Divides every count and the sum (in place); division by zero drops all buckets. */
  div(f: number): this {
    this.zeroCount /= f;
    this.count /= f;
    this.sum /= f;
    if (f === 0) {
      this.pIdx = []; this.pCnt = []; this.nIdx = []; this.nCnt = [];
      return this;
    }
    for (let i = 0; i < this.pCnt.length; i++) this.pCnt[i]! /= f;
    for (let i = 0; i < this.nCnt.length; i++) this.nCnt[i]! /= f;
    if (f < 0) this.hint = 'gauge';
    return this;
  }

  /** Adds (or subtracts) `o` in place. Returns flags for annotations. Throws HistogramError on schema mix. */
  add(o: FloatHistogram, negate = false): { collision: boolean; reconciled: boolean } {
    if (this.usesCustomBuckets !== o.usesCustomBuckets) throw new HistogramError(ERR_INCOMPATIBLE_SCHEMA);
    const collision = this.adjustHint(o);
    const sg = negate ? -1 : 1;
    let reconciled = false;
    this.count += sg * o.count;
    this.sum += sg * o.sum;
    if (this.usesCustomBuckets) {
      if (sameBounds(this.customValues, o.customValues)) {
        [this.pIdx, this.pCnt] = mergeBuckets(this.pIdx, this.pCnt, o.pIdx, o.pCnt, sg);
      } else {
        reconciled = true;
        const inter = intersectBounds(this.customValues ?? [], o.customValues ?? []);
        const a = mapCustom(this.pIdx, this.pCnt, this.customValues ?? [], inter, 1);
        const b = mapCustom(o.pIdx, o.pCnt, o.customValues ?? [], inter, sg);
        const sum = new Map<number, number>(a);
        for (const [k, v] of b) sum.set(k, (sum.get(k) ?? 0) + v);
        const keys = [...sum.keys()].filter((k) => sum.get(k) !== 0).sort((x, y) => x - y);
        this.pIdx = keys;
        this.pCnt = keys.map((k) => sum.get(k)!);
        this.customValues = inter;
      }
      return { collision, reconciled };
    }
    let other = o;
    if (o.schema > this.schema) other = o.copy().reduceTo(this.schema);
    else if (o.schema < this.schema) this.reduceTo(o.schema);
    // Zero buckets: widen the narrower one (buckets inside it fold into the zero count).
    if (other.zeroThreshold !== this.zeroThreshold) {
      if (other === o) other = o.copy();
      for (let guard = 0; guard < 64 && other.zeroThreshold !== this.zeroThreshold; guard++) {
        if (this.zeroThreshold > other.zeroThreshold) other.widenZero(this.zeroThreshold);
        if (other.zeroThreshold > this.zeroThreshold) this.widenZero(other.zeroThreshold);
      }
    }
    this.zeroCount += sg * other.zeroCount;
    [this.pIdx, this.pCnt] = mergeBuckets(this.pIdx, this.pCnt, other.pIdx, other.pCnt, sg);
    [this.nIdx, this.nCnt] = mergeBuckets(this.nIdx, this.nCnt, other.nIdx, other.nCnt, sg);
    return { collision, reconciled };
  }

  sub(o: FloatHistogram): { collision: boolean; reconciled: boolean } {
    return this.add(o, true);
  }

  private adjustHint(o: FloatHistogram): boolean {
    const a = this.hint, b = o.hint;
    if (a === b || a === 'gauge') return false;
    if (b === 'gauge') { this.hint = 'gauge'; return false; }
    if (a === 'unknown') return false;
    if (b === 'unknown') { this.hint = 'unknown'; return false; }
    this.hint = 'unknown';
    return true;
  }

  /** Merges buckets into a lower-resolution exponential schema (in place). */
  reduceTo(target: number): this {
    if (this.usesCustomBuckets || target >= this.schema) return this;
    const d = this.schema - target;
    const red = (idx: number[], cnt: number[]): [number[], number[]] => {
      const oi: number[] = [], oc: number[] = [];
      for (let i = 0; i < idx.length; i++) {
        const t = ((idx[i]! - 1) >> d) + 1;
        if (oi.length && oi[oi.length - 1] === t) oc[oc.length - 1]! += cnt[i]!;
        else { oi.push(t); oc.push(cnt[i]!); }
      }
      return [oi, oc];
    };
    [this.pIdx, this.pCnt] = red(this.pIdx, this.pCnt);
    [this.nIdx, this.nCnt] = red(this.nIdx, this.nCnt);
    this.schema = target;
    return this;
  }

  /**
   * Raises the zero threshold to at least `t`, folding buckets inside it into the zero count. If
   * the new threshold falls inside a populated bucket, the threshold moves up to that bucket's
   * upper bound (as Prometheus does).
   */
  widenZero(t: number): void {
    let thr = t;
    for (;;) {
      let moved = false;
      for (let i = 0; i < this.pIdx.length; i++) {
        const lo = expBound(this.pIdx[i]! - 1, this.schema), up = expBound(this.pIdx[i]!, this.schema);
        if (lo >= thr) break;
        if (up > thr && this.pCnt[i] !== 0) { thr = up; moved = true; break; }
      }
      for (let i = 0; i < this.nIdx.length && !moved; i++) {
        const lo = expBound(this.nIdx[i]! - 1, this.schema), up = expBound(this.nIdx[i]!, this.schema);
        if (lo >= thr) break;
        if (up > thr && this.nCnt[i] !== 0) { thr = up; moved = true; break; }
      }
      if (!moved) break;
    }
    const fold = (idx: number[], cnt: number[]): [number[], number[]] => {
      const oi: number[] = [], oc: number[] = [];
      for (let i = 0; i < idx.length; i++) {
        if (expBound(idx[i]!, this.schema) <= thr || expBound(idx[i]! - 1, this.schema) < thr) this.zeroCount += cnt[i]!;
        else { oi.push(idx[i]!); oc.push(cnt[i]!); }
      }
      return [oi, oc];
    };
    [this.pIdx, this.pCnt] = fold(this.pIdx, this.pCnt);
    [this.nIdx, this.nCnt] = fold(this.nIdx, this.nCnt);
    this.zeroThreshold = thr;
  }

  /** Drops empty buckets (Prometheus's Compact(0)). */
  compact(): this {
    const f = (idx: number[], cnt: number[]): [number[], number[]] => {
      const oi: number[] = [], oc: number[] = [];
      for (let i = 0; i < idx.length; i++) if (cnt[i] !== 0) { oi.push(idx[i]!); oc.push(cnt[i]!); }
      return [oi, oc];
    };
    [this.pIdx, this.pCnt] = f(this.pIdx, this.pCnt);
    [this.nIdx, this.nCnt] = f(this.nIdx, this.nCnt);
    return this;
  }

  /** True if `this` (the later sample) implies a counter reset since `prev`. */
  detectReset(prev: FloatHistogram): boolean {
    if (this.hint === 'reset') return true;
    if (this.hint === 'not_reset') return false;
    if (this.count < prev.count) return true;
    if (this.usesCustomBuckets || prev.usesCustomBuckets) {
      if (this.usesCustomBuckets !== prev.usesCustomBuckets) return true;
      if (!sameBounds(this.customValues, prev.customValues)) {
        const inter = intersectBounds(this.customValues ?? [], prev.customValues ?? []);
        const a = mapCustom(this.pIdx, this.pCnt, this.customValues ?? [], inter, 1);
        const b = mapCustom(prev.pIdx, prev.pCnt, prev.customValues ?? [], inter, 1);
        for (const [k, v] of b) if ((a.get(k) ?? 0) < v) return true;
        return false;
      }
      return bucketsDecreased(this.pIdx, this.pCnt, prev.pIdx, prev.pCnt);
    }
    if (this.schema > prev.schema) return true;
    if (this.zeroThreshold < prev.zeroThreshold) return true;
    let p = prev;
    if (prev.schema > this.schema) p = prev.copy().reduceTo(this.schema);
    if (p.zeroThreshold < this.zeroThreshold) {
      if (p === prev) p = prev.copy();
      p.widenZero(this.zeroThreshold);
      if (p.zeroThreshold !== this.zeroThreshold) return true;
    }
    if (this.zeroCount < p.zeroCount) return true;
    return bucketsDecreased(this.pIdx, this.pCnt, p.pIdx, p.pCnt) || bucketsDecreased(this.nIdx, this.nCnt, p.nIdx, p.nCnt);
  }

  /** All buckets from lowest to highest value (negative, zero bucket if populated, positive). */
  buckets(): Bucket[] {
    const out: Bucket[] = [];
    const zt = this.zeroThreshold;
    if (this.usesCustomBuckets) {
      const cv = this.customValues ?? [];
      for (let i = 0; i < this.pIdx.length; i++) {
        const k = this.pIdx[i]!;
        out.push({ lower: k === 0 ? -Infinity : cv[k - 1]!, upper: k >= cv.length ? Infinity : cv[k]!, count: this.pCnt[i]!, index: k, side: 1 });
      }
      return out;
    }
    for (let i = this.nIdx.length - 1; i >= 0; i--) {
      const k = this.nIdx[i]!;
      let up = -expBound(k - 1, this.schema);
      if (up < 0 && up > -zt) up = -zt;
      out.push({ lower: -expBound(k, this.schema), upper: up, count: this.nCnt[i]!, index: k, side: -1 });
    }
    if (this.zeroCount > 0) out.push({ lower: -zt, upper: zt, count: this.zeroCount, index: 0, side: 0 });
    for (let i = 0; i < this.pIdx.length; i++) {
      const k = this.pIdx[i]!;
      let lo = expBound(k - 1, this.schema);
      if (lo > 0 && lo < zt) lo = zt;
      out.push({ lower: lo, upper: expBound(k, this.schema), count: this.pCnt[i]!, index: k, side: 1 });
    }
    return out;
  }

  /**
   * Trims observations above (`upper`, operator `</`) or below (`>/`) `rhs` in place (see
   * histtrim.ts).
   */
  trim(rhs: number, upper: boolean): this {
    trimHistogram(this, rhs, upper);
    return this;
  }

  /** Spans for a side (Prometheus wire layout), from explicit indices. */
  static spansOf(idx: readonly number[]): Span[] {
    const out: Span[] = [];
    let prevEnd = 0;
    for (let i = 0; i < idx.length; i++) {
      const k = idx[i]!;
      const last = out[out.length - 1];
      if (last && k === prevEnd) last.length++;
      else out.push({ offset: out.length ? k - prevEnd : k, length: 1 });
      prevEnd = k + 1;
    }
    return out;
  }

  /** Builds explicit indices from spans. */
  static indicesOf(spans: readonly Span[]): number[] {
    const out: number[] = [];
    let k = 0;
    spans.forEach((s, i) => {
      k += s.offset;
      if (i === 0) k = s.offset;
      for (let j = 0; j < s.length; j++) out.push(k++);
    });
    return out;
  }

  /** True if any field is ±Inf (aggregation overflow). */
  hasOverflow(): boolean {
    const inf = (x: number) => x === Infinity || x === -Infinity;
    return inf(this.zeroCount) || inf(this.count) || inf(this.sum) || this.pCnt.some(inf) || this.nCnt.some(inf);
  }

  toString(): string {
    return this.buckets().map((b) => `${b.lower}..${b.upper}:${b.count}`).join(' ') + ` count:${this.count} sum:${this.sum}`;
  }
}

export interface Bucket {
  lower: number;
  upper: number;
  count: number;
  index: number;
  /** -1 negative, 0 zero bucket, 1 positive. */
  side: -1 | 0 | 1;
}

export function sameBounds(a: readonly number[] | null, b: readonly number[] | null): boolean {
  if (a === b) return true;
  if (!a || !b || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function intersectBounds(a: readonly number[], b: readonly number[]): number[] {
  const out: number[] = [];
  let i = 0, j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) { out.push(a[i]!); i++; j++; }
    else if (a[i]! < b[j]!) i++;
    else j++;
  }
  return out;
}

/** Maps custom buckets onto a coarser set of bounds (index = first target bound >= source bound). */
function mapCustom(idx: readonly number[], cnt: readonly number[], bounds: readonly number[], target: readonly number[], sg: number): Map<number, number> {
  const out = new Map<number, number>();
  for (let i = 0; i < idx.length; i++) {
    const k = idx[i]!;
    let t = target.length;
    if (k < bounds.length) {
      const b = bounds[k]!;
      for (let j = 0; j < target.length; j++) if (target[j]! >= b) { t = j; break; }
    }
    out.set(t, (out.get(t) ?? 0) + sg * cnt[i]!);
  }
  return out;
}

function mergeBuckets(ai: readonly number[], ac: readonly number[], bi: readonly number[], bc: readonly number[], sg: number): [number[], number[]] {
  const oi: number[] = [], oc: number[] = [];
  let i = 0, j = 0;
  while (i < ai.length || j < bi.length) {
    if (j >= bi.length || (i < ai.length && ai[i]! < bi[j]!)) { oi.push(ai[i]!); oc.push(ac[i]!); i++; }
    else if (i >= ai.length || bi[j]! < ai[i]!) { oi.push(bi[j]!); oc.push(sg * bc[j]!); j++; }
    else { oi.push(ai[i]!); oc.push(ac[i]! + sg * bc[j]!); i++; j++; }
  }
  return [oi, oc];
}

/** True if some populated bucket of prev has a smaller count (or is missing) in cur. */
function bucketsDecreased(ci: readonly number[], cc: readonly number[], pi: readonly number[], pc: readonly number[]): boolean {
  let j = 0;
  for (let i = 0; i < pi.length; i++) {
    if (pc[i] === 0) continue;
    while (j < ci.length && ci[j]! < pi[i]!) j++;
    const cur = j < ci.length && ci[j] === pi[i] ? cc[j]! : 0;
    if (cur < pc[i]!) return true;
  }
  return false;
}

/**
 * The counter-reset hints a TSDB reports for a stored run of histogram samples (as Prometheus's
 * chunks do): gauge histograms stay gauges, an explicit `reset` stays, the first sample and a
 * sample after a detected reset are `unknown`, and every other one is `not_reset`.
 * Returns new objects where a hint changes; the input is not modified.
 */
export function storedHints(hs: readonly FloatHistogram[]): FloatHistogram[] {
  const out: FloatHistogram[] = new Array(hs.length);
  for (let i = 0; i < hs.length; i++) {
    const h = hs[i]!;
    let hint: CounterResetHint;
    if (h.hint === 'gauge' || h.hint === 'reset') hint = h.hint;
    else if (i === 0) hint = 'unknown';
    else {
      const prev = hs[i - 1]!;
      const probe = h.hint === 'unknown' ? h : Object.assign(h.copy(), { hint: 'unknown' as CounterResetHint });
      // A detected reset starts a new chunk, whose first sample reads back as unknown
      // (prometheus/prometheus#15346).
      hint = prev.hint === 'gauge' || probe.detectReset(prev) ? 'unknown' : 'not_reset';
    }
    if (hint === h.hint) out[i] = h;
    else {
      const c = h.copy();
      c.hint = hint;
      out[i] = c;
    }
  }
  return out;
}
