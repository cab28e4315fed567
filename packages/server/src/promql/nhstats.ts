// Selectors read only for histogram_count/histogram_sum/histogram_avg (Prometheus decodes those
// with its "histogram stats" iterator, which also detects counter resets on the fly and so turns
// the storage's `unknown` hints into `reset`/`not_reset`).
import type { Expr, VectorSelector } from './ast.js';
import type { FloatHistogram } from '../model/histogram.js';

export function statsOnlySelectors(e: Expr): Set<VectorSelector> {
  const out = new Set<VectorSelector>();
  const walk = (x: Expr, path: Expr[]): void => {
    if (x.type === 'VectorSelector') {
      let skip = false;
      for (let k = path.length - 1; k >= 0; k--) {
        const p = path[k]!;
        if (p.type === 'SubqueryExpr') { skip = false; break; }
        if (p.type === 'Call') {
          if (p.func === 'histogram_count' || p.func === 'histogram_sum' || p.func === 'histogram_avg') skip = true;
          else if (p.func === 'histogram_quantile' || p.func === 'histogram_quantiles' || p.func === 'histogram_fraction') { skip = false; break; }
        }
      }
      if (skip) out.add(x);
      return;
    }
    const next = [...path, x];
    switch (x.type) {
      case 'MatrixSelector': walk(x.vs, next); return;
      case 'SubqueryExpr': case 'UnaryExpr': case 'ParenExpr': walk(x.expr, next); return;
      case 'Call': x.args.forEach((a) => walk(a, next)); return;
      case 'AggregateExpr': walk(x.expr, next); if (x.param) walk(x.param, next); return;
      case 'BinaryExpr': walk(x.lhs, next); walk(x.rhs, next); return;
      default: return;
    }
  };
  walk(e, []);
  return out;
}

/** On-the-fly counter reset detection for `unknown` hints, as the stats iterator does. */
export function detectHintsOnTheFly(h: (FloatHistogram | undefined)[]): (FloatHistogram | undefined)[] {
  const out = h.slice();
  let prev: FloatHistogram | undefined;
  for (let i = 0; i < h.length; i++) {
    const x = h[i];
    if (!x) continue;
    if (x.hint === 'unknown' && prev) {
      const c = x.copy();
      c.hint = x.detectReset(prev) ? 'reset' : 'not_reset';
      out[i] = c;
    }
    prev = x;
  }
  return out;
}
