// Gorilla-style chunk encoding (delta-of-delta timestamps, XOR'd float64 values) used for
// head chunks and as the fallback value encoding of block chunks. Values are handled as two
// uint32 halves so every bit pattern (NaN payloads, -0, ±Inf) round-trips exactly.
//
// Layout: sample 0: t as float64 bits (64), v raw (64). Sample 1: delta via the dod buckets,
// XOR value. Sample n>=2: dod bucket, XOR value.
// dod buckets: '0' = 0 | '10' + 14 bits | '110' + 17 bits | '1110' + 20 bits | '1111' + 64 bits.
// XOR: '0' same value | '10' + bits in previous window | '11' + 5b leading + 6b sig + sig bits.

import { putBits } from './bits.js';

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

/** Encoder state kept between appends (the head stores it in typed arrays per series). */
export interface XorState {
  /** Bits written so far. */
  bits: number;
  n: number;
  t: number;
  delta: number;
  vHi: number;
  vLo: number;
  /** 255 = no window yet. */
  leading: number;
  trailing: number;
}

export function newXorState(): XorState {
  return { bits: 0, n: 0, t: 0, delta: 0, vHi: 0, vLo: 0, leading: 255, trailing: 0 };
}

/** Upper bound of bits one append may write. */
export const XOR_MAX_SAMPLE_BITS = 4 + 64 + 2 + 5 + 6 + 64;

function putDod(buf: Uint8Array, pos: number, dod: number): number {
  // Target bytes are zeroed, so a 0 bit is just a step forward.
  if (dod === 0) return pos + 1;
  if (dod >= -8192 && dod < 8192) {
    pos = putBits(buf, pos, 0b10, 2);
    return putBits(buf, pos, dod & 0x3fff, 14);
  }
  if (dod >= -65536 && dod < 65536) {
    pos = putBits(buf, pos, 0b110, 3);
    return putBits(buf, pos, dod & 0x1ffff, 17);
  }
  if (dod >= -524288 && dod < 524288) {
    pos = putBits(buf, pos, 0b1110, 4);
    return putBits(buf, pos, dod & 0xfffff, 20);
  }
  pos = putBits(buf, pos, 0b1111, 4);
  f64[0] = dod;
  pos = putBits(buf, pos, u32[1]!, 32);
  return putBits(buf, pos, u32[0]!, 32);
}

/** Appends one sample at bit offset `base*8 + st.bits` of buf. Caller guarantees room. */
export function xorAppend(buf: Uint8Array, base: number, st: XorState, t: number, v: number): void {
  let pos = base * 8 + st.bits;
  f64[0] = v;
  const hi = u32[1]!, lo = u32[0]!;
  if (st.n === 0) {
    f64[0] = t;
    pos = putBits(buf, pos, u32[1]!, 32);
    pos = putBits(buf, pos, u32[0]!, 32);
    pos = putBits(buf, pos, hi, 32);
    pos = putBits(buf, pos, lo, 32);
  } else {
    const delta = t - st.t;
    pos = putDod(buf, pos, st.n === 1 ? delta : delta - st.delta);
    st.delta = delta;
    const xh = (hi ^ st.vHi) >>> 0, xl = (lo ^ st.vLo) >>> 0;
    if (xh === 0 && xl === 0) {
      pos += 1;
    } else {
      let leading = xh !== 0 ? Math.clz32(xh) : 32 + Math.clz32(xl);
      const trailing = xl !== 0 ? 31 - Math.clz32(xl & -xl) : 32 + 31 - Math.clz32(xh & -xh);
      if (leading > 31) leading = 31;
      if (st.leading !== 255 && leading >= st.leading && trailing >= st.trailing) {
        pos = putBits(buf, pos, 0b10, 2);
        pos = putSig(buf, pos, xh, xl, st.trailing, 64 - st.leading - st.trailing);
      } else {
        const sig = 64 - leading - trailing;
        pos = putBits(buf, pos, 0b11, 2);
        pos = putBits(buf, pos, leading, 5);
        pos = putBits(buf, pos, sig & 63, 6);
        pos = putSig(buf, pos, xh, xl, trailing, sig);
        st.leading = leading;
        st.trailing = trailing;
      }
    }
  }
  st.t = t;
  st.vHi = hi;
  st.vLo = lo;
  st.n++;
  st.bits = pos - base * 8;
}

