// Bit-level writes and reads over Uint8Array, MSB first. Positions are absolute bit offsets.
// Writers OR bits into place, so the target bytes must start zeroed.

/** Writes the low `n` bits (n <= 32) of `val` at bit `pos`; returns the new position. */
export function putBits(buf: Uint8Array, pos: number, val: number, n: number): number {
  while (n > 0) {
    const idx = pos >>> 3;
    const free = 8 - (pos & 7);
    if (n >= free) {
      n -= free;
      buf[idx]! |= (val >>> n) & ((1 << free) - 1);
      pos += free;
    } else {
      buf[idx]! |= (val & ((1 << n) - 1)) << (free - n);
      pos += n;
      n = 0;
    }
  }
  return pos;
}

/** Sequential bit reader. */
export class BitReader {
  constructor(
    readonly buf: Uint8Array,
    public pos: number,
    /** Bit position that must not be read past. */
    readonly end: number,
  ) {}

  /** Reads n <= 32 bits as an unsigned number. */
  bits(n: number): number {
    const pos = this.pos;
    if (pos + n > this.end) throw new RangeError('chunk data truncated');
    if (n === 0) return 0;
    const b = this.buf;
    const i = pos >>> 3, s = pos & 7;
    // A 40-bit window starting at byte i covers any n <= 32 at bit offset s < 8.
    let w = ((b[i]! << 24) | ((b[i + 1]! | 0) << 16) | ((b[i + 2]! | 0) << 8) | (b[i + 3]! | 0)) >>> 0;
    if (s !== 0) w = ((w << s) | ((b[i + 4]! | 0) >>> (8 - s))) >>> 0;
    this.pos = pos + n;
    return n === 32 ? w : w >>> (32 - n);
  }

  bit(): number {
    if (this.pos >= this.end) throw new RangeError('chunk data truncated');
    const p = this.pos++;
    return (this.buf[p >>> 3]! >>> (7 - (p & 7))) & 1;
  }

  /** Peeks up to 4 bits (zero-padded past the end) without advancing. */
  peek4(): number {
    const p = this.pos, b = this.buf, i = p >>> 3, s = p & 7;
    const w = (((b[i]! | 0) << 8) | (b[i + 1]! | 0)) << s;
    return (w >>> 12) & 0xf;
  }
}

/** Growable zeroed bit buffer (for standalone chunk building). */
export class BitWriter {
  buf: Uint8Array;
  pos = 0;
  constructor(capBytes = 64) {
    this.buf = new Uint8Array(capBytes);
  }
  /** Makes room for `nbits` more bits. */
  ensure(nbits: number): void {
    const need = ((this.pos + nbits + 7) >>> 3) + 1;
    if (need <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < need) cap *= 2;
    const nb = new Uint8Array(cap);
    nb.set(this.buf);
    this.buf = nb;
  }
  write(val: number, n: number): void {
    this.ensure(n);
    this.pos = putBits(this.buf, this.pos, val, n);
  }
  bytes(): Uint8Array {
    return this.buf.subarray(0, (this.pos + 7) >>> 3);
  }
}
