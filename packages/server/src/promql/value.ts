// Result values (public) and the step-grid representations the evaluator works on (internal).
import type { Labels } from '../model/labels.js';
import type { FloatHistogram } from '../model/histogram.js';

export interface Sample {
  labels: Labels;
  /** Timestamp in ms. */
  t: number;
  v: number;
  /** A native histogram sample (then `v` is meaningless). */
  h?: FloatHistogram;
}

export interface MatrixSeries {
  labels: Labels;
  t: Float64Array;
  v: Float64Array;
  /** Native histogram points, parallel to `t` (undefined entries are floats). */
  h?: (FloatHistogram | undefined)[];
}

export type Value =
  | { type: 'vector'; samples: Sample[] }
  | { type: 'matrix'; series: MatrixSeries[] }
  | { type: 'scalar'; t: number; v: number }
  | { type: 'string'; t: number; v: string };

export interface QueryResult {
  value: Value;
  warnings: string[];
  infos: string[];
}

/**
 * An instant vector evaluated at every step of the grid: one row per series, values by step.
 * `has[i]` says whether the series has a point at step i (NaN is a valid value).
 */
export interface GridSeries {
  labels: Labels;
  v: Float64Array;
  has: Uint8Array;
  /** Delayed __name__ removal: the name is dropped at the end of the query. */
  dropName: boolean;
  /** Sample timestamps (ms) per step, for timestamp() over a plain selector. */
  ts?: Float64Array;
  /** Native histogram per step (where set, the point is a histogram and `v` is unused). */
  h?: (FloatHistogram | undefined)[];
}

export interface GridVector {
  kind: 'vector';
  series: GridSeries[];
}

export interface GridScalar {
  kind: 'scalar';
  v: Float64Array;
}

export interface GridString {
  kind: 'string';
  s: string;
}

/** Raw points of one series for range functions (stale markers removed). */
export interface RangeSeries {
  labels: Labels;
  t: Float64Array;
  v: Float64Array;
  dropName: boolean;
  /** Native histogram points, parallel to `t`. */
  h?: (FloatHistogram | undefined)[];
  /** Start timestamps parallel to `t` (0 = unknown); only from plain matrix selectors. */
  st?: Float64Array;
}

/**
 * A range vector argument: series plus, for every step, the window (start exclusive, end inclusive)
 * to apply. `fixed` windows (from @) are the same for every step.
 */
export interface GridMatrix {
  kind: 'matrix';
  series: RangeSeries[];
  /** Window end per step (ms) — already includes offset and @. */
  winEnd: Float64Array;
  rangeMs: number;
  /** Offset in ms (for extrapolation boundaries). */
  offsetMs: number;
}

export type GridValue = GridVector | GridScalar | GridString | GridMatrix;

/**
 * Hands out zeroed per-step rows (v, has) for the series of one evaluation from shared slabs:
 * a few large allocations instead of two typed arrays (each with its own backing store) per
 * series. A row not marked with keep() is still all zeros and is handed out again.
 */
export class GridSlab {
  v = new Float64Array(0);
  has = new Uint8Array(0);
  private sv = new Float64Array(0);
  private sh = new Uint8Array(0);
  private slot = 0;
  private rows = 0;
  /** `left`: how many rows may still be asked for (sizes the slabs). */
  constructor(private readonly n: number, private left: number) {}
  /** Points v/has at the next free row. */
  next(): void {
    if (this.slot === this.rows) {
      this.rows = Math.max(1, Math.min(this.left, 128));
      this.sv = new Float64Array(this.rows * this.n);
      this.sh = new Uint8Array(this.rows * this.n);
      this.slot = 0;
    }
    this.left--;
    const o = this.slot * this.n;
    this.v = this.sv.subarray(o, o + this.n);
    this.has = this.sh.subarray(o, o + this.n);
  }
  /** The current row is kept by a series: the next one starts after it. */
  keep(): void {
    this.slot++;
  }
}
