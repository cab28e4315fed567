// Growable byte buffer and reader with varints, used by the WAL, block index and block chunks.
// Signed varints use zigzag over JS numbers (exact up to 2^52), not 32-bit ops, so 64-bit-ish
// timestamps and deltas stay exact.

const f64 = new Float64Array(1);
const u8f = new Uint8Array(f64.buffer);

export class ByteWriter {
  buf: Uint8Array;
  len = 0;
  constructor(cap = 256) {
    this.buf = new Uint8Array(cap);
  }
  reset(): void {
    this.len = 0;
  }
  ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.len + n) cap *= 2;
    const nb = new Uint8Array(cap);
    nb.set(this.buf.subarray(0, this.len));
    this.buf = nb;
  }
  u8(x: number): void {
    this.ensure(1);
    this.buf[this.len++] = x;
  }
  u32(x: number): void {
    this.ensure(4);
    const b = this.buf, p = this.len;
    b[p] = x; b[p + 1] = x >>> 8; b[p + 2] = x >>> 16; b[p + 3] = x >>> 24;
    this.len += 4;
  }
  /** Unsigned varint for 0 <= x < 2^53. */
  uvarint(x: number): void {
    this.ensure(10);
    const b = this.buf;
    let p = this.len;
    while (x >= 0x80) {
      b[p++] = (x % 0x80) | 0x80;
      x = Math.floor(x / 0x80);
    }
    b[p++] = x;
    this.len = p;
  }
  /** Zigzag signed varint, exact for |x| < 2^52. */
  varint(x: number): void {
    this.uvarint(x >= 0 ? x * 2 : -x * 2 - 1);
  }
  /** Raw float64 bits, little-endian (keeps NaN payloads). */
  f64(x: number): void {
    this.ensure(8);
    f64[0] = x;
    this.buf.set(u8f, this.len);
    this.len += 8;
  }
  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }
  str(s: string): void {
    const n = s.length;
    if (n < 0x80) {
      // ASCII fast path: no intermediate Buffer.
      this.ensure(n + 1);
      const b = this.buf;
      let p = this.len + 1, ascii = true;
      for (let i = 0; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) { ascii = false; break; }
        b[p++] = c;
      }
      if (ascii) {
        b[this.len] = n;
        this.len = p;
        return;
      }
    }
    const enc = Buffer.from(s, 'utf8');
    this.uvarint(enc.length);
    this.bytes(enc);
  }
  result(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }
}

export class ByteReader {
  pos: number;
  constructor(
    readonly buf: Uint8Array,
    pos = 0,
    readonly end = buf.length,
  ) {
    this.pos = pos;
  }
  get done(): boolean {
    return this.pos >= this.end;
  }
  private need(n: number): void {
    if (this.pos + n > this.end) throw new RangeError(`unexpected end of data at byte ${this.pos}`);
  }
  u8(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }
  u32(): number {
    this.need(4);
    const b = this.buf, p = this.pos;
    this.pos += 4;
    return (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0;
  }
  uvarint(): number {
    const b = this.buf;
    let p = this.pos;
    let x = 0, mul = 1;
    for (;;) {
      if (p >= this.end) throw new RangeError(`truncated varint at byte ${this.pos}`);
      const c = b[p++]!;
      x += (c & 0x7f) * mul;
      if (c < 0x80) break;
      mul *= 0x80;
      if (mul > 2 ** 63) throw new RangeError(`varint too long at byte ${this.pos}`);
    }
    this.pos = p;
    return x;
  }
  varint(): number {
    const z = this.uvarint();
    return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
  }
  f64(): number {
    this.need(8);
    u8f.set(this.buf.subarray(this.pos, this.pos + 8));
    this.pos += 8;
    return f64[0]!;
  }
  bytes(n: number): Uint8Array {
    this.need(n);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  str(): string {
    const n = this.uvarint();
    this.need(n);
    const s = Buffer.from(this.buf.buffer, this.buf.byteOffset + this.pos, n).toString('utf8');
    this.pos += n;
    return s;
  }
}
