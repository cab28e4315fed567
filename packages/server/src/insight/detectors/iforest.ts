// Streaming Isolation Forest over a vector of metrics (e.g. latency, error rate and CPU of one
// service). Points that random axis-aligned splits isolate quickly are anomalous. The forest is
// refit every `refit` samples on a bounded ring of recent points, so memory and amortised work
// per sample are constant. Catches combinations that are unusual even when each metric alone
// is in range; misses anomalies that persist longer than the ring (they become "normal") and
// ordering/seasonal anomalies. Cost: trees·(2^depth) nodes (≈ 16 KB at the defaults) plus the
// ring (ring·dims doubles); refit O(trees·sample·depth) every `refit` samples.
import { assignState, decodeState, encodeState, type StateValue } from './state.js';
import { BaseDetector } from './base.js';
import { Calibrator } from './likelihood.js';
import { checkParams, numParam, type DetectorState, type Params, type VectorDetector } from './types.js';

/** Average path length of an unsuccessful BST search among n points (the IF normaliser). */
function cFactor(n: number): number {
  if (n <= 1) return 0;
  if (n === 2) return 1;
  return 2 * (Math.log(n - 1) + 0.5772156649) - (2 * (n - 1)) / n;
}

export const IF_KNOWN = ['trees', 'sample', 'ring', 'refit', 'seed'];

export class IsolationForest implements VectorDetector {
  readonly name = 'iforest';
  private readonly trees: number;
  private readonly sample: number;
  private readonly ringCap: number;
  private readonly refitEvery: number;
  private readonly nodes: number;
  private readonly maxDepth: number;
  readonly s: {
    ring: Float64Array; head: number; len: number; since: number; fitted: number; rng: number; n: number;
    feat: Int32Array; split: Float64Array; size: Int32Array;
  };
  private readonly idx: Int32Array;
  private readonly stack: Int32Array;

  constructor(
    readonly dims: number,
    readonly params: Params = {},
  ) {
    checkParams(params, 'iforest', IF_KNOWN);
    if (!Number.isInteger(dims) || dims < 1 || dims > 1000) throw new Error(`detector iforest: dims must be 1..1000, got ${dims}`);
    this.trees = Math.round(numParam(params, 'iforest', 'trees', 32, 1, 1000));
    this.sample = Math.round(numParam(params, 'iforest', 'sample', 64, 4, 4096));
    this.ringCap = Math.round(numParam(params, 'iforest', 'ring', 512, this.sample, 1 << 20));
    this.refitEvery = Math.round(numParam(params, 'iforest', 'refit', 128, 1, 1 << 20));
    this.maxDepth = Math.ceil(Math.log2(this.sample));
    this.nodes = (1 << (this.maxDepth + 1)) - 1;
    const seed = Math.round(numParam(params, 'iforest', 'seed', 1, 0, 2 ** 31));
    this.s = {
      ring: new Float64Array(this.ringCap * dims), head: 0, len: 0, since: 0, fitted: 0, rng: seed || 1, n: 0,
      feat: new Int32Array(this.trees * this.nodes).fill(-1),
      split: new Float64Array(this.trees * this.nodes),
      size: new Int32Array(this.trees * this.nodes),
    };
    this.idx = new Int32Array(this.sample);
    this.stack = new Int32Array(3 * (this.maxDepth + 2) * 2);
  }

  private rand(): number {
    // xorshift32: deterministic, so a restored forest refits identically.
    let x = this.s.rng | 0;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.s.rng = x >>> 0 || 1;
    return this.s.rng / 4294967296;
  }

  /** Path length of x in tree `tr`. */
  private path(tr: number, x: Float64Array): number {
    const base = tr * this.nodes;
    let node = 0, depth = 0;
    for (;;) {
      const f = this.s.feat[base + node]!;
      if (f < 0) return depth + cFactor(this.s.size[base + node]!);
      node = x[f]! < this.s.split[base + node]! ? 2 * node + 1 : 2 * node + 2;
      depth++;
    }
  }

