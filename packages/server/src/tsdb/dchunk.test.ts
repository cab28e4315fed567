import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeBlockChunk, decodeBlockChunk } from './dchunk.js';
import { ByteWriter } from './bytes.js';

// The decoder has separate one-, two- and multi-byte varint paths: cover deltas of every width,
// both signs, in timestamps and in decimal values (delta and delta-of-delta modes).
test('block chunk decodes varints of every width exactly', () => {
  let seed = 7;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  const widths = [1, 60, 200, 9000, 20000, 3e6, 5e8, 3e9, 2e12];
  for (let round = 0; round < 60; round++) {
    const n = 120;
    const t = new Float64Array(n), v = new Float64Array(n);
    let tt = 1.7e12 + Math.floor(rnd() * 1e6), x = Math.floor(rnd() * 1000);
    const digits = round % 4;
    for (let i = 0; i < n; i++) {
      tt += 1 + Math.floor(rnd() * widths[Math.floor(rnd() * 6)]!);
      t[i] = tt;
      const step = Math.floor(rnd() * widths[Math.floor(rnd() * widths.length)]!) * (rnd() < 0.3 ? -1 : 1);
      x = round % 2 ? x + step : step; // alternating: counter-like deltas, or gauge-like jumps
      if (Math.abs(x) > 2 ** 45) x = Math.floor(rnd() * 100);
      v[i] = x / 10 ** digits;
    }
    const w = new ByteWriter();
    encodeBlockChunk(w, t, v, 0, n);
    const b = w.result();
    const ot = new Float64Array(n), ov = new Float64Array(n);
    assert.equal(decodeBlockChunk(b, 0, b.length, ot, ov, 0, -Infinity, Infinity), n);
    assert.deepEqual(Array.from(ot), Array.from(t), `round ${round} timestamps`);
    for (let i = 0; i < n; i++) assert.ok(Object.is(ov[i], v[i]), `round ${round} value ${i}: ${ov[i]} vs ${v[i]}`);
    assert.ok(b[0] === 1 || b[0] === 2, `round ${round} uses a decimal mode (got ${b[0]})`);
  }
});
