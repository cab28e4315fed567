import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HttpServer } from '../server.js';
import { Router } from '../router.js';
import { registerMiscRoutes, extractSelectors, formatValue } from './misc.js';
import { openTSDB } from '../../tsdb/index.js';
import { labelsOf } from '../../model/labels.js';
import { matcherToString } from '../../model/matchers.js';
import { parseExpr } from '../../promql/index.js';

async function withApi(fn: (base: string) => Promise<void>) {
  const db = await openTSDB({ compactionIntervalMs: 0 });
  const app = db.appender();
  const a = labelsOf('__name__', 'req_total', 'job', 'api', 'instance', 'a');
  const b = labelsOf('__name__', 'req_total', 'job', 'api', 'instance', 'b');
  const up = labelsOf('__name__', 'up', 'job', 'api');
  for (let i = 0; i < 4; i++) {
    const t = 1_600_000_000_123 + i * 15_000;
    const ra = app.append(0, a, t, i);
    const rb = app.append(0, b, t, i * 2);
    app.append(0, up, t, 1);
    app.appendExemplar(ra, a, { labels: labelsOf('trace_id', `a${i}`), value: 1.5 + i, ts: t });
    if (i % 2) app.appendExemplar(rb, b, { labels: labelsOf('span_id', 's', 'trace_id', `b${i}`), value: 1e-7, ts: t - 1 });
  }
  await app.commit();
  const router = new Router();
  registerMiscRoutes(router, { alertmanagerUrls: () => [], exemplars: (s, e, m) => db.queryExemplars(s, e, m) });
  const s = new HttpServer({ router });
  const addr = await s.listen('127.0.0.1:0');
  try {
    await fn(`http://127.0.0.1:${addr.port}`);
  } finally {
    await s.close();
    await db.close();
  }
}

async function get(url: string): Promise<{ status: number; body: any }> {
  const r = await fetch(url);
  return { status: r.status, body: await r.json() };
}

test('extractSelectors: every vector selector, depth first, with its name matcher', () => {
  const sets = extractSelectors(parseExpr('sum by (x) (rate(a{b="c"}[5m])) / on() group_left topk(2, d) + scalar(max_over_time(e[1m:10s]))'));
  assert.deepEqual(sets.map((ms) => ms.map(matcherToString).join(',')), ['__name__="a",b="c"', '__name__="d"', '__name__="e"']);
  assert.deepEqual(extractSelectors(parseExpr('1 + 2')), []);
});

test('query_exemplars: Prometheus shape, time range, matcher sets, sorting, errors', async () => {
  await withApi(async (base) => {
    const q = (query: string, extra = '') => get(`${base}/api/v1/query_exemplars?query=${encodeURIComponent(query)}${extra}`);
    let r = await q('req_total{instance="a"}', '&start=1600000000&end=1600000016');
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, {
      status: 'success',
      data: [{
        seriesLabels: { __name__: 'req_total', instance: 'a', job: 'api' },
        exemplars: [
          { labels: { trace_id: 'a0' }, value: '1.5', timestamp: 1600000000.123 },
          { labels: { trace_id: 'a1' }, value: '2.5', timestamp: 1600000015.123 },
        ],
      }],
    });
    // All series of every selector (OR-ed), sorted by series labels; no start/end = everything.
    r = await q('rate(req_total{instance="b"}[5m]) / on(job) group_left req_total{instance="a"} > up');
    assert.deepEqual(r.body.data.map((s: any) => s.seriesLabels.instance), ['a', 'b']);
    assert.equal(r.body.data[0].exemplars.length, 4);
    assert.deepEqual(r.body.data[1].exemplars[0], { labels: { span_id: 's', trace_id: 'b1' }, value: '1e-07', timestamp: 1600000015.122 });
    // POST form, RFC3339 times.
    const p = await fetch(`${base}/api/v1/query_exemplars`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ query: 'req_total', start: '2020-09-13T12:27:25Z', end: '2020-09-13T12:27:30Z' }).toString(),
    });
    const pj = (await p.json()) as any;
    assert.deepEqual(pj.data.map((s: any) => s.exemplars.map((e: any) => e.labels.trace_id)), [['a3'], ['b3']]);
    // Nothing in range / no matching series: empty list; no selector: 204 without a body (as Prometheus).
    assert.deepEqual((await q('req_total', '&start=0&end=1')).body, { status: 'success', data: [] });
    assert.deepEqual((await q('nope')).body, { status: 'success', data: [] });
    const none = await fetch(`${base}/api/v1/query_exemplars?query=${encodeURIComponent('1 + 1')}`);
    assert.deepEqual([none.status, await none.text()], [204, '']);
    // Errors: bad_data with Prometheus's messages.
    r = await q('req_total{', '');
    assert.equal(r.status, 400);
    assert.equal(r.body.errorType, 'bad_data');
    assert.match(r.body.error, /parse error/);
    r = await get(`${base}/api/v1/query_exemplars`);
    assert.equal(r.status, 400);
    assert.match(r.body.error, /no expression found in input/);
    r = await q('up', '&start=yesterday');
    assert.deepEqual([r.status, r.body.error], [400, `invalid parameter "start": Invalid time value for 'start': cannot parse "yesterday" to a valid timestamp`]);
    r = await q('up', '&start=10&end=5');
    assert.deepEqual([r.status, r.body.error], [400, 'end timestamp must not be before start timestamp']);
  });
});

test('formatValue: Go float formatting of API values', () => {
  assert.deepEqual([1e-7, -2.5e-9, 1e21, 1.5e22, 1e-6, 0.5, 0, -0, 123456789012, NaN, Infinity, -Infinity].map(formatValue),
    ['1e-07', '-2.5e-09', '1e+21', '1.5e+22', '0.000001', '0.5', '0', '-0', '123456789012', 'NaN', '+Inf', '-Inf']);
});