  private fit(): void {
    const s = this.s, d = this.dims, n = s.len;
    const m = Math.min(this.sample, n);
    for (let tr = 0; tr < this.trees; tr++) {
      const base = tr * this.nodes;
      s.feat.fill(-1, base, base + this.nodes);
      // Subsample (with replacement: simple, and unbiased enough for isolation depth).
      for (let i = 0; i < m; i++) this.idx[i] = Math.floor(this.rand() * n);
      // Iterative build: stack of (node, lo, hi) over idx ranges.
      let sp = 0;
      const st = this.stack;
      st[sp++] = 0; st[sp++] = 0; st[sp++] = m;
      while (sp > 0) {
        const hi = st[--sp]!, lo = st[--sp]!, node = st[--sp]!;
        const depth = Math.floor(Math.log2(node + 1));
        const cnt = hi - lo;
        s.size[base + node] = cnt;
        if (cnt <= 1 || depth >= this.maxDepth) continue;
        // Random feature among those with a spread in this node.
        let f = -1, mn = 0, mx = 0;
        const start = Math.floor(this.rand() * d);
        for (let k = 0; k < d && f < 0; k++) {
          const ff = (start + k) % d;
          mn = Infinity; mx = -Infinity;
          for (let i = lo; i < hi; i++) {
            const v = s.ring[this.idx[i]! * d + ff]!;
            if (v < mn) mn = v;
            if (v > mx) mx = v;
          }
          if (mx > mn) f = ff;
        }
        if (f < 0) continue;
        const sv = mn + this.rand() * (mx - mn);
        let a = lo, b = hi - 1;
        while (a <= b) {
          if (s.ring[this.idx[a]! * d + f]! < sv) a++;
          else {
            const tmp = this.idx[a]!; this.idx[a] = this.idx[b]!; this.idx[b] = tmp; b--;
          }
        }
        s.feat[base + node] = f;
        s.split[base + node] = sv;
        st[sp++] = 2 * node + 1; st[sp++] = lo; st[sp++] = a;
        st[sp++] = 2 * node + 2; st[sp++] = a; st[sp++] = hi;
      }
    }
    s.fitted = 1;
    s.since = 0;
  }

  update(_t: number, x: Float64Array): number {
    const s = this.s, d = this.dims;
    for (let k = 0; k < d; k++) if (!Number.isFinite(x[k]!)) return 0;
    let score = 0;
    if (s.fitted) {
      let h = 0;
      for (let tr = 0; tr < this.trees; tr++) h += this.path(tr, x);
      score = Math.pow(2, -(h / this.trees) / cFactor(Math.min(this.sample, s.len)));
    }
    s.ring.set(x.subarray(0, d), s.head * d);
    s.head = (s.head + 1) % this.ringCap;
    if (s.len < this.ringCap) s.len++;
    s.n++;
    s.since++;
    if ((!s.fitted && s.len >= this.sample) || (s.fitted && s.since >= this.refitEvery)) this.fit();
    return score;
  }

  toJSON(): DetectorState {
    return { detector: this.name, params: { ...this.params, dims: this.dims }, state: encodeState(this.s as unknown as StateValue) };
  }
  load(state: StateValue): void {
    assignState(this.s as unknown as Record<string, unknown>, decodeState(state), 'detector iforest state');
  }
}

/** Parameters of the forest itself (the rest belong to the wrappers). */
export function forestParams(p: Params): Params {
  const o: Params = {};
  for (const k of IF_KNOWN) if (p[k] !== undefined) o[k] = p[k]!;
  return o;
}

/**
 * Univariate use of the forest (for one series, e.g. NAB): the vector is the value, its change
 * and its distance from a slow moving average, so the forest sees level, jumps and drift. The
 * forest's score (≈ 0.5 for ordinary points) is calibrated by the anomaly likelihood with
 * suppression of repeats (`suppress` samples, default 200); `calibrate: false` returns the
 * stretched raw score instead (used inside the ensemble, which calibrates itself).
 */
export class IForestUni extends BaseDetector {
  private readonly f: IsolationForest;
  private readonly cal: Calibrator | undefined;
  private readonly x = new Float64Array(3);
  private readonly s = { prev: NaN, slow: NaN };
  constructor(params: Params = {}) {
    super('iforest', params);
    checkParams(params, 'iforest', [...IF_KNOWN, 'calibrate', 'suppress']);
    this.f = new IsolationForest(3, forestParams(params));
    this.cal = params.calibrate === false ? undefined : new Calibrator(numParam(params, 'iforest', 'suppress', 200, 0, 1e6));
  }
  protected parts() {
    const p: Record<string, object> = { s: this.s, f: this.f.s };
    if (this.cal) p.cal = this.cal.parts();
    return p;
  }
  protected step(t: number, v: number): number {
    const s = this.s;
    if (Number.isNaN(s.prev)) s.prev = s.slow = v;
    this.x[0] = v;
    this.x[1] = v - s.prev;
    this.x[2] = v - s.slow;
    s.prev = v;
    s.slow += 0.02 * (v - s.slow);
    // The IF score sits near 0.5 for ordinary points; stretch [0.5, 1] over [0, 1].
    const raw = Math.max(0, (this.f.update(t, this.x) - 0.5) * 2);
    return this.cal ? this.cal.update(raw) : raw;
  }
}
