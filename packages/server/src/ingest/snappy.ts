// Snappy block format. Uses the `snappy` npm package (native, prebuilt per platform) when it
// loads, else a pure-TypeScript codec below (also used by tests to cross-check the native one).
import { createRequire } from 'node:module';

interface NativeSnappy {
  compressSync(b: Uint8Array): Buffer;
  uncompressSync(b: Uint8Array, opts: { asBuffer: true }): Buffer;
}

let native: NativeSnappy | null = null;
try {
  native = createRequire(import.meta.url)('snappy') as NativeSnappy;
} catch {
  native = null; // platform without a prebuilt binary: pure TS below
}

export const snappyImplementation: 'native' | 'typescript' = native ? 'native' : 'typescript';

/** Uncompressed length from the block header (a varint); throws on a malformed header. */
export function snappyUncompressedLength(b: Uint8Array): number {
  let v = 0, shift = 0;
  for (let i = 0; i < 5; i++) {
    if (i >= b.length) throw new Error('corrupt input: truncated length header');
    const c = b[i]!;
    v += (c & 0x7f) * 2 ** shift;
    if (c < 0x80) return v;
    shift += 7;
  }
  throw new Error('corrupt input: length header too long');
}

export function snappyUncompress(b: Uint8Array): Buffer {
  if (native) {
    try {
      return native.uncompressSync(b, { asBuffer: true });
    } catch (e) {
      throw new Error(`corrupt input (${(e as Error).message})`);
    }
  }
  return snappyUncompressTS(b);
}

export function snappyCompress(b: Uint8Array): Buffer {
  return native ? native.compressSync(b) : snappyCompressTS(b);
}

// ---- pure TypeScript codec ----

export function snappyUncompressTS(src: Uint8Array): Buffer {
  let p = 0, n = 0, shift = 0;
  for (;;) {
    if (p >= src.length || p >= 5) throw new Error('corrupt input: bad length header');
    const c = src[p++]!;
    n += (c & 0x7f) * 2 ** shift;
    if (c < 0x80) break;
    shift += 7;
  }
  const dst = Buffer.allocUnsafe(n);
  let d = 0;
  while (p < src.length) {
    const tag = src[p++]!;
    const kind = tag & 3;
    if (kind === 0) {
      let len = tag >>> 2;
      if (len >= 60) {
        const nb = len - 59;
        if (p + nb > src.length) throw new Error('corrupt input: truncated literal length');
        len = 0;
        for (let i = 0; i < nb; i++) len += src[p + i]! * 2 ** (8 * i);
        p += nb;
      }
      len += 1;
      if (p + len > src.length || d + len > n) throw new Error('corrupt input: literal overruns buffer');
      dst.set(src.subarray(p, p + len), d);
      p += len;
      d += len;
      continue;
    }
    let len: number, off: number;
    if (kind === 1) {
      if (p >= src.length) throw new Error('corrupt input: truncated copy');
      len = 4 + ((tag >>> 2) & 7);
      off = ((tag >>> 5) << 8) | src[p++]!;
    } else if (kind === 2) {
      if (p + 2 > src.length) throw new Error('corrupt input: truncated copy');
      len = 1 + (tag >>> 2);
      off = src[p]! | (src[p + 1]! << 8);
      p += 2;
    } else {
      if (p + 4 > src.length) throw new Error('corrupt input: truncated copy');
      len = 1 + (tag >>> 2);
      off = (src[p]! | (src[p + 1]! << 8) | (src[p + 2]! << 16) | (src[p + 3]! << 24)) >>> 0;
      p += 4;
    }
    if (off === 0 || off > d || d + len > n) throw new Error('corrupt input: bad copy offset');
    if (off >= len) dst.copyWithin(d, d - off, d - off + len);
    else for (let i = 0; i < len; i++) dst[d + i] = dst[d - off + i]!;
    d += len;
  }
  if (d !== n) throw new Error(`corrupt input: decoded ${d} bytes, header says ${n}`);
  return dst;
}

function emitLiteral(out: number[], src: Uint8Array, s: number, e: number): void {
  let len = e - s;
  if (len <= 0) return;
  const l = len - 1;
  if (l < 60) out.push(l << 2);
  else if (l < 0x100) out.push(60 << 2, l);
  else if (l < 0x10000) out.push(61 << 2, l & 0xff, l >>> 8);
  else if (l < 0x1000000) out.push(62 << 2, l & 0xff, (l >>> 8) & 0xff, l >>> 16);
  else out.push(63 << 2, l & 0xff, (l >>> 8) & 0xff, (l >>> 16) & 0xff, l >>> 24);
  for (let i = s; i < e; i++) out.push(src[i]!);
  len = 0;
}

function emitCopy(out: number[], off: number, len: number): void {
  while (len > 0) {
    let l = Math.min(len, 64);
    if (len - l > 0 && len - l < 4) l = len - 4; // leave a valid tail
    out.push(((l - 1) << 2) | 2, off & 0xff, off >>> 8);
    len -= l;
  }
}

/** Greedy LZ77 with a 4-byte hash and offsets < 64 KiB (valid snappy, simpler than the reference). */
export function snappyCompressTS(src: Uint8Array): Buffer {
  const out: number[] = [];
  let n = src.length;
  do {
    let c = n & 0x7f;
    n = Math.floor(n / 128);
    if (n > 0) c |= 0x80;
    out.push(c);
  } while (n > 0);
  const table = new Int32Array(1 << 14).fill(-1);
  let lit = 0, i = 0;
  const end = src.length - 4;
  while (i <= end) {
    const x = (src[i]! | (src[i + 1]! << 8) | (src[i + 2]! << 16) | (src[i + 3]! << 24)) >>> 0;
    const h = Math.imul(x, 0x1e35a7bd) >>> 18;
    const cand = table[h]!;
    table[h] = i;
    if (cand >= 0 && i - cand < 0x10000 && src[cand] === src[i] && src[cand + 1] === src[i + 1] && src[cand + 2] === src[i + 2] && src[cand + 3] === src[i + 3]) {
      let len = 4;
      while (i + len < src.length && src[cand + len] === src[i + len]) len++;
      emitLiteral(out, src, lit, i);
      emitCopy(out, i - cand, len);
      i += len;
      lit = i;
    } else i++;
  }
  emitLiteral(out, src, lit, src.length);
  return Buffer.from(out);
}
