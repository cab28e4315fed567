import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newXorState, xorAppend, xorDecode, XOR_MAX_SAMPLE_BITS } from './xor.js';
import { encodeBlockChunk, decodeBlockChunk, blockChunkSamples } from './dchunk.js';
import { ByteWriter } from './bytes.js';
import { STALE_NAN } from '../model/sample.js';

function bitsOf(v: Float64Array): string[] {
  const u = new Uint32Array(v.buffer, v.byteOffset, v.length * 2);
  const out: string[] = [];
  for (let i = 0; i < v.length; i++) out.push(u[i * 2 + 1]!.toString(16) + ':' + u[i * 2]!.toString(16));
  return out;
}

function weirdValues(n: number, seed: number): { t: Float64Array; v: Float64Array } {
  const t = new Float64Array(n), v = new Float64Array(n);
  const u = new Uint32Array(v.buffer);
  let s = seed;
  const rnd = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
  let ts = 1_700_000_000_000 + Math.floor(rnd() * 1e6);
  for (let i = 0; i < n; i++) {
    ts += 1 + Math.floor(rnd() < 0.1 ? rnd() * 1e9 : rnd() < 0.5 ? 15000 : rnd() * 20000);
    t[i] = ts;
    const r = rnd();
    if (r < 0.1) v[i] = STALE_NAN;
    else if (r < 0.15) v[i] = Infinity;
    else if (r < 0.2) v[i] = -Infinity;
    else if (r < 0.25) v[i] = -0;
    else if (r < 0.3) { u[i * 2] = Math.floor(rnd() * 2 ** 32); u[i * 2 + 1] = 0x7ff80000 | Math.floor(rnd() * 0x7ffff); }
    else if (r < 0.5) v[i] = Math.round(rnd() * 1e6) / 100;
    else if (r < 0.7) v[i] = i > 0 ? v[i - 1]! : 1;
    else v[i] = (rnd() - 0.5) * 1e300 * rnd();
  }
  return { t, v };
}

test('xor chunk round-trips bit-exact (NaN payloads, ±Inf, -0, big jumps)', () => {
  for (let seed = 1; seed < 30; seed++) {
    const { t, v } = weirdValues(200, seed);
    const buf = new Uint8Array((200 * XOR_MAX_SAMPLE_BITS) / 8 + 16);
    const st = newXorState();
    for (let i = 0; i < t.length; i++) xorAppend(buf, 3, st, t[i]!, v[i]!);
    const ot = new Float64Array(200), ov = new Float64Array(200);
    const n = xorDecode(buf, 3, (st.bits + 7) >>> 3, st.n, ot, ov, 0, -Infinity, Infinity);
    assert.equal(n, 200);
    assert.deepEqual(Array.from(ot), Array.from(t));
    assert.deepEqual(bitsOf(ov), bitsOf(v));
  }
});

test('block chunk round-trips bit-exact and honours mint/maxt', () => {
  for (let seed = 1; seed < 30; seed++) {
    const { t, v } = weirdValues(300, seed);
    // half decimal-friendly
    if (seed % 2) for (let i = 0; i < 300; i++) if (i % 7) v[i] = i * 3 + seed / 10;
    const w = new ByteWriter();
    encodeBlockChunk(w, t, v, 0, 300);
    const b = w.result();
    assert.equal(blockChunkSamples(b, 0), 300);
    const ot = new Float64Array(300), ov = new Float64Array(300);
    assert.equal(decodeBlockChunk(b, 0, b.length, ot, ov, 0, -Infinity, Infinity), 300);
    assert.deepEqual(Array.from(ot), Array.from(t));
    assert.deepEqual(bitsOf(ov), bitsOf(v));
    const lo = t[50]!, hi = t[120]!;
    const n = decodeBlockChunk(b, 0, b.length, ot, ov, 0, lo, hi);
    assert.equal(n, 71);
    assert.deepEqual(bitsOf(ov.subarray(0, 71)), bitsOf(v.subarray(50, 121)));
  }
});

test('block chunk is compact for counters', () => {
  const n = 480;
  const t = new Float64Array(n), v = new Float64Array(n);
  let c = 1000;
  for (let i = 0; i < n; i++) { t[i] = 1e12 + i * 15000; c += Math.floor(Math.random() * 20); v[i] = c; }
  const w = new ByteWriter();
  encodeBlockChunk(w, t, v, 0, n);
  assert.ok(w.len / n < 2.2, `bytes/sample ${w.len / n}`);
});

test('block chunk divides deltas by their common factor (page-sized gauges)', () => {
  const n = 480;
  const t = new Float64Array(n), v = new Float64Array(n);
  let x = 8 * 2 ** 30;
  for (let i = 0; i < n; i++) { t[i] = 1e12 + i * 15000; x += Math.round((Math.random() - 0.5) * 2000) * 4096; v[i] = x; }
  const w = new ByteWriter();
  encodeBlockChunk(w, t, v, 0, n);
  const b = w.result();
  const ot = new Float64Array(n), ov = new Float64Array(n);
  assert.equal(decodeBlockChunk(b, 0, b.length, ot, ov, 0, -Infinity, Infinity), n);
  assert.deepEqual(Array.from(ov), Array.from(v));
  assert.ok(b.length / n < 3.2, `bytes/sample ${b.length / n}`);
});
