// Adapter from the PromQL engine to the InsightManager's query function.
import type { Engine } from '../promql/index.js';
import type { Queryable } from '../storage/interface.js';
import type { QueryFn, QuerySample } from './manager.js';

/** `(expr, t) → samples` over `queryable`: vectors as-is, a scalar as one unlabelled sample. */
export function engineQueryFn(engine: Engine, queryable: Queryable): QueryFn {
  return async (expr: string, tsMs: number): Promise<QuerySample[]> => {
    const r = await engine.instantQuery(queryable, expr, tsMs);
    const v = r.value;
    if (v.type === 'vector') return v.samples.map((s) => ({ labels: s.labels, v: s.v }));
    if (v.type === 'scalar') return [{ labels: [], v: v.v }];
    throw new Error(`anomaly job expression must return an instant vector or scalar, got ${v.type}`);
  };
}
