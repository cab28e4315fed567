// A bounded string intern table for decoding: label names and values repeat across series and
// requests, so returning the already-built string (verified byte by byte, ASCII only) saves
// allocating and decoding it again. Collisions simply overwrite the slot.
const utf8 = new TextDecoder('utf-8', { fatal: false });

export class StringInterner {
  private readonly slots: (string | undefined)[];
  private readonly mask: number;
  hits = 0;
  misses = 0;

  constructor(bits = 16) {
    this.slots = new Array(1 << bits);
    this.mask = (1 << bits) - 1;
  }

  get(b: Uint8Array, start: number, end: number): string {
    const n = end - start;
    if (n === 0) return '';
    if (n > 128) return utf8.decode(b.subarray(start, end));
    let h = 0x811c9dc5 ^ n;
    let ascii = 0;
    for (let i = start; i < end; i++) {
      const c = b[i]!;
      ascii |= c;
      h = Math.imul(h ^ c, 0x01000193);
    }
    if (ascii & 0x80) return utf8.decode(b.subarray(start, end));
    const slot = (h ^ (h >>> 16)) & this.mask;
    const s = this.slots[slot];
    if (s !== undefined && s.length === n) {
      let same = true;
      for (let i = 0; i < n; i++) {
        if (s.charCodeAt(i) !== b[start + i]) {
          same = false;
          break;
        }
      }
      if (same) {
        this.hits++;
        return s;
      }
    }
    this.misses++;
    const out = String.fromCharCode.apply(null, b.subarray(start, end) as unknown as number[]);
    this.slots[slot] = out;
    return out;
  }
}

/**
 * Caches decoded Label messages by their exact bytes (name and value together), so a label
 * that repeats across series and requests costs one hash and one byte compare. Label objects
 * are immutable and shared between label sets.
 */
export class LabelCache<L> {
  private readonly keys: (Uint8Array | undefined)[];
  private readonly vals: (L | undefined)[];
  private readonly mask: number;
  /** Full 32-bit hash of the bytes passed to the last get() (callers combine it per series). */
  lastHash = 0;

  constructor(bits = 16) {
    this.keys = new Array(1 << bits);
    this.vals = new Array(1 << bits);
    this.mask = (1 << bits) - 1;
  }

  /** Cached value for bytes [start, end), or undefined; call put() after decoding on a miss. */
  get(b: Uint8Array, start: number, end: number): L | undefined {
    const slot = this.slot(b, start, end);
    const k = this.keys[slot];
    const n = end - start;
    if (k === undefined || k.length !== n) return undefined;
    for (let i = 0; i < n; i++) if (k[i] !== b[start + i]) return undefined;
    return this.vals[slot];
  }

  put(b: Uint8Array, start: number, end: number, v: L): void {
    if (end - start > 256) return;
    const slot = this.slot(b, start, end);
    this.keys[slot] = b.slice(start, end);
    this.vals[slot] = v;
  }

  private slot(b: Uint8Array, start: number, end: number): number {
    let h = 0x811c9dc5 ^ (end - start);
    for (let i = start; i < end; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
    this.lastHash = h;
    return (h ^ (h >>> 15)) & this.mask;
  }
}
