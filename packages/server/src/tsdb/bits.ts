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
    if (this.pos + n > this.end) throw new RangeError('chunk data truncated');
    const buf = this.buf;
    let pos = this.pos;
    let v = 0;
    while (n > 0) {
      const avail = 8 - (pos & 7);
      const take = avail < n ? avail : n;
      const b = (buf[pos >>> 3]! >>> (avail - take)) & ((1 << take) - 1);
      v = (v << take) | b;
      pos += take;
      n -= take;
    }
    this.pos = pos;
    return v >>> 0;
  }

  bit(): number {
    if (this.pos >= this.end) throw new RangeError('chunk data truncated');
    const p = this.pos++;
    return (this.buf[p >>> 3]! >>> (7 - (p & 7))) & 1;
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
