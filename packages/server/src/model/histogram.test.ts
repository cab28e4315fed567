import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FloatHistogram, HistogramError, expBound, storedHints } from './histogram.js';

function h(o: Partial<FloatHistogram>): FloatHistogram {
  return Object.assign(new FloatHistogram(), o);
}

test('bucket bounds follow Prometheus (schema 0, 3, -2; last bucket before overflow)', () => {
  assert.equal(expBound(0, 0), 1);
  assert.equal(expBound(1, 0), 2);
  assert.equal(expBound(-1, 0), 0.5);
  assert.ok(Math.abs(expBound(1, 3) - 2 ** (1 / 8)) < 1e-15);
  assert.equal(expBound(1, -2), 16);
  assert.equal(expBound(1024, 0), Number.MAX_VALUE);
});

test('add reduces to the lower schema and merges buckets', () => {
  const a = h({ schema: 1, count: 4, sum: 5, pIdx: [1, 2, 3], pCnt: [1, 1, 2] });
  const b = h({ schema: 0, count: 1, sum: 1, pIdx: [1], pCnt: [1] });
  a.add(b);
  assert.equal(a.schema, 0);
  // schema 1 indices 1,2 -> schema 0 index 1; 3 -> 2.
  assert.deepEqual(a.pIdx, [1, 2]);
  assert.deepEqual(a.pCnt, [3, 2]);
  assert.equal(a.count, 5);
});

test('add widens the zero bucket, folding buckets inside it', () => {
  const a = h({ schema: 0, zeroThreshold: 1, zeroCount: 1, count: 3, pIdx: [1], pCnt: [2] });
  const b = h({ schema: 0, zeroThreshold: 0.001, count: 2, pIdx: [0, 1], pCnt: [1, 1] });
  a.add(b);
  assert.equal(a.zeroThreshold, 1);
  assert.equal(a.zeroCount, 2); // b's bucket (0.5,1] joins the zero bucket
  assert.deepEqual(a.pCnt, [3]);
});

test('exponential and custom schemas do not mix; custom bounds reconcile to their intersection', () => {
  const e = h({ schema: 0, count: 1 });
  const c = h({ schema: -53, customValues: [1, 2], count: 1, pIdx: [0], pCnt: [1] });
  assert.throws(() => e.copy().add(c), HistogramError);
  const d = h({ schema: -53, customValues: [2, 5], count: 2, pIdx: [0, 1], pCnt: [1, 1] });
  const r = c.copy();
  assert.equal(r.add(d).reconciled, true);
  assert.deepEqual(r.customValues, [2]);
  assert.deepEqual(r.pIdx, [0, 1]);
  assert.deepEqual(r.pCnt, [2, 1]);
});

test('detectReset: count drop, bucket drop, explicit hints', () => {
  const p = h({ count: 5, pIdx: [0, 1], pCnt: [2, 3] });
  assert.equal(h({ count: 6, pIdx: [0, 1], pCnt: [3, 3] }).detectReset(p), false);
  assert.equal(h({ count: 6, pIdx: [0, 1], pCnt: [4, 2] }).detectReset(p), true);
  assert.equal(h({ count: 4 }).detectReset(p), true);
  assert.equal(h({ count: 4, hint: 'not_reset' }).detectReset(p), false);
  const hs = storedHints([p, h({ count: 6, pIdx: [0, 1], pCnt: [3, 3] }), h({ count: 1 }), h({ count: 1, hint: 'gauge' })]);
  assert.deepEqual(hs.map((x) => x.hint), ['unknown', 'not_reset', 'unknown', 'gauge']);
});

test('trim keeps observations below / above a value (log-linear inside a bucket)', () => {
  const x = h({ schema: 0, count: 4, sum: 6, pIdx: [1, 2], pCnt: [2, 2] }); // (1,2]:2 (2,4]:2
  const below = x.copy().trim(2, true);
  assert.equal(below.count, 2);
  assert.deepEqual(below.pIdx, [1]);
  const mid = x.copy().trim(Math.SQRT2 * 2, false); // halfway (log scale) into (2,4]
  assert.ok(Math.abs(mid.count - 1) < 1e-12);
  assert.deepEqual(mid.pIdx, [2]);
});

test('spans round-trip with explicit indices', () => {
  const idx = [-2, -1, 3, 4, 10];
  assert.deepEqual(FloatHistogram.indicesOf(FloatHistogram.spansOf(idx)), idx);
  assert.deepEqual(FloatHistogram.spansOf(idx), [{ offset: -2, length: 2 }, { offset: 3, length: 2 }, { offset: 5, length: 1 }]);
});
