// Classic-histogram math: φ-quantile and fraction over cumulative `le` buckets.

export interface Bucket {
  upper: number;
  count: number;
}

const MIN_NORMAL = 2.2250738585072014e-308;

export function almostEqual(a: number, b: number, eps: number): boolean {
  if (a !== a && b !== b) return true;
  if (a === b) return true;
  const absSum = Math.abs(a) + Math.abs(b);
  const diff = Math.abs(a - b);
  if (a === 0 || b === 0 || absSum < MIN_NORMAL) return diff < eps * MIN_NORMAL;
  return diff / Math.min(absSum, Number.MAX_VALUE) < eps;
}

function sortAndCoalesce(b: Bucket[]): Bucket[] {
  b.sort((x, y) => (x.upper < y.upper ? -1 : x.upper > y.upper ? 1 : 0));
  const out: Bucket[] = [];
  for (const x of b) {
    const last = out[out.length - 1];
    if (last && last.upper === x.upper) last.count += x.count;
    else out.push({ upper: x.upper, count: x.count });
  }
  return out;
}

/** Returns [quantile, forcedMonotonic]. */
export function bucketQuantile(q: number, input: Bucket[]): [number, boolean] {
  if (q !== q) return [NaN, false];
  if (q < 0) return [-Infinity, false];
  if (q > 1) return [Infinity, false];
  if (!input.length) return [NaN, false];
  const b = sortAndCoalesce(input.slice());
  if (b[b.length - 1]!.upper !== Infinity) return [NaN, false];
  let forced = false;
  let prev = b[0]!.count;
  for (let i = 1; i < b.length; i++) {
    const cur = b[i]!.count;
    if (cur === prev) continue;
    if (almostEqual(prev, cur, 1e-12)) { b[i]!.count = prev; continue; }
    if (cur < prev) { b[i]!.count = prev; forced = true; continue; }
    prev = cur;
  }
  if (b.length < 2) return [NaN, forced];
  const obs = b[b.length - 1]!.count;
  if (obs === 0) return [NaN, forced];
  let rank = q * obs;
  // First bucket (excluding +Inf) whose count >= rank.
  let idx = 0;
  let lo = 0, hi = b.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (b[mid]!.count >= rank) hi = mid;
    else lo = mid + 1;
  }
  idx = lo;
  if (idx === b.length - 1) return [b[b.length - 2]!.upper, forced];
  if (idx === 0 && b[0]!.upper <= 0) return [b[0]!.upper, forced];
  let start = 0;
  const end = b[idx]!.upper;
  let count = b[idx]!.count;
  if (idx > 0) {
    start = b[idx - 1]!.upper;
    count -= b[idx - 1]!.count;
    rank -= b[idx - 1]!.count;
  }
  return [start + (end - start) * (rank / count), forced];
}

export function bucketFraction(lower: number, upper: number, input: Bucket[]): number {
  if (!input.length) return NaN;
  const b = sortAndCoalesce(input.slice());
  if (b[b.length - 1]!.upper !== Infinity) return NaN;
  const count = b[b.length - 1]!.count;
  if (count === 0 || lower !== lower || upper !== upper) return NaN;
  if (lower >= upper) return 0;
  let rank = 0, lowerRank = 0, upperRank = 0, lowerSet = false, upperSet = false;
  let lowerBound = b[0]!.upper <= 0 ? -Infinity : 0;
  for (let i = 0; i < b.length; i++) {
    if (i > 0) lowerBound = b[i - 1]!.upper;
    const upperBound = b[i]!.upper, bc = b[i]!.count;
    const interp = (v: number) => (lowerBound === -Infinity ? bc : rank + ((bc - rank) * (v - lowerBound)) / (upperBound - lowerBound));
    if (!lowerSet && lowerBound >= lower) { lowerRank = rank; lowerSet = true; }
    if (!upperSet && lowerBound >= upper) { upperRank = rank; upperSet = true; }
    if (lowerSet && upperSet) break;
    if (!lowerSet && lowerBound < lower && upperBound > lower) { lowerRank = interp(lower); lowerSet = true; }
    if (!upperSet && lowerBound < upper && upperBound > upper) { upperRank = interp(upper); upperSet = true; }
    if (lowerSet && upperSet) break;
    rank = bc;
  }
  if (!lowerSet || lowerRank > count) lowerRank = count;
  if (!upperSet || upperRank > count) upperRank = count;
  return (upperRank - lowerRank) / count;
}
