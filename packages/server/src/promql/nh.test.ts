// Native histogram points survive the label functions, set operators and range-vector results.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openTSDB } from '../tsdb/index.js';
import { FloatHistogram } from '../model/histogram.js';
import { Engine } from './index.js';
import type { Value } from './value.js';

function summary(v: Value): [string, string | number][] {
  if (v.type === 'vector') return v.samples.map((s) => [s.labels.map((l) => `${l.name}=${l.value}`).join(','), s.h ? `H${s.h.count}` : s.v]);
  if (v.type === 'matrix') return v.series.map((s) => [s.labels.map((l) => `${l.name}=${l.value}`).join(','), Array.from(s.t, (_, i) => (s.h?.[i] ? `H${s.h[i]!.count}` : String(s.v[i]))).join(' ')]);
  return [];
}

test('histogram points through label functions, set operators, info-free paths and range vectors', async () => {
  const db = await openTSDB({ compactionIntervalMs: 0 });
  const app = db.appender();
  for (let k = 0; k < 3; k++) {
    const h = new FloatHistogram();
    h.count = 3 + k; h.sum = 2; h.pIdx = [0]; h.pCnt = [3 + k];
    app.appendHistogram!(0, [{ name: '__name__', value: 'x' }, { name: 'a', value: '1' }], k * 1000, h);
  }
  await app.commit();
  const e = new Engine();
  const q = async (s: string, t = 2000) => summary((await e.instantQuery(db, s, t)).value);
  assert.deepEqual(await q('label_replace(x, "b", "$1", "a", "(.*)")'), [['__name__=x,a=1,b=1', 'H5']]);
  assert.deepEqual(await q('label_join(x, "c", ",", "a")'), [['__name__=x,a=1,c=1', 'H5']]);
  assert.deepEqual(await q('x and x'), [['__name__=x,a=1', 'H5']]);
  assert.deepEqual(await q('x or vector(1)'), [['__name__=x,a=1', 'H5'], ['', 1]]);
  assert.deepEqual(await q('x[3s]'), [['__name__=x,a=1', 'H3 H4 H5']]);
  assert.deepEqual(await q('-x'), [['a=1', 'H-5']]);
  assert.deepEqual(await q('abs(x)'), []); // float-only functions drop histograms, as Prometheus
  const r = await e.rangeQuery(db, 'x', 0, 2000, 1000);
  assert.deepEqual(summary(r.value), [['__name__=x,a=1', 'H3 H4 H5']]);
  await db.close();
});

test('histogram points count by size against max samples (as Prometheus)', async () => {
  const db = await openTSDB({ compactionIntervalMs: 0 });
  const app = db.appender();
  const h = new FloatHistogram();
  h.count = 3; h.pIdx = [0, 1, 2]; h.pCnt = [1, 1, 1]; // (168 + 8*(1 span + 3 buckets) + 8) / 16 = 13
  app.appendHistogram!(0, [{ name: '__name__', value: 'x' }], 1000, h);
  await app.commit();
  await assert.rejects(new Engine({ maxSamples: 12 }).instantQuery(db, 'x', 1000), /query processing would load too many samples/);
  const ok = await new Engine({ maxSamples: 13 }).instantQuery(db, 'x', 1000);
  assert.equal(ok.value.type === 'vector' && ok.value.samples.length, 1);
  await db.close();
});
