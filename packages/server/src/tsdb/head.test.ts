import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Head } from './head.js';
import { intersect, subtract, union } from './postings.js';
import { labelsOf } from '../model/labels.js';

test('hash collisions are resolved by label comparison, also after removals', () => {
  const h = new Head(7_200_000);
  const a = labelsOf('__name__', 'a'), b = labelsOf('__name__', 'b');
  const ra = h.create(a, 5);
  const rb = h.create(b, 5);
  assert.notEqual(ra, rb);
  assert.equal(h.lookup(a, 5), ra);
  assert.equal(h.lookup(b, 5), rb);
  h.append(rb, 100, 1);
  assert.deepEqual(h.truncate(0), [ra]);
  assert.equal(h.lookup(b, 5), rb);
  assert.equal(h.lookup(a, 5), 0);
  h.releaseRefs();
  const rc = h.create(labelsOf('__name__', 'c'));
  assert.equal(rc, ra, 'ref reused after release');
  assert.notEqual(h.extRef(rc), ra, 'but the external ref changes (generation)');
  assert.equal(h.fromExtRef(ra), 0, 'stale external ref is rejected');
});

test('chunks are cut at 120 samples and at block boundaries; truncate frees them', () => {
  const h = new Head(3_600_000);
  const r = h.create(labelsOf('__name__', 'x'));
  for (let i = 0; i < 1000; i++) h.append(r, i * 10_000, i);
  // 10000 s = 2.77 h: boundaries at 1h and 2h, 120-sample cuts inside.
  assert.equal(h.numChunks, 3 + 3 + 3); // 360 + 360 + 280 samples, cut at 1h and 2h and every 120
  const s = h.samples(r, 3_600_000, 7_199_999)!;
  assert.equal(s.t.length, 360);
  assert.equal(s.t[0], 3_600_000);
  h.truncate(7_200_000);
  assert.equal(h.samples(r, 0, Infinity)!.t.length, 280);
});

test('postings set operations', () => {
  const A = Uint32Array.from([1, 3, 5, 7, 9, 11]);
  const B = Uint32Array.from([3, 4, 5, 11, 12]);
  assert.deepEqual([...intersect(A, B)], [3, 5, 11]);
  assert.deepEqual([...subtract(A, B)], [1, 7, 9]);
  assert.deepEqual([...union([A, B])], [1, 3, 4, 5, 7, 9, 11, 12]);
  assert.deepEqual([...union([A, B, Uint32Array.from([0, 13])])], [0, 1, 3, 4, 5, 7, 9, 11, 12, 13]);
  const big = new Uint32Array(100000).map((_, i) => i * 2);
  assert.deepEqual([...intersect(Uint32Array.from([4, 5, 199998]), big)], [4, 199998]);
});

test('series with staged (uncommitted) samples survive head truncation', async () => {
  const { openTSDB } = await import('./db.js');
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const dir = mkdtempSync(join(tmpdir(), 'vigil-pend-'));
  const db = await openTSDB({ dir, compactionIntervalMs: 0, blockRangeMs: 3_600_000 });
  const w = db.appender();
  for (let i = 0; i < 800; i++) { w.append(0, labelsOf('__name__', 'busy'), i * 15000, i); if (i % 100 === 0) await w.commit(); }
  await w.commit();
  const a = db.appender();
  a.append(0, labelsOf('__name__', 'late'), 800 * 15000, 1); // new series, not committed yet
  await db.compact(); // cuts blocks and truncates the head meanwhile
  assert.ok(db.stats().blocks >= 1);
  await a.commit();
  const q = db.querier(0, Infinity);
  const ss = await q.select({ start: 0, end: Infinity }, [{ type: '=', name: '__name__', value: 'late' }]);
  assert.equal(ss.length, 1);
  assert.equal(ss[0]!.samples().t.length, 1);
  q.close();
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});
