// prometheus/common's label-set fingerprint: FNV-1a 64 over sorted "name\xffvalue\xff" bytes,
// printed as 16 hex digits. Computed in two 32-bit halves to avoid BigInt on the ingest path.
import type { LabelSet } from './types.js';

const enc = new TextEncoder();

export function fingerprint(ls: LabelSet): string {
  let hi = 0xcbf29ce4, lo = 0x84222325; // offset basis 14695981039346656037
  const keys = Object.keys(ls);
  if (keys.length > 1) keys.sort();
  for (let k = 0; k < keys.length; k++) {
    for (let part = 0; part < 2; part++) {
      const s = part === 0 ? keys[k]! : ls[keys[k]!]!;
      let ascii = true;
      for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) { ascii = false; break; }
      const bytes: ArrayLike<number> | null = ascii ? null : enc.encode(s);
      const n = ascii ? s.length : bytes!.length;
      for (let i = 0; i <= n; i++) {
        // Each string is followed by the 0xff separator byte.
        const b = i === n ? 0xff : ascii ? s.charCodeAt(i) : bytes![i]!;
        lo = (lo ^ b) >>> 0;
        // h * 0x100000001b3 mod 2^64 = h*0x1b3 + (h << 40)
        const l = lo * 0x1b3;
        hi = (hi * 0x1b3 + Math.floor(l / 0x100000000) + ((lo << 8) >>> 0)) >>> 0;
        lo = l >>> 0;
      }
    }
  }
  return hex8(hi) + hex8(lo);
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
function hex8(n: number): string {
  return HEX[n >>> 24]! + HEX[(n >>> 16) & 0xff]! + HEX[(n >>> 8) & 0xff]! + HEX[n & 0xff]!;
}
