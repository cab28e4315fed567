import { test } from 'node:test';
import assert from 'node:assert/strict';
import { QuantileSketch, SlidingQuantiles, sketchQuantiles } from './sketch.js';

function exactAt(sorted: number[], q: number): number {
  return sorted[Math.floor(q * (sorted.length - 1))]!;
}

test('sketch: relative error bound holds over wide ranges, both signs and zeros', () => {
  for (const alpha of [0.01, 0.05]) {
    const s = new QuantileSketch(alpha);
    const data: number[] = [];
    let x = 7;
    for (let i = 0; i < 30000; i++) {
      x = (x * 48271) % 2147483647;
      const u = x / 2147483647;
      const v = i % 11 === 0 ? 0 : (i % 3 === 0 ? -1 : 1) * Math.pow(10, u * 16 - 8);
      data.push(v);
      s.add(v);
    }
    data.sort((a, b) => a - b);
    const qs = [0, 0.001, 0.01, 0.25, 0.3, 0.5, 0.75, 0.9, 0.99, 0.999, 1];
    const out = new Float64Array(qs.length);
    sketchQuantiles([s], qs, out);
    qs.forEach((q, i) => {
      const e = exactAt(data, q);
      assert.ok(Math.abs(out[i]! - e) <= alpha * Math.abs(e) + 1e-300, `alpha=${alpha} q=${q}: ${out[i]} vs ${e}`);
    });
  }
});

test('sketch: memory stays bounded; collapsing only touches the smallest magnitudes', () => {
  const s = new QuantileSketch(0.01, 64);
  const data: number[] = [];
  for (let i = 0; i < 5000; i++) {
    const v = Math.pow(1.5, (i % 200) - 100); // ~1e-18 .. 1e17: far more than 64 buckets
    data.push(v);
    s.add(v);
  }
  assert.ok(s.pos.counts.length <= 64, `buckets ${s.pos.counts.length}`);
  data.sort((a, b) => a - b);
  // 64 buckets of 2% cover a factor of ~3.6 below the maximum: those quantiles keep the 1% bound.
  const qs = [0.99, 0.995, 1];
  const out = new Float64Array(qs.length);
  sketchQuantiles([s], qs, out);
  qs.forEach((q, i) => {
    const e = exactAt(data, q);
    assert.ok(Math.abs(out[i]! - e) <= 0.01 * e, `q=${q}: ${out[i]} vs ${e}`);
  });
  // Lower quantiles fall into the collapsed bucket: reported above their true value, below the kept range.
  const low = new Float64Array(2);
  sketchQuantiles([s], [0, 0.5], low);
  assert.ok(low[0]! >= data[0]! && low[1]! >= exactAt(data, 0.5) && low[1]! <= exactAt(data, 0.99));
  assert.equal(s.count, 5000);
});

test('sketch: growth in both directions keeps counts', () => {
  const s = new QuantileSketch(0.01);
  const vals = [1, 1e6, 1e-6, 1e12, 1e-12, 5, 5, 5];
  for (const v of vals) s.add(v);
  const out = new Float64Array(1);
  sketchQuantiles([s], [0.5], out);
  assert.ok(Math.abs(out[0]! - 5) <= 0.05);
  let total = 0;
  for (const c of s.pos.counts) total += c;
  assert.equal(total, vals.length);
});

test('sliding window: old sub-windows expire after maxAge', () => {
  let now = 1_000_000;
  const w = new SlidingQuantiles(0.3, 3, 0.01, () => now); // 3 sub-windows of 100 ms
  const out = new Float64Array(1);
  w.observe(100);
  assert.equal(w.size(), 1);
  now += 150;
  w.observe(200);
  now += 220; // 100 was observed 370 ms ago: gone; 200 (220 ms ago) still inside the window
  w.quantiles([0], out);
  assert.ok(Math.abs(out[0]! - 200) <= 2, String(out[0]));
  assert.equal(w.size(), 1);
  now += 100; // 200 is now 320 ms old, its sub-window rotated out
  assert.equal(w.size(), 0);
  w.quantiles([0.5], out);
  assert.ok(Number.isNaN(out[0]!));
  now += 10_000; // idle far longer than the window, then observe again
  w.observe(7);
  w.quantiles([0.5], out);
  assert.ok(Math.abs(out[0]! - 7) <= 0.07);
});

test('sliding window with the coarse clock (sub-windows of 2 s or more) records and reads', () => {
  const w = new SlidingQuantiles(600, 5, 0.01);
  for (let i = 1; i <= 100; i++) w.observe(i);
  const out = new Float64Array(2);
  w.quantiles([0.5, 1], out);
  assert.ok(Math.abs(out[0]! - 50) <= 0.5 && out[1] === 100, String(out));
  assert.equal(w.size(), 100);
});
