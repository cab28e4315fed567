// The Numenta Anomaly Benchmark scoring rules, written from shared/anomaly/nab-dev/README.md:
// anomaly windows, probation, scaled sigmoid, application profiles, an exhaustive per-profile
// threshold search and normalisation between the null and the perfect detector.

export interface Profile {
  name: string;
  tp: number;
  fp: number;
  fn: number;
}

export const DEFAULT_PROFILES: readonly Profile[] = [
  { name: 'standard', tp: 1.0, fp: 0.11, fn: 1.0 },
  { name: 'reward_low_FP_rate', tp: 1.0, fp: 0.22, fn: 1.0 },
  { name: 'reward_low_FN_rate', tp: 1.0, fp: 0.11, fn: 2.0 },
];

/** Profiles from NAB's config/profiles.json ({name: {CostMatrix: {tpWeight, fpWeight, fnWeight}}}). */
export function parseProfiles(json: string): Profile[] {
  const o = JSON.parse(json) as Record<string, { CostMatrix?: Record<string, number> }>;
  const out: Profile[] = [];
  for (const [name, p] of Object.entries(o)) {
    const m = p.CostMatrix;
    if (!m || typeof m.tpWeight !== 'number' || typeof m.fpWeight !== 'number' || typeof m.fnWeight !== 'number') {
      throw new Error(`profiles: ${name}: CostMatrix needs numeric tpWeight, fpWeight, fnWeight`);
    }
    out.push({ name, tp: m.tpWeight, fp: m.fpWeight, fn: m.fnWeight });
  }
  return out;
}

/** NAB's scaled sigmoid: 2/(1+e^(5y)) - 1, and -1 beyond y = 3. */
export function scaledSigmoid(y: number): number {
  if (y > 3) return -1;
  return 2 / (1 + Math.exp(5 * y)) - 1;
}

const SIG_M1 = scaledSigmoid(-1);

/** Rows never scored at the start of a file of n rows. */
export function probationRows(n: number): number {
  return Math.min(Math.floor(0.15 * n), 750);
}

/** A file to score: its scores (one per row) and its windows as inclusive row ranges. */
export interface ScoredFile {
  name: string;
  scores: ArrayLike<number>;
  windows: readonly (readonly [number, number])[];
  /** Row timestamps in ms (for false alarms per day); optional. */
  t?: ArrayLike<number>;
}

/**
 * Per-row value if the row is a detection: for a row in window k, `win[i] = k` and the reward is
 * that of an earliest detection at i; otherwise `fpWeight[i]` is σ(y) (in [-1, 0)).
 * Rows in probation have win = -2 (ignored).
 */
interface RowInfo {
  win: Int32Array;
  sig: Float64Array;
  /** Window ids kept (a window with no row past probation is dropped). */
  windowCount: number;
}

function rowInfo(n: number, windows: readonly (readonly [number, number])[]): RowInfo {
  const P = probationRows(n);
  const win = new Int32Array(n).fill(-1);
  const sig = new Float64Array(n);
  let prev = -1; // index into windows of the nearest window ending before i
  let wi = 0;
  let kept = 0;
  const keep = windows.map(([, r]) => r >= P);
  for (const k of keep) if (k) kept++;
  for (let i = 0; i < n; i++) {
    while (wi < windows.length && windows[wi]![1] < i) prev = wi++;
    const w = windows[wi];
    if (w && i >= w[0] && i <= w[1]) {
      const width = w[1] - w[0] + 1;
      win[i] = wi;
      sig[i] = scaledSigmoid(-(w[1] - i + 1) / width);
    } else if (prev >= 0) {
      const [l, r] = windows[prev]!;
      const width = r - l + 1;
      sig[i] = width > 1 ? scaledSigmoid((i - r) / (width - 1)) : -1;
    } else {
      sig[i] = -1;
    }
    if (i < P) win[i] = -2;
    else if (win[i]! >= 0 && !keep[win[i]!]) win[i] = -2;
  }
  return { win, sig, windowCount: kept };
}

export interface FileResult {
  raw: number;
  tp: number;
  fn: number;
  fp: number;
}

/** Raw score of one file at threshold θ (detection iff score >= θ). */
export function scoreFileAt(file: ScoredFile, profile: Profile, threshold: number): FileResult {
  const n = file.scores.length;
  const info = rowInfo(n, file.windows);
  const seen = new Uint8Array(file.windows.length);
  let raw = 0, tp = 0, fp = 0;
  for (let i = 0; i < n; i++) {
    const s = file.scores[i]!;
    if (!(s >= threshold)) continue;
    const k = info.win[i]!;
    if (k === -2) continue;
    if (k >= 0) {
      if (!seen[k]) {
        seen[k] = 1;
        tp++;
        raw += (profile.tp * info.sig[i]!) / SIG_M1;
      }
    } else {
      fp++;
      raw += profile.fp * info.sig[i]!;
    }
  }
  const fn = info.windowCount - tp;
  raw -= profile.fn * fn;
  return { raw, tp, fn, fp };
}

