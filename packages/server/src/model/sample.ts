// Sample values and time. Timestamps are milliseconds since the epoch (integers held in numbers).

/** The NaN bit pattern Prometheus writes as a staleness marker (0x7ff0000000000002). */
export const STALE_NAN_BITS_HI = 0x7ff00000;
export const STALE_NAN_BITS_LO = 0x00000002;

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

export const STALE_NAN: number = (() => {
  u32[0] = STALE_NAN_BITS_LO; // little-endian: low word first
  u32[1] = STALE_NAN_BITS_HI;
  return f64[0]!;
})();

/** True when v carries the staleness-marker payload (not any NaN). */
export function isStaleNaN(v: number): boolean {
  if (v === v) return false;
  f64[0] = v;
  return u32[0] === STALE_NAN_BITS_LO && u32[1] === STALE_NAN_BITS_HI;
}

/** Bit-exact equality (distinguishes -0 from 0 and NaN payloads). */
export function sameBits(a: number, b: number): boolean {
  f64[0] = a;
  const lo = u32[0], hi = u32[1];
  f64[0] = b;
  return lo === u32[0] && hi === u32[1];
}

/** A decoded run of samples, as parallel arrays (no per-sample objects). */
export interface SampleArrays {
  readonly t: Float64Array;
  readonly v: Float64Array;
}
