// Start timestamps (Prometheus 3's experimental "ST", the created time of a cumulative sample or
// the start of a delta sample's interval; 0 = unknown). Selectors hand them to rate, increase,
// irate and resets (counter-reset detection, zero point instead of left extrapolation) and to
// start_timestamp(); anything else, subqueries included, drops them.

/** Range functions that receive start timestamps (as in Prometheus). */
export const ST_FUNCS: ReadonlySet<string> = new Set(['rate', 'increase', 'irate', 'resets']);

/** Warning text (without position) for a sample whose start time overlaps the previous sample. */
export function overlapWarning(metric: string): string {
  return `sample has start time that overlaps with previous sample timestamp for metric ${JSON.stringify(metric)}`;
}

/**
 * Whether the start timestamps say the counter was reset between the previous sample and the
 * current one: the current interval starts after the previous sample, or exactly at it when the
 * previous sample had a known start of its own (a delta); ST = T means "unknown" (OTel).
 */
export function isStartTimestampReset(prevST: number, prevT: number, curST: number, curT: number): boolean {
  if (curST === 0 || curST >= curT) return false;
  if (curST < prevT) return false;
  if (curST > prevT) return true;
  // curST == prevT: a delta sample, or a cumulative one with unknown start (prevST unset or = prevT).
  if (prevST > prevT) return false;
  return prevST !== 0 && prevST !== prevT;
}

/** A start time before the previous sample that is not the previous sample's own start. */
export function startTimeOverlaps(prevST: number, prevT: number, curST: number): boolean {
  return curST !== 0 && curST < prevT && curST !== prevST;
}

/**
 * Start timestamps parallel to the merged float + histogram run `mergeHistograms` builds (same
 * walk: equal timestamps keep the histogram). Undefined when neither side has any.
 */
export function mergeStartTimestamps(ft: Float64Array, fst: Float64Array | undefined, ht: Float64Array, hst: Float64Array | undefined, len: number): Float64Array | undefined {
  if (!fst && !hst) return undefined;
  const out = new Float64Array(len);
  let i = 0, j = 0, k = 0;
  while ((i < ft.length || j < ht.length) && k < len) {
    if (j >= ht.length || (i < ft.length && ft[i]! < ht[j]!)) out[k++] = fst ? fst[i++]! : (i++, 0);
    else {
      if (i < ft.length && ft[i] === ht[j]) i++;
      out[k++] = hst ? hst[j++]! : (j++, 0);
    }
  }
  return out;
}
