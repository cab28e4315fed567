// The detector contract. A detector is causal (the score for a sample depends only on that sample
// and earlier ones), incremental (bounded work per sample), has bounded memory, and its whole
// state round-trips through JSON so it survives a restart.
import type { StateValue } from './state.js';

export type ParamValue = number | string | boolean;
export type Params = Record<string, ParamValue>;

/** What the detector expected for the latest sample (before seeing it). */
export interface Expectation {
  /** Centre of the expected range. */
  mean: number;
  lo: number;
  hi: number;
}

export interface Explanation {
  detector: string;
  observed: number;
  score: number;
  expected?: Expectation;
  /** Per-component scores for composite detectors. */
  components?: Record<string, number>;
}

export interface DetectorState {
  detector: string;
  params: Params;
  state: unknown;
}

export interface Detector {
  readonly name: string;
  readonly params: Readonly<Params>;
  /**
   * Feeds one sample (t in ms, value) and returns its anomaly score in [0,1]. Non-finite values
   * are not learned from; they return 0.
   */
  update(t: number, v: number): number;
  /** The last sample, its score and what was expected. */
  explain(): Explanation;
  toJSON(): DetectorState;
  /** Replaces internal state with a snapshot from toJSON (same params). */
  load(state: StateValue): void;
}

/** Multivariate detectors take one vector per timestamp (a fixed dimension). */
export interface VectorDetector {
  readonly name: string;
  readonly params: Readonly<Params>;
  readonly dims: number;
  update(t: number, x: Float64Array): number;
  toJSON(): DetectorState;
  load(state: StateValue): void;
}

export class ParamError extends Error {}

/** Reads a numeric parameter with a default and bounds, naming the detector on error. */
export function numParam(p: Params, det: string, name: string, def: number, min = -Infinity, max = Infinity): number {
  const v = p[name];
  if (v === undefined) return def;
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : NaN;
  if (!Number.isFinite(n) || n < min || n > max) {
    throw new ParamError(`detector ${det}: parameter ${name} must be a number in [${min}, ${max}], got ${JSON.stringify(v)}`);
  }
  return n;
}

export function checkParams(p: Params, det: string, known: readonly string[]): void {
  for (const k of Object.keys(p)) {
    if (!known.includes(k)) throw new ParamError(`detector ${det}: unknown parameter ${k} (known: ${known.join(', ') || 'none'})`);
  }
}
