// Protobuf wire-format reader over a Uint8Array. Hand-written because remote_write and OTLP
// decoding is an ingest hot path: no per-field objects, numbers decoded in place.

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_LEN = 2;
export const WIRE_FIXED32 = 5;

export class ProtoError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtoError';
  }
}

import type { StringInterner } from './intern.js';

const utf8 = new TextDecoder('utf-8', { fatal: false });
const TWO32 = 4294967296;

export class PbReader {
  pos: number;
  readonly view: DataView;
  constructor(
    readonly buf: Uint8Array,
    start = 0,
    public end = buf.length,
  ) {
    this.pos = start;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  eof(): boolean {
    return this.pos >= this.end;
  }

  /** Field tag: (field number << 3) | wire type. */
  tag(): number {
    return this.uint32();
  }

  /** Varint that fits in 32 bits (tags, lengths, enums); higher bits are an error. */
  uint32(): number {
    const b = this.buf;
    let p = this.pos;
    if (p >= this.end) throw new ProtoError(`unexpected end of message at byte ${p}`);
    let c = b[p++]!;
    let v = c & 0x7f;
    if (c < 0x80) {
      this.pos = p;
      return v;
    }
    let shift = 7;
    while (true) {
      if (p >= this.end) throw new ProtoError(`truncated varint at byte ${this.pos}`);
      c = b[p++]!;
      if (shift < 28) v |= (c & 0x7f) << shift;
      else v += (c & 0x7f) * 2 ** shift;
      if (c < 0x80) break;
      shift += 7;
      if (shift > 63) throw new ProtoError(`varint too long at byte ${this.pos}`);
    }
    this.pos = p;
    return v >>> 0 === v ? v : v % TWO32 >>> 0;
  }

  /**
   * int64/uint64 varint as a JS number (exact up to 2^53; timestamps in ms fit easily).
   * Negative int64 (ten-byte two's complement) comes back negative.
   */
  int64(): number {
    const b = this.buf;
    let p = this.pos;
    let lo = 0, hi = 0, c: number;
    // low 28 bits
    let shift = 0;
    for (; shift < 28; shift += 7) {
      if (p >= this.end) throw new ProtoError(`truncated varint at byte ${this.pos}`);
      c = b[p++]!;
      lo |= (c & 0x7f) << shift;
      if (c < 0x80) {
        this.pos = p;
        return lo;
      }
    }
    // bits 28..31 go to lo, 32..34 to hi
    if (p >= this.end) throw new ProtoError(`truncated varint at byte ${this.pos}`);
    c = b[p++]!;
    lo = (lo | ((c & 0x0f) << 28)) >>> 0;
    hi = (c & 0x70) >>> 4;
    if (c >= 0x80) {
      for (shift = 3; ; shift += 7) {
        if (p >= this.end) throw new ProtoError(`truncated varint at byte ${this.pos}`);
        if (shift > 31) throw new ProtoError(`varint too long at byte ${this.pos}`);
        c = b[p++]!;
        hi = (hi | ((c & 0x7f) << shift)) >>> 0;
        if (c < 0x80) break;
      }
    }
    this.pos = p;
    return hi & 0x80000000 ? -((~hi >>> 0) * TWO32 + (~lo >>> 0) + 1) : hi * TWO32 + lo;
  }

  uint64(): number {
    const v = this.int64();
    return v < 0 ? v + 2 ** 64 : v;
  }

  sint64(): number {
    // zigzag over the exact 64-bit pattern
    const p0 = this.pos;
    const v = this.int64();
    if (v >= 0 && v <= Number.MAX_SAFE_INTEGER) return v % 2 === 0 ? v / 2 : -(v + 1) / 2;
    // beyond 2^53: fall back to BigInt (rare)
    this.pos = p0;
    const big = this.bigVarint();
    return Number((big >> 1n) ^ -(big & 1n));
  }

  sint32(): number {
    const v = this.uint32();
    return (v >>> 1) ^ -(v & 1);
  }

  private bigVarint(): bigint {
    let r = 0n, shift = 0n;
    while (true) {
      if (this.pos >= this.end) throw new ProtoError('truncated varint');
      const c = this.buf[this.pos++]!;
      r |= BigInt(c & 0x7f) << shift;
      if (c < 0x80) return BigInt.asUintN(64, r);
      shift += 7n;
    }
  }

  bool(): boolean {
    return this.int64() !== 0;
  }

  double(): number {
    const p = this.pos;
    if (p + 8 > this.end) throw new ProtoError(`truncated double at byte ${p}`);
    this.pos = p + 8;
    return this.view.getFloat64(p, true);
  }

  /** Copies a double's 8 bytes into `dst` at index i, bit-exact (NaN payloads kept). */
  doubleInto(dst: Float64Array, i: number): void {
    const p = this.pos;
    if (p + 8 > this.end) throw new ProtoError(`truncated double at byte ${p}`);
    this.pos = p + 8;
    dst[i] = this.view.getFloat64(p, true);
  }

  float(): number {
    const p = this.pos;
    if (p + 4 > this.end) throw new ProtoError(`truncated float at byte ${p}`);
    this.pos = p + 4;
    return this.view.getFloat32(p, true);
  }

  /** fixed64 (unsigned) as a number: exact below 2^53. */
  fixed64(): number {
    const p = this.pos;
    if (p + 8 > this.end) throw new ProtoError(`truncated fixed64 at byte ${p}`);
    this.pos = p + 8;
    return this.view.getUint32(p + 4, true) * TWO32 + this.view.getUint32(p, true);
  }

  /** fixed64 nanoseconds converted exactly to integer milliseconds (floor). */
  fixed64NanosToMs(): number {
    const p = this.pos;
    if (p + 8 > this.end) throw new ProtoError(`truncated fixed64 at byte ${p}`);
    this.pos = p + 8;
    return nanosToMs(this.view.getUint32(p + 4, true), this.view.getUint32(p, true));
  }

  sfixed64(): number {
    const p = this.pos;
    if (p + 8 > this.end) throw new ProtoError(`truncated sfixed64 at byte ${p}`);
    this.pos = p + 8;
    return this.view.getInt32(p + 4, true) * TWO32 + this.view.getUint32(p, true);
  }

  fixed32(): number {
    const p = this.pos;
    if (p + 4 > this.end) throw new ProtoError(`truncated fixed32 at byte ${p}`);
    this.pos = p + 4;
    return this.view.getUint32(p, true);
  }

  /** Reads a length prefix and returns the end offset of the delimited payload. */
  lenEnd(): number {
    const n = this.uint32();
    const e = this.pos + n;
    if (e > this.end) throw new ProtoError(`length ${n} at byte ${this.pos} runs past the end of the message`);
    return e;
  }

  bytes(): Uint8Array {
    const e = this.lenEnd();
    const out = this.buf.subarray(this.pos, e);
    this.pos = e;
    return out;
  }

  string(): string {
    const e = this.lenEnd();
    const s = decodeUtf8(this.buf, this.pos, e);
    this.pos = e;
    return s;
  }

  /** A string through an intern table (label names/values that repeat). */
  internedString(t: StringInterner): string {
    const e = this.lenEnd();
    const s = t.get(this.buf, this.pos, e);
    this.pos = e;
    return s;
  }

  skip(wire: number): void {
    switch (wire) {
      case WIRE_VARINT:
        while (true) {
          if (this.pos >= this.end) throw new ProtoError('truncated varint');
          if (this.buf[this.pos++]! < 0x80) break;
        }
        return;
      case WIRE_FIXED64:
        this.pos += 8;
        break;
      case WIRE_LEN:
        this.pos = this.lenEnd();
        return;
      case WIRE_FIXED32:
        this.pos += 4;
        break;
      default:
        throw new ProtoError(`unsupported wire type ${wire} at byte ${this.pos}`);
    }
    if (this.pos > this.end) throw new ProtoError('truncated fixed-width field');
  }
}

/** Exact floor(ns / 1e6) for ns = hi * 2^32 + lo (2^32 = 4294 * 1e6 + 967296). */
export function nanosToMs(hi: number, lo: number): number {
  const rest = hi * 967296 + lo; // < 2^53, exact
  let q = Math.floor(rest / 1e6);
  if (q * 1e6 > rest) q--;
  return hi * 4294 + q;
}

/** UTF-8 decode with an ASCII fast path: label names and values are mostly short ASCII. */
export function decodeUtf8(b: Uint8Array, start: number, end: number): string {
  const n = end - start;
  if (n === 0) return '';
  if (n <= 64) {
    let ascii = 0;
    for (let i = start; i < end; i++) ascii |= b[i]!;
    if (!(ascii & 0x80)) return String.fromCharCode.apply(null, b.subarray(start, end) as unknown as number[]);
  }
  return utf8.decode(b.subarray(start, end));
}
