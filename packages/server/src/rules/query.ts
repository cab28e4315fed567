// Adapts the PromQL engine to the rules' QueryFunc (Prometheus's EngineQueryFunc).
import type { Queryable } from '../storage/interface.js';
import type { QueryFunc, VectorSample } from './types.js';

/** The part of the PromQL engine the rules need. */
export interface InstantQueryEngine {
  instantQuery(queryable: Queryable, expr: string, timeMs: number): Promise<{ value: { type: string; samples?: VectorSample[]; t?: number; v?: unknown } }>;
}

export function engineQueryFunc(engine: InstantQueryEngine, queryable: Queryable): QueryFunc {
  return async (expr, tsMs) => {
    const res = await engine.instantQuery(queryable, expr, tsMs);
    const v = res.value;
    if (v.type === 'vector') return v.samples!;
    if (v.type === 'scalar') return [{ labels: [], t: v.t!, v: v.v as number }];
    throw new Error('rule result is not a vector or scalar');
  };
}
