// Protobuf wire-format writer into a growable Uint8Array. Nested messages use fork()/ldelim():
// one byte is reserved for the length and the payload is shifted when the length needs more.
import { WIRE_FIXED64, WIRE_LEN, WIRE_VARINT, WIRE_FIXED32 } from './reader.js';

const TWO32 = 4294967296;

export class PbWriter {
  buf: Uint8Array;
  view: DataView;
  pos = 0;
  private stack: number[] = [];

  constructor(initial = 1024) {
    this.buf = new Uint8Array(initial);
    this.view = new DataView(this.buf.buffer);
  }

  /** Resets for reuse, keeping the allocated buffer. */
  reset(): this {
    this.pos = 0;
    this.stack.length = 0;
    return this;
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const nb = new Uint8Array(size);
    nb.set(this.buf.subarray(0, this.pos));
    this.buf = nb;
    this.view = new DataView(nb.buffer);
  }

  tag(field: number, wire: number): this {
    return this.uint32((field << 3) | wire);
  }

  uint32(v: number): this {
    this.ensure(5);
    const b = this.buf;
    let p = this.pos;
    v >>>= 0;
    while (v >= 0x80) {
      b[p++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    b[p++] = v;
    this.pos = p;
    return this;
  }

  /** int64 varint from a JS number (integers up to 2^53; negatives as ten-byte two's complement). */
  int64(v: number): this {
    if (v >= 0 && v < TWO32) return this.uint32(v);
    this.ensure(10);
    let lo: number, hi: number;
    if (v >= 0) {
      lo = v % TWO32 >>> 0;
      hi = Math.floor(v / TWO32) >>> 0;
    } else {
      const a = -v;
      lo = a % TWO32 >>> 0;
      hi = Math.floor(a / TWO32) >>> 0;
      // two's complement negate
      lo = (~lo + 1) >>> 0;
      hi = (~hi + (lo === 0 ? 1 : 0)) >>> 0;
    }
    const b = this.buf;
    let p = this.pos;
    while (hi !== 0 || lo >= 0x80) {
      b[p++] = (lo & 0x7f) | 0x80;
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi >>>= 7;
    }
    b[p++] = lo;
    this.pos = p;
    return this;
  }

  sint64(v: number): this {
    // zigzag: non-negative n -> 2n, negative n -> -2n-1 (exact while |n| < 2^52)
    return this.int64(v >= 0 ? v * 2 : -v * 2 - 1);
  }

  bool(v: boolean): this {
    return this.uint32(v ? 1 : 0);
  }

  double(v: number): this {
    this.ensure(8);
    this.view.setFloat64(this.pos, v, true);
    this.pos += 8;
    return this;
  }

  fixed64(v: number): this {
    this.ensure(8);
    this.view.setUint32(this.pos, v % TWO32 >>> 0, true);
    this.view.setUint32(this.pos + 4, Math.floor(v / TWO32) >>> 0, true);
    this.pos += 8;
    return this;
  }

  /** fixed64 nanoseconds from integer milliseconds, exact. */
  fixed64MsToNanos(ms: number): this {
    const ns = BigInt(ms) * 1000000n;
    this.ensure(8);
    this.view.setBigUint64(this.pos, BigInt.asUintN(64, ns), true);
    this.pos += 8;
    return this;
  }

  sfixed64(v: number): this {
    this.ensure(8);
    this.view.setBigInt64(this.pos, BigInt(Math.trunc(v)), true);
    this.pos += 8;
    return this;
  }

  fixed32(v: number): this {
    this.ensure(4);
    this.view.setUint32(this.pos, v >>> 0, true);
    this.pos += 4;
    return this;
  }

  /** Copies already-encoded bytes (e.g. a cached label section). */
  raw(b: Uint8Array): this {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
    return this;
  }

  bytes(b: Uint8Array): this {
    this.uint32(b.length);
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
    return this;
  }

  string(s: string): this {
    const n = s.length;
    // ASCII fast path: one byte per char, length known up front
    this.ensure(n + 5);
    let ascii = true;
    for (let i = 0; i < n; i++) if (s.charCodeAt(i) >= 0x80) { ascii = false; break; }
    if (ascii) {
      this.uint32(n);
      const b = this.buf;
      let p = this.pos;
      for (let i = 0; i < n; i++) b[p++] = s.charCodeAt(i);
      this.pos = p;
      return this;
    }
    return this.bytes(Buffer.from(s, 'utf8'));
  }

  /** Begins a length-delimited nested message (after its tag has been written). */
  fork(): this {
    this.ensure(1);
    this.stack.push(this.pos);
    this.pos += 1; // one-byte length placeholder
    return this;
  }

  /** Ends the innermost fork(), writing its length prefix. */
  ldelim(): this {
    const start = this.stack.pop();
    if (start === undefined) throw new Error('ldelim without fork');
    const len = this.pos - start - 1;
    if (len < 0x80) {
      this.buf[start] = len;
      return this;
    }
    let extra = 0;
    for (let v = len >>> 7; v > 0; v >>>= 7) extra++;
    this.ensure(extra);
    this.buf.copyWithin(start + 1 + extra, start + 1, this.pos);
    let p = start, v = len;
    while (v >= 0x80) {
      this.buf[p++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.buf[p] = v;
    this.pos += extra;
    return this;
  }

  // Field helpers that skip proto3 defaults.
  stringField(field: number, s: string): this {
    return s === '' ? this : this.tag(field, WIRE_LEN).string(s);
  }
  int64Field(field: number, v: number): this {
    return v === 0 ? this : this.tag(field, WIRE_VARINT).int64(v);
  }
  doubleField(field: number, v: number): this {
    return this.tag(field, WIRE_FIXED64).double(v);
  }
  fixed32Field(field: number, v: number): this {
    return this.tag(field, WIRE_FIXED32).fixed32(v);
  }

  /** The encoded bytes (a view; copy if the writer is reused). */
  finish(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }
}
