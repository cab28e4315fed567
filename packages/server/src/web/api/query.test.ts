import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HttpServer } from '../server.js';
import { Router } from '../router.js';
import { registerQueryRoutes, parseTime, parseApiDuration } from './query.js';
import { Engine } from '../../promql/index.js';
import { openTSDB } from '../../tsdb/index.js';
import { labelsOf } from '../../model/labels.js';

async function withApi(fn: (base: string) => Promise<void>, engineOpts = {}) {
  const db = await openTSDB({ compactionIntervalMs: 0 });
  const app = db.appender();
  for (let i = 0; i <= 60; i++) {
    app.append(0, labelsOf('__name__', 'http_requests_total', 'job', 'api', 'instance', 'a'), i * 15000, i * 10);
    app.append(0, labelsOf('__name__', 'http_requests_total', 'job', 'api', 'instance', 'b'), i * 15000, i * 20);
    app.append(0, labelsOf('__name__', 'up', 'job', 'api'), i * 15000, 1);
  }
  await app.commit();
  const router = new Router();
  registerQueryRoutes(router, { engine: new Engine(engineOpts), queryable: db, now: () => 900_000 });
  const s = new HttpServer({ router });
  const a = await s.listen('127.0.0.1:0');
  try {
    await fn(`http://127.0.0.1:${a.port}`);
  } finally {
    await s.close();
    await db.close();
  }
}

async function get(url: string): Promise<{ status: number; body: any }> {
  const r = await fetch(url);
  return { status: r.status, body: await r.json() };
}

test('time and duration parameters', () => {
  assert.equal(parseTime('1435781451.781', 'time'), 1435781451781);
  assert.equal(parseTime('2015-07-01T20:10:51.781Z', 'time'), 1435781451781);
  assert.throws(() => parseTime('yesterday', 'time'), /invalid parameter "time": cannot parse "yesterday" to a valid timestamp/);
  assert.equal(parseApiDuration('15s', 'step'), 15000);
  assert.equal(parseApiDuration('1.5', 'step'), 1500);
  assert.throws(() => parseApiDuration('x', 'step'), /cannot parse "x" to a valid duration/);
});

test('instant query: vector, scalar, string, matrix shapes', async () => {
  await withApi(async (base) => {
    let r = await get(`${base}/api/v1/query?query=${encodeURIComponent('sum by (job) (rate(http_requests_total[1m]))')}&time=900`);
    assert.equal(r.status, 200);
    assert.equal(r.body.status, 'success');
    assert.equal(r.body.data.resultType, 'vector');
    assert.deepEqual(r.body.data.result, [{ metric: { job: 'api' }, value: [900, '2'] }]);
    r = await get(`${base}/api/v1/query?query=1%2F0&time=10.5`);
    assert.deepEqual(r.body.data, { resultType: 'scalar', result: [10.5, '+Inf'] });
    r = await get(`${base}/api/v1/query?query=%22hi%22&time=1`);
    assert.deepEqual(r.body.data, { resultType: 'string', result: [1, 'hi'] });
    r = await get(`${base}/api/v1/query?query=${encodeURIComponent('up[30s]')}&time=900`);
    assert.equal(r.body.data.resultType, 'matrix');
    assert.deepEqual(r.body.data.result[0].values, [[885, '1'], [900, '1']]);
    // Default time comes from the clock.
    r = await get(`${base}/api/v1/query?query=up`);
    assert.deepEqual(r.body.data.result[0].value, [900, '1']);
  });
});

test('POST form, range query, step alignment and infos', async () => {
  await withApi(async (base) => {
    const res = await fetch(`${base}/api/v1/query_range`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ query: 'rate(up[1m])', start: '600', end: '660', step: '30s' }).toString(),
    });
    const body: any = await res.json();
    assert.equal(res.status, 200);
    assert.equal(body.data.resultType, 'matrix');
    assert.deepEqual(body.data.result, [{ metric: { job: 'api' }, values: [[600, '0'], [630, '0'], [660, '0']] }]);
    assert.deepEqual(body.infos, ['PromQL info: metric might not be a counter, name does not end in _total/_sum/_count/_bucket: "up" (1:6)']);
    const sc = await get(`${base}/api/v1/query_range?query=time()&start=0&end=2&step=1`);
    assert.deepEqual(sc.body.data, { resultType: 'matrix', result: [{ metric: {}, values: [[0, '0'], [1, '1'], [2, '2']] }] });
  });
});

