import { test } from 'node:test';
import assert from 'node:assert/strict';
import { extrapolatedRateInto, resetPrefix } from './rangefuncs.js';

// The reset-prefix shortcut must give bit-identical rate/increase to the full reset scan.
test('rate/increase with reset prefix counts equal the full scan, bit for bit', () => {
  let seed = 12345;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  const len = 400;
  const t = new Float64Array(len), v = new Float64Array(len);
  let x = 0;
  for (let i = 0; i < len; i++) {
    t[i] = 1000 * 15 * i + Math.floor(rnd() * 3000);
    const r = rnd();
    x = r < 0.05 ? rnd() * 10 : r < 0.07 ? NaN : r < 0.08 ? Infinity : (x === x && Number.isFinite(x) ? x : 0) + rnd() * 100;
    v[i] = x;
  }
  const rs = resetPrefix(v, undefined);
  let resetWindows = 0;
  const a = new Float64Array(1), b = new Float64Array(1);
  for (const rangeMs of [30e3, 300e3, 3600e3]) {
    for (let lo = 0; lo < len; lo += 3) {
      for (const hi of [lo + 1, lo + 2, lo + 5, lo + 20, lo + 240]) {
        if (hi > len) continue;
        const end = t[hi - 1]! + 7000, start = end - rangeMs;
        if (rs[hi - 1] !== rs[lo]) resetWindows++;
        for (const isRate of [true, false]) {
          const ra = extrapolatedRateInto(t, v, lo, hi, start, end, rangeMs, true, isRate, rs, a, 0);
          const rb = extrapolatedRateInto(t, v, lo, hi, start, end, rangeMs, true, isRate, undefined, b, 0);
          assert.equal(ra, rb);
          if (ra) assert.ok(Object.is(a[0], b[0]), `window [${lo},${hi}) range ${rangeMs}: ${a[0]} vs ${b[0]}`);
        }
      }
    }
  }
  assert.ok(resetWindows > 100, 'the data has windows with resets');
});

test('resetPrefix reuses a large enough buffer and counts v[i] < v[i-1] only', () => {
  const v = new Float64Array([5, 3, NaN, 1, 2, 0, 0]);
  const buf = new Int32Array(16);
  const r = resetPrefix(v, buf);
  assert.equal(r, buf);
  assert.deepEqual([...r.subarray(0, v.length)], [0, 1, 1, 1, 1, 2, 2]);
});
