// Block chunk encoding ("dchunk"). Blocks are immutable, so they can afford a denser format
// than the head's Gorilla chunks: timestamps as zigzag varint delta-of-deltas, and values that
// are decimals (m / 10^k, the usual case for counters and most gauges) as varint deltas or
// delta-of-deltas of the integer m. Values that are not such decimals (NaN incl. staleness
// markers, ±Inf, -0) are kept as raw 64-bit exceptions. Chunks whose values are mostly not
// decimals fall back to Gorilla XOR. Chunk pages are compressed again on disk (see chunkfile).
//
// Layout: u8 mode | uvarint n | ...
//   mode 0 (xor):      uvarint byteLen | Gorilla chunk bytes (see xor.ts)
//   mode 1/2 (decimal): varint t0 | varint delta1 | varint dod * (n-2) | u8 k | uvarint g |
//                       uvarint nexc | (uvarint indexGap, 8 raw bytes) * nexc |
//                       varint m0 | varint (mode 1: delta/g, mode 2: dod/g) * (n-1)
// A decimal value is m / 10^k with |m| <= 2^49; decoding divides, which is exact by check.

import { ByteReader, ByteWriter } from './bytes.js';
import { newXorState, xorAppend, xorDecode, XOR_MAX_SAMPLE_BITS } from './xor.js';

const P10: number[] = [];
for (let i = 0; i <= 18; i++) P10.push(10 ** i);
const MAX_K = 15;
const MAX_M = 2 ** 49;


function isNegZero(v: number): boolean {
  return v === 0 && 1 / v < 0;
}

/** Smallest k such that v = m/10^k exactly with |m| <= 2^49, or -1. */
function decimalDigits(v: number): number {
  if (!Number.isFinite(v) || isNegZero(v)) return -1;
  for (let k = 0; k <= MAX_K; k++) {
    const m = Math.round(v * P10[k]!);
    if (Math.abs(m) > MAX_M) return -1;
    if (m / P10[k]! === v) return k;
  }
  return -1;
}

function uvarintLen(x: number): number {
  let n = 1;
  while (x >= 0x80) { x = Math.floor(x / 0x80); n++; }
  return n;
}
function varintLen(x: number): number {
  return uvarintLen(x >= 0 ? x * 2 : -x * 2 - 1);
}

// Scratch for the integer mantissas.
let mScratch = new Float64Array(1024);
let excScratch = new Uint8Array(1024);

/** Encodes samples [from, to) of t/v (t strictly increasing) into w. */
export function encodeBlockChunk(w: ByteWriter, t: Float64Array, v: Float64Array, from: number, to: number): void {
  const n = to - from;
  if (mScratch.length < n) { mScratch = new Float64Array(n * 2); excScratch = new Uint8Array(n * 2); }
  let k = 0, nexc = 0;
  for (let i = 0; i < n; i++) {
    const d = decimalDigits(v[from + i]!);
    if (d < 0) { excScratch[i] = 1; nexc++; } else { excScratch[i] = 0; if (d > k) k = d; }
  }
  // Recompute mantissas at the common exponent; values that do not survive become exceptions.
  let prev = 0;
  if (nexc * 2 <= n) {
    for (let i = 0; i < n; i++) {
      if (excScratch[i] === 0) {
        const x = v[from + i]!;
        const m = Math.round(x * P10[k]!);
        if (Math.abs(m) <= MAX_M && m / P10[k]! === x) { mScratch[i] = prev = m; continue; }
        excScratch[i] = 1;
        nexc++;
      }
      mScratch[i] = prev;
    }
  }
  if (nexc * 2 > n || n < 2) {
    encodeXor(w, t, v, from, to);
    return;
  }
  // Deltas often share a factor (memory in pages, bytes in KiB): store them divided by it.
  let g = 0;
  for (let i = 1; i < n && g !== 1; i++) {
    let a = Math.abs(mScratch[i]! - mScratch[i - 1]!), b = g;
    while (b) { const t = a % b; a = b; b = t; }
    g = a;
  }
  if (g === 0) g = 1;
  let sizeDelta = 0, sizeDod = 0;
  for (let i = 1; i < n; i++) {
    const d = (mScratch[i]! - mScratch[i - 1]!) / g;
    sizeDelta += varintLen(d);
    sizeDod += varintLen(i === 1 ? d : d - (mScratch[i - 1]! - mScratch[i - 2]!) / g);
  }
  const mode = sizeDod < sizeDelta ? 2 : 1;
  w.u8(mode);
  w.uvarint(n);
  writeTimestamps(w, t, from, to);
  w.u8(k);
  w.uvarint(g);
  w.uvarint(nexc);
  let last = 0;
  for (let i = 0; i < n; i++) {
    if (excScratch[i] === 0) continue;
    w.uvarint(i - last);
    last = i;
    w.f64(v[from + i]!);
  }
  w.varint(mScratch[0]!);
  for (let i = 1; i < n; i++) {
    const d = (mScratch[i]! - mScratch[i - 1]!) / g;
    w.varint(mode === 1 || i === 1 ? d : d - (mScratch[i - 1]! - mScratch[i - 2]!) / g);
  }
}

function writeTimestamps(w: ByteWriter, t: Float64Array, from: number, to: number): void {
  w.varint(t[from]!);
  let pd = 0;
  for (let i = from + 1; i < to; i++) {
    const d = t[i]! - t[i - 1]!;
    w.varint(i === from + 1 ? d : d - pd);
    pd = d;
  }
}

