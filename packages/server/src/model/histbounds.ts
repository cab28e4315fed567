// Upper bounds of exponential native-histogram buckets (Prometheus's bucket index convention).

const fracCache = new Map<number, Float64Array>();

/** Upper bound of exponential bucket `idx` for `schema` (Prometheus's getBoundExponential). */
export function expBound(idx: number, schema: number): number {
  if (schema < 0) {
    const e = idx * 2 ** -schema;
    if (e === 1024) return Number.MAX_VALUE;
    return 2 ** e;
  }
  let fr = fracCache.get(schema);
  if (!fr) {
    const n = 1 << schema;
    fr = new Float64Array(n);
    for (let k = 0; k < n; k++) fr[k] = 2 ** (k / n) / 2;
    fracCache.set(schema, fr);
  }
  const fracIdx = idx & ((1 << schema) - 1);
  const frac = fr[fracIdx]!;
  const exp = (idx >> schema) + 1;
  if (frac === 0.5 && exp === 1025) return Number.MAX_VALUE;
  return frac * 2 ** exp;
}