function putSig(buf: Uint8Array, pos: number, xh: number, xl: number, trailing: number, sig: number): number {
  let h: number, l: number;
  if (trailing === 0) { h = xh; l = xl; }
  else if (trailing >= 32) { h = 0; l = xh >>> (trailing - 32); }
  else { h = xh >>> trailing; l = ((xl >>> trailing) | (xh << (32 - trailing))) >>> 0; }
  if (sig > 32) {
    pos = putBits(buf, pos, h, sig - 32);
    return putBits(buf, pos, l, 32);
  }
  return putBits(buf, pos, l, sig);
}

/** Reads n <= 32 bits at bit `pos` (bytes past the end read as 0; callers check bounds). */
function rbits(b: Uint8Array, pos: number, n: number): number {
  const i = pos >>> 3, s = pos & 7;
  let w = (((b[i]! | 0) << 24) | ((b[i + 1]! | 0) << 16) | ((b[i + 2]! | 0) << 8) | (b[i + 3]! | 0)) >>> 0;
  if (s !== 0) w = ((w << s) | ((b[i + 4]! | 0) >>> (8 - s))) >>> 0;
  return n === 32 ? w : w >>> (32 - n);
}

/**
 * Decodes `n` samples from the chunk at byte `base` (length `byteLen`), writing those with
 * mint <= t <= maxt into outT/outV starting at `off`. Returns the new output offset.
 * Bit reads are inlined over a local position (this is the head's query hot path).
 */
export function xorDecode(
  buf: Uint8Array, base: number, byteLen: number, n: number,
  outT: Float64Array, outV: Float64Array, off: number, mint: number, maxt: number,
): number {
  if (n === 0) return off;
  const b = buf;
  const end = (base + byteLen) * 8;
  let pos = base * 8;
  if (pos + 128 > end) throw new RangeError('chunk data truncated');
  u32[1] = rbits(b, pos, 32); u32[0] = rbits(b, pos + 32, 32);
  let t = f64[0]!;
  let hi = rbits(b, pos + 64, 32), lo = rbits(b, pos + 96, 32);
  pos += 128;
  let delta = 0, leading = 0, trailing = 0;
  const ov = new Uint32Array(outV.buffer, outV.byteOffset, outV.length * 2);
  for (let i = 0; ; ) {
    if (t > maxt) return off;
    if (t >= mint) {
      outT[off] = t;
      ov[off * 2] = lo;
      ov[off * 2 + 1] = hi;
      off++;
    }
    if (++i >= n) return off;
    // delta-of-delta
    const p4 = rbits(b, pos, 4);
    let dod: number;
    if (p4 < 8) { pos += 1; dod = 0; }
    else if (p4 < 12) { const x = rbits(b, pos + 2, 14); pos += 16; dod = x >= 8192 ? x - 16384 : x; }
    else if (p4 < 14) { const x = rbits(b, pos + 3, 17); pos += 20; dod = x >= 65536 ? x - 131072 : x; }
    else if (p4 < 15) { const x = rbits(b, pos + 4, 20); pos += 24; dod = x >= 524288 ? x - 1048576 : x; }
    else { u32[1] = rbits(b, pos + 4, 32); u32[0] = rbits(b, pos + 36, 32); pos += 68; dod = f64[0]!; }
    delta = i === 1 ? dod : delta + dod;
    t += delta;
    // value
    const ctl = rbits(b, pos, 2);
    if (ctl < 2) pos += 1;
    else {
      pos += 2;
      if (ctl === 3) {
        leading = rbits(b, pos, 5);
        let sig = rbits(b, pos + 5, 6);
        pos += 11;
        if (sig === 0) sig = 64;
        trailing = 64 - leading - sig;
      }
      const sig = 64 - leading - trailing;
      let h = 0, l: number;
      if (sig > 32) { h = rbits(b, pos, sig - 32); l = rbits(b, pos + sig - 32, 32); }
      else l = rbits(b, pos, sig);
      pos += sig;
      let xh: number, xl: number;
      if (trailing === 0) { xh = h; xl = l; }
      else if (trailing >= 32) { xh = (l << (trailing - 32)) >>> 0; xl = 0; }
      else { xh = ((h << trailing) | (l >>> (32 - trailing))) >>> 0; xl = (l << trailing) >>> 0; }
      hi = (hi ^ xh) >>> 0;
      lo = (lo ^ xl) >>> 0;
    }
    if (pos > end) throw new RangeError('chunk data truncated');
  }
}