function encodeXor(w: ByteWriter, t: Float64Array, v: Float64Array, from: number, to: number): void {
  const n = to - from;
  const buf = new Uint8Array(((n * XOR_MAX_SAMPLE_BITS) >>> 3) + 16);
  const st = newXorState();
  for (let i = from; i < to; i++) xorAppend(buf, 0, st, t[i]!, v[i]!);
  const len = (st.bits + 7) >>> 3;
  w.u8(0);
  w.uvarint(n);
  w.uvarint(len);
  w.bytes(buf.subarray(0, len));
}

/** Number of samples in the chunk at buf[off]. */
export function blockChunkSamples(buf: Uint8Array, off: number): number {
  const r = new ByteReader(buf, off + 1);
  return r.uvarint();
}

/**
 * Decodes the chunk at buf[off..end), appending samples with mint <= t <= maxt to outT/outV at
 * `o`. Returns the new output offset. Throws RangeError on malformed data.
 */
export function decodeBlockChunk(
  buf: Uint8Array, off: number, end: number,
  outT: Float64Array, outV: Float64Array, o: number, mint: number, maxt: number,
): number {
  const r = new ByteReader(buf, off, end);
  const mode = r.u8();
  const n = r.uvarint();
  if (mode === 0) {
    const len = r.uvarint();
    if (r.pos + len > end) throw new RangeError('chunk data truncated');
    return xorDecode(buf, r.pos, len, n, outT, outV, o, mint, maxt);
  }
  if (mode !== 1 && mode !== 2) throw new RangeError(`unknown chunk encoding ${mode}`);
  // Hot loop: varints decoded inline (most are one byte).
  const b = buf;
  let p = r.pos;
  const start = o;
  let tt = r.varint(), d = 0;
  p = r.pos;
  let lo = -1, hi = n;
  for (let i = 0; i < n; i++) {
    if (i > 0) {
      // Zigzag varint; one- and two-byte forms (nearly all) stay in small-integer arithmetic.
      let c = b[p++]!, x: number;
      if (c < 0x80) x = (c >>> 1) ^ -(c & 1);
      else {
        const c2 = b[p++]!;
        if (c2 < 0x80) { const z = (c & 0x7f) | (c2 << 7); x = (z >>> 1) ^ -(z & 1); }
        else {
          let z = (c & 0x7f) + (c2 & 0x7f) * 128, mul = 16384;
          do { c = b[p++]!; z += (c & 0x7f) * mul; mul *= 128; } while (c >= 0x80);
          x = z < 0x80000000 ? (z >>> 1) ^ -(z & 1) : z % 2 === 0 ? z / 2 : -(z + 1) / 2;
        }
      }
      d = i === 1 ? x : d + x;
      tt += d;
    }
    if (tt < mint) continue;
    if (tt > maxt) { if (hi === n) hi = i; continue; }
    if (lo < 0) lo = i;
    outT[o++] = tt;
  }
  if (p > end) throw new RangeError('chunk data truncated');
  r.pos = p;
  const k = r.u8();
  const pk = P10[k]!;
  const g = r.uvarint();
  const nexc = r.uvarint();
  // Exceptions are rare; read them into a small list.
  let excIdx: number[] | undefined, excHi: number[] | undefined, excLo: number[] | undefined;
  if (nexc > 0) {
    excIdx = []; excHi = []; excLo = [];
    let at = 0;
    for (let j = 0; j < nexc; j++) {
      at += r.uvarint();
      const e = r.bytes(8);
      excIdx.push(at);
      excLo.push((e[0]! | (e[1]! << 8) | (e[2]! << 16) | (e[3]! << 24)) >>> 0);
      excHi.push((e[4]! | (e[5]! << 8) | (e[6]! << 16) | (e[7]! << 24)) >>> 0);
    }
  }
  if (lo < 0) return start;
  let m = r.varint(), md = 0;
  p = r.pos;
  let w = start;
  for (let i = 0; i < hi; i++) {
    if (i > 0) {
      // Zigzag varint; one- and two-byte forms (nearly all) stay in small-integer arithmetic.
      let c = b[p++]!, x: number;
      if (c < 0x80) x = (c >>> 1) ^ -(c & 1);
      else {
        const c2 = b[p++]!;
        if (c2 < 0x80) { const z = (c & 0x7f) | (c2 << 7); x = (z >>> 1) ^ -(z & 1); }
        else {
          let z = (c & 0x7f) + (c2 & 0x7f) * 128, mul = 16384;
          do { c = b[p++]!; z += (c & 0x7f) * mul; mul *= 128; } while (c >= 0x80);
          x = z < 0x80000000 ? (z >>> 1) ^ -(z & 1) : z % 2 === 0 ? z / 2 : -(z + 1) / 2;
        }
      }
      x *= g;
      if (mode === 1) m += x;
      else { md = i === 1 ? x : md + x; m += md; }
    }
    if (i >= lo) outV[w++] = k === 0 ? m : m / pk;
  }
  if (p > end) throw new RangeError('chunk data truncated');
  if (excIdx) {
    const ov = new Uint32Array(outV.buffer, outV.byteOffset, outV.length * 2);
    for (let j = 0; j < excIdx.length; j++) {
      const i = excIdx[j]!;
      if (i < lo || i >= hi) continue;
      const at = start + (i - lo);
      ov[at * 2] = excLo![j]!;
      ov[at * 2 + 1] = excHi![j]!;
    }
  }
  return o;
}

