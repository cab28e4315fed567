// Shared head mechanics of the sparse side stores (native histograms, start timestamps): each
// keeps per-series sample lists in memory and persists them per block range.

/** A series of a side store: sample times plus parallel per-sample payload arrays. */
export interface SideSeries {
  t: number[];
}

/**
 * Persists whole block ranges while the head spans more than 1.5 ranges (for entries whose
 * float head does not advance, so the float head's persistence never moves them).
 * Returns true if anything was persisted.
 */
export function persistWholeRanges(head: Map<string, SideSeries>, blockRangeMs: number, persist: (mint: number, maxt: number) => void): boolean {
  let did = false;
  for (;;) {
    let minT = Infinity, maxT = -Infinity;
    for (const s of head.values()) {
      if (!s.t.length) continue;
      minT = Math.min(minT, s.t[0]!);
      maxT = Math.max(maxT, s.t[s.t.length - 1]!);
    }
    if (!(maxT - minT > blockRangeMs * 1.5)) return did;
    const mint = Math.floor(minT / blockRangeMs) * blockRangeMs;
    persist(mint, mint + blockRangeMs);
    did = true;
  }
}

/** Drops head samples before mint; `cut(s, n)` removes the first n entries of the payload arrays. */
export function truncateSideHead<S extends SideSeries>(head: Map<string, S>, mint: number, cut: (s: S, n: number) => void): void {
  for (const [k, s] of head) {
    let a = 0;
    while (a < s.t.length && s.t[a]! < mint) a++;
    if (a === s.t.length) head.delete(k);
    else if (a > 0) {
      s.t = s.t.slice(a);
      cut(s, a);
    }
  }
}
