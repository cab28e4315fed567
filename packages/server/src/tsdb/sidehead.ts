// Shared head mechanics of the sparse side stores (native histograms, start timestamps): each
// keeps per-series sample lists in memory and persists them per block range.
import type { Label, Labels } from '../model/labels.js';
import type { ByteReader, ByteWriter } from './bytes.js';

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

/**
 * The body of a side-store WAL record or file: uvarint #series; per series its labels, uvarint
 * #samples, then per sample varint Δt and the store's payload.
 */
export function encodeSideList<S extends SideSeries & { labels: Labels }>(w: ByteWriter, list: readonly S[], writePayload: (w: ByteWriter, s: S, i: number) => void): void {
  w.uvarint(list.length);
  for (const s of list) {
    w.uvarint(s.labels.length);
    for (const l of s.labels) { w.str(l.name); w.str(l.value); }
    w.uvarint(s.t.length);
    let prev = 0;
    for (let i = 0; i < s.t.length; i++) {
      w.varint(s.t[i]! - prev);
      prev = s.t[i]!;
      writePayload(w, s, i);
    }
  }
}

/** Reads what encodeSideList wrote; `readPayload` gets the sample time (payloads may be relative to it). */
export function decodeSideList<P>(r: ByteReader, readPayload: (r: ByteReader, t: number) => P, fn: (labels: Labels, t: number, p: P) => void): void {
  const ns = r.uvarint();
  for (let k = 0; k < ns; k++) {
    const nl = r.uvarint();
    const labels: Label[] = [];
    for (let i = 0; i < nl; i++) labels.push({ name: r.str(), value: r.str() });
    const n = r.uvarint();
    let t = 0;
    for (let i = 0; i < n; i++) {
      t += r.varint();
      fn(labels, t, readPayload(r, t));
    }
  }
}
