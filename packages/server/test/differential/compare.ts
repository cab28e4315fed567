// Compares two Prometheus API query responses: same status, same result type, same series
// (order-insensitive unless the query orders), values equal within a relative tolerance.
interface Resp {
  status: string;
  errorType?: string;
  error?: string;
  data?: { resultType: string; result: unknown };
}

type Sample = [number, string];
interface VecItem { metric: Record<string, string>; value: Sample }
interface MatItem { metric: Record<string, string>; values: Sample[] }

function key(m: Record<string, string>): string {
  return JSON.stringify(Object.keys(m).sort().map((k) => [k, m[k]]));
}

function sameValue(a: string, b: string, tol: number): boolean {
  if (a === b) return true;
  const x = Number(a), y = Number(b);
  if (Number.isNaN(x) && Number.isNaN(y)) return true;
  if (!Number.isFinite(x) || !Number.isFinite(y)) return x === y;
  return Math.abs(x - y) <= tol * Math.max(Math.abs(x), Math.abs(y)) || Math.abs(x - y) < 1e-12;
}

/** Returns null when equal, else a short description of the first difference. */
export function compareResponses(a: Resp, b: Resp, ordered: boolean, tol = 1e-9): string | null {
  if (a.status !== b.status) return `status ${a.status} (${a.error ?? ''}) vs ${b.status} (${b.error ?? ''})`;
  if (a.status !== 'success') return null;
  const ra = a.data!, rb = b.data!;
  if (ra.resultType !== rb.resultType) return `resultType ${ra.resultType} vs ${rb.resultType}`;
  if (ra.resultType === 'scalar' || ra.resultType === 'string') {
    const [ta, va] = ra.result as Sample, [tb, vb] = rb.result as Sample;
    return ta === tb && sameValue(va, vb, tol) ? null : `scalar ${JSON.stringify(ra.result)} vs ${JSON.stringify(rb.result)}`;
  }
  const xa = ra.result as (VecItem | MatItem)[], xb = rb.result as (VecItem | MatItem)[];
  if (xa.length !== xb.length) return `${xa.length} series vs ${xb.length}: ${xa.slice(0, 3).map((s) => key(s.metric)).join(' ')} | ${xb.slice(0, 3).map((s) => key(s.metric)).join(' ')}`;
  const sa = ordered ? xa : [...xa].sort((p, q) => (key(p.metric) < key(q.metric) ? -1 : 1));
  const sb = ordered ? xb : [...xb].sort((p, q) => (key(p.metric) < key(q.metric) ? -1 : 1));
  for (let i = 0; i < sa.length; i++) {
    const p = sa[i]!, q = sb[i]!;
    if (key(p.metric) !== key(q.metric)) return `series ${i}: ${key(p.metric)} vs ${key(q.metric)}`;
    const pv = 'value' in p ? [p.value] : p.values;
    const qv = 'value' in q ? [q.value] : (q as MatItem).values;
    if (pv.length !== qv.length) return `${key(p.metric)}: ${pv.length} points vs ${qv.length}`;
    for (let j = 0; j < pv.length; j++) {
      if (pv[j]![0] !== qv[j]![0] || !sameValue(pv[j]![1], qv[j]![1], tol)) {
        return `${key(p.metric)} point ${j}: ${JSON.stringify(pv[j])} vs ${JSON.stringify(qv[j])}`;
      }
    }
  }
  return null;
}
