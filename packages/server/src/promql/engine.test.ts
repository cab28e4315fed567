import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine, QueryError } from './index.js';
import { openTSDB } from '../tsdb/index.js';
import { labelsOf } from '../model/labels.js';
import { STALE_NAN } from '../model/sample.js';
import type { Queryable } from '../storage/interface.js';

async function db(series = 20, points = 100) {
  const d = await openTSDB({ compactionIntervalMs: 0 });
  const app = d.appender();
  for (let s = 0; s < series; s++) {
    for (let i = 0; i < points; i++) app.append(0, labelsOf('__name__', 'm_total', 'i', String(s)), i * 15000, i * (s + 1));
  }
  app.append(0, labelsOf('__name__', 'g'), 0, 1);
  app.append(0, labelsOf('__name__', 'req'), 0, 1);
  app.append(0, labelsOf('__name__', 'req'), 30000, 5);
  app.append(0, labelsOf('__name__', 'g'), 60000, STALE_NAN);
  await app.commit();
  return d;
}

test('instant and range results, staleness, annotations', async () => {
  const d = await db(2, 41);
  const e = new Engine();
  let r = await e.instantQuery(d, 'sum(rate(m_total[1m]))', 600000);
  assert.equal(r.value.type, 'vector');
  assert.ok(r.value.type === 'vector' && Math.abs(r.value.samples[0]!.v - 3 / 15) < 1e-12);
  assert.deepEqual(r.infos, []);
  r = await e.instantQuery(d, 'g', 30000);
  assert.equal(r.value.type === 'vector' && r.value.samples.length, 1);
  r = await e.instantQuery(d, 'g', 90000);
  assert.equal(r.value.type === 'vector' && r.value.samples.length, 0, 'stale marker hides the series');
  r = await e.rangeQuery(d, 'rate(g[5m])', 0, 120000, 60000);
  assert.deepEqual(r.infos, [], 'no info without output');
  r = await e.instantQuery(d, 'rate(req[5m])', 60000);
  assert.deepEqual(r.infos, ['PromQL info: metric might not be a counter, name does not end in _total/_sum/_count/_bucket: "req" (1:6)']);
  r = await e.rangeQuery(d, 'm_total{i="0"} * 2', 0, 60000, 30000);
  assert.ok(r.value.type === 'matrix');
  assert.deepEqual(Array.from(r.value.series[0]!.t), [0, 30000, 60000]);
  assert.deepEqual(Array.from(r.value.series[0]!.v), [0, 4, 8]);
  assert.deepEqual(r.value.series[0]!.labels, labelsOf('i', '0'));
  await d.close();
});

test('limits: max samples, resolution, timeout, cancellation', async () => {
  const d = await db(50, 200);
  await assert.rejects(new Engine({ maxSamples: 100 }).rangeQuery(d, 'm_total', 0, 3000000, 15000), (err: unknown) => {
    assert.ok(err instanceof QueryError);
    assert.equal(err.message, 'query processing would load too many samples into memory in query execution');
    return true;
  });
  await assert.rejects(new Engine().rangeQuery(d, 'm_total', 0, 12000, 1), /exceeded maximum resolution of 11,000 points per timeseries/);
  const ac = new AbortController();
  ac.abort();
  await assert.rejects(new Engine().instantQuery(d, 'm_total', 0, { signal: ac.signal }), /query was canceled in query execution/);
  // A slow storage: the query times out instead of hanging, and later queries still work.
  const slow: Queryable = {
    querier: (a, b) => {
      const q = d.querier(a, b);
      return { ...q, select: async (h, m) => { await new Promise((r) => setTimeout(r, 50)); return q.select(h, m); }, close: () => q.close() };
    },
  };
  await assert.rejects(new Engine({ timeoutMs: 10 }).instantQuery(slow, 'm_total', 0), /query timed out in query execution/);
  const ok = await new Engine().instantQuery(d, 'count(m_total)', 60000);
  assert.equal(ok.value.type === 'vector' && ok.value.samples[0]!.v, 50);
  await d.close();
});

test('errors: duplicate labelsets, many-to-many, range query of a range vector', async () => {
  const d = await db(3, 10);
  const e = new Engine();
  await assert.rejects(e.instantQuery(d, 'm_total + on() m_total', 60000), /found duplicate series for the match group/);
  await assert.rejects(e.instantQuery(d, 'label_replace(m_total, "i", "x", "i", ".*")', 60000), /vector cannot contain metrics with the same labelset/);
  await assert.rejects(e.rangeQuery(d, 'm_total[5m]', 0, 60000, 15000), /invalid expression type "range vector" for range query/);
  await d.close();
});