test('errors: bad_data 400, execution 422, resolution limit', async () => {
  await withApi(async (base) => {
    let r = await get(`${base}/api/v1/query?query=${encodeURIComponent('sum(')}`);
    assert.equal(r.status, 400);
    assert.equal(r.body.errorType, 'bad_data');
    assert.match(r.body.error, /^invalid parameter "query": 1:5: parse error: /);
    r = await get(`${base}/api/v1/query_range?query=up&start=10&end=0&step=1`);
    assert.equal(r.status, 400);
    assert.equal(r.body.error, 'invalid parameter "end": end timestamp must not be before start time');
    r = await get(`${base}/api/v1/query_range?query=up&start=0&end=100000&step=1`);
    assert.equal(r.status, 400);
    assert.match(r.body.error, /exceeded maximum resolution of 11,000 points per timeseries/);
    r = await get(`${base}/api/v1/query_range?query=up&start=0&end=10&step=0`);
    assert.equal(r.status, 400);
    r = await get(`${base}/api/v1/query?query=${encodeURIComponent('http_requests_total + on() up')}&time=900`);
    assert.equal(r.status, 422);
    assert.equal(r.body.errorType, 'execution');
    assert.match(r.body.error, /found duplicate series|multiple matches/);
    r = await get(`${base}/api/v1/query_range?query=${encodeURIComponent('up[5m]')}&start=0&end=10&step=1`);
    assert.equal(r.status, 400);
    assert.match(r.body.error, /invalid expression type "range vector" for range query/);
  });
});

test('max samples limit fails cleanly and the server keeps serving', async () => {
  await withApi(async (base) => {
    let r = await get(`${base}/api/v1/query_range?query=http_requests_total&start=0&end=900&step=1`);
    assert.equal(r.status, 422);
    assert.equal(r.body.error, 'query processing would load too many samples into memory in query execution');
    r = await get(`${base}/api/v1/query?query=up&time=900`);
    assert.equal(r.status, 200);
  }, { maxSamples: 100 });
});

test('series, labels, label values with match[] and limit', async () => {
  await withApi(async (base) => {
    let r = await get(`${base}/api/v1/series?match[]=http_requests_total&start=0&end=900`);
    assert.deepEqual(r.body.data, [
      { __name__: 'http_requests_total', instance: 'a', job: 'api' },
      { __name__: 'http_requests_total', instance: 'b', job: 'api' },
    ]);
    r = await get(`${base}/api/v1/series`);
    assert.equal(r.status, 400);
    assert.equal(r.body.error, 'no match[] parameter provided');
    r = await get(`${base}/api/v1/labels`);
    assert.deepEqual(r.body.data, ['__name__', 'instance', 'job']);
    r = await get(`${base}/api/v1/labels?match[]=up`);
    assert.deepEqual(r.body.data, ['__name__', 'job']);
    r = await get(`${base}/api/v1/label/__name__/values`);
    assert.deepEqual(r.body.data, ['http_requests_total', 'up']);
    r = await get(`${base}/api/v1/label/instance/values?match[]=${encodeURIComponent('{job="api"}')}&limit=1`);
    assert.deepEqual(r.body.data, ['a']);
    assert.deepEqual(r.body.warnings, ['results truncated due to limit']);
    r = await get(`${base}/api/v1/series?match[]=${encodeURIComponent('up[5m]')}`);
    assert.equal(r.status, 400);
  });
});

test('format_query and parse_query', async () => {
  await withApi(async (base) => {
    let r = await get(`${base}/api/v1/format_query?query=${encodeURIComponent('sum(rate(foo{a="b",c=~"x"}[5m])) by (job)')}`);
    assert.deepEqual(r.body, { status: 'success', data: 'sum by (job) (rate(foo{a="b",c=~"x"}[5m]))' });
    r = await get(`${base}/api/v1/parse_query?query=${encodeURIComponent('up offset 5m')}`);
    assert.equal(r.body.data.type, 'vectorSelector');
    assert.equal(r.body.data.offset, 300000);
    assert.deepEqual(r.body.data.matchers, [{ type: '=', name: '__name__', value: 'up' }]);
    r = await get(`${base}/api/v1/format_query?query=${encodeURIComponent('foo{')}`);
    assert.equal(r.status, 400);
  });
});

test('sample values are formatted as Prometheus does (exponent below 1e-6 and from 1e21)', async () => {
  const { valueToJSON } = await import('./query.js');
  const j = valueToJSON({ type: 'vector', samples: [1e-7, 1e22, 0.000001, 123456789012345678, -5e-7].map((v, i) => ({ labels: [{ name: 'i', value: String(i) }], t: 100000, v })) } as never) as { result: { value: [number, string] }[] };
  assert.deepEqual(j.result.map((r) => r.value[1]), ['1e-07', '1e+22', '0.000001', '123456789012345680', '-5e-07']);
});
