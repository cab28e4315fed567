// prometheus/common's label-set fingerprint: FNV-1a 64 over sorted "name\xffvalue\xff" bytes,
// printed as 16 hex digits. Computed in two 32-bit halves to avoid BigInt on the ingest path.
import type { LabelSet } from './types.js';

const enc = new TextEncoder();

export function fingerprint(ls: LabelSet): string {
  let hi = 0xcbf29ce4, lo = 0x84222325; // offset basis 14695981039346656037
  const step = (b: number): void => {
    lo = (lo ^ b) >>> 0;
    // h * 0x100000001b3 mod 2^64 = h*0x1b3 + (h << 40)
    const l = lo * 0x1b3;
    const carry = Math.floor(l / 0x100000000);
    hi = (hi * 0x1b3 + carry + ((lo << 8) >>> 0)) >>> 0;
    lo = l >>> 0;
  };
  const add = (s: string): void => {
    let ascii = true;
    for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) { ascii = false; break; }
    if (ascii) for (let i = 0; i < s.length; i++) step(s.charCodeAt(i));
    else for (const b of enc.encode(s)) step(b);
  };
  for (const k of Object.keys(ls).sort()) {
    add(k);
    step(0xff);
    add(ls[k]!);
    step(0xff);
  }
  return hi.toString(16).padStart(8, '0') + lo.toString(16).padStart(8, '0');
}