export interface ProfileResult {
  profile: string;
  /** Best threshold (Infinity = never fire). */
  threshold: number;
  raw: number;
  /** Normalised NAB score: 0 = null detector, 100 = perfect. */
  score: number;
  windows: number;
  tp: number;
  fn: number;
  fp: number;
}

/**
 * Scores files together under one shared threshold chosen to maximise the raw score, by an
 * exhaustive sweep over every distinct score among scored rows (ties go to the higher θ).
 */
export function scoreProfile(files: readonly ScoredFile[], profile: Profile): ProfileResult {
  // Gather scored rows across files.
  const infos = files.map((f) => rowInfo(f.scores.length, f.windows));
  let total = 0;
  for (let f = 0; f < files.length; f++) {
    const w = infos[f]!.win;
    for (let i = 0; i < w.length; i++) if (w[i] !== -2) total++;
  }
  const score = new Float64Array(total);
  const fileOf = new Int32Array(total);
  const rowOf = new Int32Array(total);
  let m = 0;
  let W = 0;
  const winBase: number[] = [];
  for (let f = 0; f < files.length; f++) {
    winBase.push(W);
    W += files[f]!.windows.length;
    const w = infos[f]!.win;
    const s = files[f]!.scores;
    for (let i = 0; i < w.length; i++) {
      if (w[i] === -2) continue;
      const x = s[i]!;
      score[m] = Number.isNaN(x) ? -Infinity : x;
      fileOf[m] = f;
      rowOf[m] = i;
      m++;
    }
  }
  let keptWindows = 0;
  for (const inf of infos) keptWindows += inf.windowCount;
  const order = new Uint32Array(total);
  for (let i = 0; i < total; i++) order[i] = i;
  order.sort((a, b) => score[b]! - score[a]!);

  // earliest detection per window (global window id), reward of that detection.
  const earliest = new Int32Array(W).fill(-1);
  const reward = new Float64Array(W);
  let S = -profile.fn * keptWindows;
  let best = S, bestT = Infinity, bestTp = 0, bestFp = 0;
  let tp = 0, fp = 0;
  let j = 0;
  while (j < total) {
    const th = score[order[j]!]!;
    if (th === -Infinity) break; // NaN scores never detect
    while (j < total && score[order[j]!] === th) {
      const idx = order[j]!;
      const f = fileOf[idx]!, i = rowOf[idx]!;
      const inf = infos[f]!;
      const k = inf.win[i]!;
      if (k >= 0) {
        const g = winBase[f]! + k;
        const r = (profile.tp * inf.sig[i]!) / SIG_M1;
        if (earliest[g] === -1) {
          S += profile.fn + r;
          tp++;
          earliest[g] = i;
          reward[g] = r;
        } else if (i < earliest[g]!) {
          S += r - reward[g]!;
          earliest[g] = i;
          reward[g] = r;
        }
      } else {
        S += profile.fp * inf.sig[i]!;
        fp++;
      }
      j++;
    }
    if (S > best + 1e-12) {
      best = S;
      bestT = th;
      bestTp = tp;
      bestFp = fp;
    }
  }
  const sNull = -profile.fn * keptWindows;
  const sPerfect = profile.tp * keptWindows;
  const norm = sPerfect === sNull ? 0 : (100 * (best - sNull)) / (sPerfect - sNull);
  return {
    profile: profile.name,
    threshold: bestT,
    raw: best,
    score: norm,
    windows: keptWindows,
    tp: bestTp,
    fn: keptWindows - bestTp,
    fp: bestFp,
  };
}

/** Precision/recall on labelled windows and false alarms per day at a given threshold. */
export interface DetectionStats {
  threshold: number;
  detectedWindows: number;
  windows: number;
  falseAlarms: number;
  /** detected windows / (detected windows + detections outside windows). */
  precision: number;
  recall: number;
  falseAlarmsPerDay: number;
}

export function detectionStats(files: readonly ScoredFile[], threshold: number): DetectionStats {
  let det = 0, wins = 0, fa = 0, ms = 0;
  for (const f of files) {
    const r = scoreFileAt(f, DEFAULT_PROFILES[0]!, threshold);
    det += r.tp;
    wins += r.tp + r.fn;
    fa += r.fp;
    const n = f.scores.length;
    const P = probationRows(n);
    if (f.t && n > P) ms += Math.max(0, f.t[n - 1]! - f.t[P]!);
  }
  const days = ms / 86_400_000;
  return {
    threshold,
    detectedWindows: det,
    windows: wins,
    falseAlarms: fa,
    precision: det + fa === 0 ? 0 : det / (det + fa),
    recall: wins === 0 ? 0 : det / wins,
    falseAlarmsPerDay: days > 0 ? fa / days : 0,
  };
}
