// Bucket layout helpers (same signatures and errors as prom-client).

/** `count` buckets: start, start+width, ... */
export function linearBuckets(start: number, width: number, count: number): number[] {
  if (count < 1) throw new Error('Linear buckets needs a positive count');
  const out = new Array<number>(count);
  for (let i = 0; i < count; i++) out[i] = start + i * width;
  return out;
}

/** `count` buckets: start, start*factor, start*factor^2, ... */
export function exponentialBuckets(start: number, factor: number, count: number): number[] {
  if (start <= 0) throw new Error('Exponential buckets needs a positive start');
  if (count < 1) throw new Error('Exponential buckets needs a positive count');
  if (factor <= 1) throw new Error('Exponential buckets needs a factor greater than 1');
  const out = new Array<number>(count);
  for (let i = 0; i < count; i++) {
    out[i] = start;
    start *= factor;
  }
  return out;
}

export const DEFAULT_BUCKETS: readonly number[] = Object.freeze([0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]);
