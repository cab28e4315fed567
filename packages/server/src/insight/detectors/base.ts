// Shared plumbing: input checks, the last observation for explain(), and state (de)serialisation.
import { assignState, decodeState, encodeState, type StateValue } from './state.js';
import type { Detector, DetectorState, Explanation, Params } from './types.js';
import { clamp01 } from './math.js';

export abstract class BaseDetector implements Detector {
  /** Last observation and what was expected for it (part of the persisted state). */
  readonly last = { v: NaN, score: 0, mean: NaN, lo: NaN, hi: NaN, n: 0 };

  constructor(
    readonly name: string,
    readonly params: Readonly<Params>,
  ) {}

  /** Scores v (causally) and learns from it; sets last.mean/lo/hi to the expectation. */
  protected abstract step(t: number, v: number): number;
  /** Mutable state holders (objects of numbers and typed arrays). */
  protected abstract parts(): Record<string, object>;

  update(t: number, v: number): number {
    if (!Number.isFinite(v) || !Number.isFinite(t)) return 0;
    this.last.mean = this.last.lo = this.last.hi = NaN;
    const s = clamp01(this.step(t, v));
    this.last.v = v;
    this.last.score = s;
    this.last.n++;
    return s;
  }

  explain(): Explanation {
    const l = this.last;
    const e: Explanation = { detector: this.name, observed: l.v, score: l.score };
    if (Number.isFinite(l.mean)) e.expected = { mean: l.mean, lo: l.lo, hi: l.hi };
    return e;
  }

  /** Every mutable state holder, for snapshots (composites nest their parts' trees). */
  stateTree(): Record<string, object> {
    return { last: this.last, ...this.parts() };
  }

  toJSON(): DetectorState {
    return { detector: this.name, params: { ...this.params }, state: encodeState(this.stateTree() as unknown as StateValue) };
  }

  load(state: StateValue): void {
    assignState(this.stateTree() as Record<string, unknown>, decodeState(state), `detector ${this.name} state`);
  }

  protected expect(mean: number, sd: number, k = 3): void {
    this.last.mean = mean;
    this.last.lo = mean - k * sd;
    this.last.hi = mean + k * sd;
  }
}
