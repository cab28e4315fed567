// The requests Grafana's Prometheus data source sends, answered with the shapes it parses:
// buildinfo (feature detection), labels/series/label values with match[] and time bounds,
// metadata, query_range with step-aligned start/end, instant queries, exemplars.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { generateDataset, toOpenMetrics } from './differential/dataset.js';
import { startVigil, freePort, vigilBin } from './helpers/vigil-process.js';

interface Api<T = unknown> { status: string; data: T; errorType?: string; error?: string }

test('Grafana data source requests', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-grafana-'));
  const ds = generateDataset({ hours: 1 });
  writeFileSync(join(dir, 'data.om'), toOpenMetrics(ds));
  execFileSync(process.execPath, [vigilBin(), 'import', 'openmetrics', join(dir, 'data.om'), join(dir, 'data')], { stdio: 'pipe' });
  writeFileSync(join(dir, 'vigil.yml'), 'global: {}\n');
  const port = await freePort();
  const v = await startVigil(['--config.file', join(dir, 'vigil.yml'), '--storage.tsdb.path', join(dir, 'data'), '--web.listen-address', `127.0.0.1:${port}`, '--storage.tsdb.retention.time', '100y']);
  const headers = { 'X-Grafana-Org-Id': '1', 'User-Agent': 'Grafana/11.0.0', 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json, text/plain, */*' };
  const get = async <T>(path: string) => (await (await fetch(v.url + path, { headers })).json()) as Api<T>;
  const post = async <T>(path: string, body: Record<string, string>) =>
    (await (await fetch(v.url + path, { method: 'POST', headers, body: new URLSearchParams(body).toString() })).json()) as Api<T>;
  const start = ds.startMs / 1000, end = ds.endMs / 1000;
  try {
    const bi = await get<{ version: string }>('/api/v1/status/buildinfo');
    assert.equal(bi.status, 'success');
    assert.match(bi.data.version, /^\d+\.\d+\.\d+/);

    // Metric browser: label names and __name__ values within the dashboard's time range.
    const labels = await get<string[]>(`/api/v1/labels?start=${start}&end=${end}`);
    assert.deepEqual(labels.data, [...labels.data].sort());
    for (const l of ['__name__', 'instance', 'job', 'le', 'method', 'status']) assert.ok(labels.data.includes(l), l);
    const names = await get<string[]>(`/api/v1/label/__name__/values?start=${start}&end=${end}`);
    assert.ok(names.data.includes('http_requests_total') && names.data.includes('node_load1'));
    // Template variable: label_values(node_load1, instance)
    const inst = await get<string[]>(`/api/v1/label/instance/values?match[]=${encodeURIComponent('node_load1')}&start=${start}&end=${end}`);
    assert.deepEqual(inst.data, ['10.0.0.1:9100', '10.0.0.2:9100', '10.0.0.3:9100']);
    // Outside the data's time range there is nothing.
    const none = await get<string[]>(`/api/v1/label/instance/values?match[]=node_load1&start=${end + 86400}&end=${end + 2 * 86400}`);
    assert.deepEqual(none.data, []);
    const series = await post<Record<string, string>[]>('/api/v1/series', { 'match[]': 'http_requests_total{method="GET",status="200"}', start: String(start), end: String(end) });
    assert.equal(series.data.length, 3);
    assert.deepEqual(Object.keys(series.data[0]!).sort(), ['__name__', 'instance', 'job', 'method', 'status']);
    const limited = await get<string[]>(`/api/v1/label/__name__/values?limit=2&start=${start}&end=${end}`);
    assert.equal(limited.data.length, 2);

    const meta = await get<Record<string, unknown[]>>('/api/v1/metadata');
    assert.equal(meta.status, 'success');
    assert.equal(typeof meta.data, 'object');

    // Panel query: Grafana aligns start/end to the step and sends the step in seconds.
    const step = 60;
    const qs = Math.floor((start + 600) / step) * step, qe = Math.floor(end / step) * step;
    const qr = await post<{ resultType: string; result: { metric: Record<string, string>; values: [number, string][] }[] }>('/api/v1/query_range', {
      query: 'sum by (instance) (rate(http_requests_total[5m]))', start: String(qs), end: String(qe), step: String(step),
    });
    assert.equal(qr.data.resultType, 'matrix');
    assert.equal(qr.data.result.length, 3);
    for (const s of qr.data.result) {
      assert.deepEqual(Object.keys(s.metric), ['instance']);
      assert.equal(s.values[0]![0], qs);
      assert.equal(s.values.at(-1)![0], qe);
      for (const [t, val] of s.values) {
        assert.equal((t - qs) % step, 0);
        assert.equal(typeof val, 'string');
        assert.ok(Number(val) > 0);
      }
    }
    // Instant query (table panels / stat), with Grafana's time in float seconds.
    const iq = await post<{ resultType: string; result: { value: [number, string] }[] }>('/api/v1/query', { query: 'count(node_load1)', time: String(end - 0.5) });
    assert.deepEqual(iq.data.result[0]!.value, [end - 0.5, '3']);
    // Errors come back in Prometheus's envelope with the right status.
    const bad = await fetch(v.url + '/api/v1/query_range', { method: 'POST', headers, body: 'query=sum(&start=1&end=2&step=1' });
    assert.equal(bad.status, 400);
    const badJ = (await bad.json()) as Api;
    assert.equal(badJ.errorType, 'bad_data');
    assert.match(badJ.error!, /parse error/);
    const ex = await post<unknown[]>('/api/v1/query_exemplars', { query: 'http_requests_total', start: String(start), end: String(end) });
    assert.deepEqual(ex, { status: 'success', data: [] });
    const rules = await get<{ groups: unknown[] }>('/api/v1/rules');
    assert.deepEqual(rules.data.groups, []);
  } finally {
    await v.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
