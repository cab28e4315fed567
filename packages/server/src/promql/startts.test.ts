import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from './index.js';
import { openTSDB } from '../tsdb/index.js';
import { labelsOf } from '../model/labels.js';
import { isStartTimestampReset, mergeStartTimestamps, startTimeOverlaps } from './startts.js';
import type { Value } from './value.js';

const M = 60_000;

test('start timestamp reset and overlap rules', () => {
  // [prevST, prevT, curST, curT]
  assert.equal(isStartTimestampReset(0, 60e3, 0, 120e3), false, 'unknown');
  assert.equal(isStartTimestampReset(0, 60e3, 90e3, 120e3), true, 'starts after the previous sample');
  assert.equal(isStartTimestampReset(0, 60e3, 30e3, 120e3), false, 'starts before the previous sample');
  assert.equal(isStartTimestampReset(0, 60e3, 120e3, 120e3), false, 'ST = T: unknown start (OTel)');
  assert.equal(isStartTimestampReset(0, 60e3, 130e3, 120e3), false, 'ST > T: invalid');
  assert.equal(isStartTimestampReset(1, 60e3, 60e3, 120e3), true, 'delta: ST = previous T, previous ST known');
  assert.equal(isStartTimestampReset(0, 60e3, 60e3, 120e3), false, 'cumulative with unknown start');
  assert.equal(isStartTimestampReset(60e3, 60e3, 60e3, 120e3), false, 'previous ST = previous T');
  assert.equal(isStartTimestampReset(70e3, 60e3, 60e3, 120e3), false, 'previous ST invalid');
  assert.equal(startTimeOverlaps(0, 120e3, 60e3), true);
  assert.equal(startTimeOverlaps(60e3, 120e3, 60e3), false, 'same start as before: cumulative');
  assert.equal(startTimeOverlaps(0, 120e3, 120e3), false, 'delta');
  assert.equal(startTimeOverlaps(0, 120e3, 0), false);
  // Merged float + histogram run: equal timestamps keep the histogram's entry.
  const st = mergeStartTimestamps(Float64Array.of(1, 3, 5), Float64Array.of(10, 30, 50), Float64Array.of(2, 5), undefined, 4);
  assert.deepEqual(Array.from(st!), [10, 0, 30, 0]);
  assert.equal(mergeStartTimestamps(Float64Array.of(1), undefined, Float64Array.of(2), undefined, 2), undefined);
});

async function data() {
  const db = await openTSDB({ compactionIntervalMs: 0 });
  const a = db.appender();
  const c = labelsOf('__name__', 'c_total', 'kind', 'st');
  const p = labelsOf('__name__', 'c_total', 'kind', 'plain');
  const o = labelsOf('__name__', 'c_total', 'kind', 'overlap');
  // 10 20 30 40 at 1m..4m; from the 3m sample on the start is after 2m: the counter restarted.
  [10, 20, 30, 40].forEach((v, i) => {
    const t = (i + 1) * M;
    a.appendST!(0, c, t, v, i >= 2 ? 2 * M + 1 : M - 30_000);
    a.append(0, p, t, v);
    a.appendST!(0, o, t, v, t - 2.5 * M);
  });
  await a.commit();
  return db;
}

const vec = (v: Value) => (v.type === 'vector' ? Object.fromEntries(v.samples.map((s) => [s.labels.find((l) => l.name === 'kind')!.value, s.v])) : {});

test('rate/increase/resets/irate use start timestamps; subqueries and other functions do not', async () => {
  const db = await data();
  const e = new Engine();
  let r = await e.instantQuery(db, 'resets(c_total{kind!="overlap"}[5m])', 4 * M);
  assert.deepEqual(vec(r.value), { st: 1, plain: 0 });
  r = await e.instantQuery(db, 'irate(c_total{kind!="overlap"}[5m])', 3 * M);
  assert.deepEqual(vec(r.value), { st: 0.5, plain: 10 / 60 });
  // st: raw increase 40 - 10 + 20 (reset) = 50, plus the first sample from its start at 0:30
  // (zero point instead of extrapolation): 50 + 10 = 60 over 3.5m, extended to the window end (0).
  r = await e.instantQuery(db, 'increase(c_total{kind!="overlap"}[4m])', 4 * M);
  const got = vec(r.value);
  assert.ok(Math.abs(got.st! - 60) < 1e-9, String(got.st));
  assert.ok(Math.abs(got.plain! - 40) < 1e-9, String(got.plain));
  // Through a subquery the start timestamps are gone: same as the plain series.
  r = await e.instantQuery(db, 'increase(c_total{kind!="overlap"}[4m:1m])', 4 * M);
  assert.equal(vec(r.value).st, vec(r.value).plain);
  // delta() ignores them.
  r = await e.instantQuery(db, 'delta(c_total{kind!="overlap"}[4m])', 4 * M);
  assert.equal(vec(r.value).st, vec(r.value).plain);
  await db.close();
});

test('overlapping start times warn once per window, merged across steps', async () => {
  const db = await data();
  const e = new Engine();
  let r = await e.instantQuery(db, 'rate(c_total{kind="overlap"}[3m])', 4 * M);
  assert.deepEqual(r.warnings, ['PromQL warning: sample has start time that overlaps with previous sample timestamp for metric "c_total" (1:6)']);
  r = await e.rangeQuery(db, 'rate(c_total[3m])', 3 * M, 4 * M, M);
  assert.deepEqual(r.warnings, ['PromQL warning: sample has start time that overlaps with previous sample timestamp for metric "c_total" (2 occurrences) (1:6)']);
  r = await e.instantQuery(db, 'rate(c_total{kind!="overlap"}[3m])', 4 * M);
  assert.deepEqual(r.warnings, []);
  await db.close();
});

test('start_timestamp() reports the selected sample\'s start (0 when unknown), nothing for expressions', async () => {
  const db = await data();
  const e = new Engine();
  let r = await e.instantQuery(db, 'start_timestamp(c_total)', 3.5 * M);
  assert.deepEqual(vec(r.value), { st: (2 * M + 1) / 1000, plain: 0, overlap: 0.5 * M / 1000 });
  assert.ok(r.value.type === 'vector' && r.value.samples.every((s) => !s.labels.some((l) => l.name === '__name__')));
  r = await e.instantQuery(db, 'start_timestamp(c_total * 1)', 3.5 * M);
  assert.deepEqual(r.value, { type: 'vector', samples: [] });
  await db.close();
});
