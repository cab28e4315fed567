import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { labelsOf, labelsToString } from '../../model/labels.js';
import { isStaleNaN } from '../../model/sample.js';
import { MemAppendable } from '../memappendable.js';
import { startIngestServer } from '../testutil.js';
import { decodeOtlpResponse, encodeOtlpRequest, formatFloatF, formatFloatG, labelName, metricName, newPoint, decodeOtlpProtobuf, type OtlpRequest } from './index.js';

test('metric names as Prometheus 3 (UnderscoreEscapingWithSuffixes)', () => {
  const cases: [string, string, 'counter' | 'gauge' | 'other', string][] = [
    ['system.filesystem.usage', 'By', 'gauge', 'system_filesystem_usage_bytes'],
    ['http.server.duration', 's', 'other', 'http_server_duration_seconds'],
    ['requests.count', '1', 'counter', 'requests_count_total'],
    ['system.cpu.utilization', '1', 'gauge', 'system_cpu_utilization_ratio'],
    ['network.io', 'By/s', 'gauge', 'network_io_bytes_per_second'],
    ['packets', '{packets}', 'counter', 'packets_total'],
    ['hello_you_total', '', 'counter', 'hello_you_total'],
    ['total.things', '', 'counter', 'things_total'],
    ['2xx.requests', '', 'gauge', '_2xx_requests'],
    ['foo.bar.seconds', 's', 'gauge', 'foo_bar_seconds'],
    ['speed', 'm/s', 'gauge', 'speed_meters_per_second'],
    ['rate', '1/s', 'gauge', 'rate_per_second'],
    ['temp', 'Cel', 'gauge', 'temp_celsius'],
    ['weird__name..x', 'widgets', 'gauge', 'weird_name_x_widgets'],
    ['mem', 'MiBy', 'gauge', 'mem_mebibytes'],
  ];
  for (const [n, u, t, want] of cases) assert.equal(metricName(n, u, t), want, `${n} ${u} ${t}`);
  assert.throws(() => metricName('...', '', 'gauge'), /empty or invalid/);
});

test('label names as Prometheus NormalizeLabel', () => {
  assert.equal(labelName('http.method'), 'http_method');
  assert.equal(labelName('0abc'), 'key_0abc');
  assert.equal(labelName('_abc'), 'key_abc');
  assert.equal(labelName('__abc'), '__abc');
  assert.equal(labelName('ünï'), 'key_n_');
});

test('float formatting as Go strconv', () => {
  assert.equal(formatFloatF(0.005), '0.005');
  assert.equal(formatFloatF(1e21), '1000000000000000000000');
  assert.equal(formatFloatF(1e-7), '0.0000001');
  assert.equal(formatFloatF(2.5e-8), '0.000000025');
  assert.equal(formatFloatG(1234567), '1.234567e+06');
  assert.equal(formatFloatG(123456), '123456');
  assert.equal(formatFloatG(0.5), '0.5');
  assert.equal(formatFloatG(1e-5), '1e-05');
});

const T = 1700000000000;
function pt(attrs: Record<string, string>, timeMs: number, fill: Partial<ReturnType<typeof newPoint>>) {
  return { ...newPoint(), attrs: Object.entries(attrs).map(([key, value]) => ({ key, value })), timeMs, startMs: T - 60000, ...fill };
}

function sampleRequest(): OtlpRequest {
  return {
    resources: [
      {
        attrs: [
          { key: 'service.name', value: 'checkout' },
          { key: 'service.namespace', value: 'shop' },
          { key: 'service.instance.id', value: 'pod-1' },
          { key: 'host.name', value: 'node-a' },
          { key: 'deployment.environment', value: 'prod' },
        ],
        scopes: [
          {
            name: 'io.opentelemetry.http',
            version: '1.0',
            metrics: [
              { name: 'http.server.requests', description: 'Requests served.', unit: '{request}', kind: 'sum', temporality: 2, monotonic: true, points: [pt({ 'http.method': 'GET', 'http.status_code': '200' }, T, { value: 42 })] },
              { name: 'queue.depth', description: '', unit: '', kind: 'sum', temporality: 2, monotonic: false, points: [pt({}, T, { value: 7 })] },
              { name: 'cpu.utilization', description: '', unit: '1', kind: 'gauge', temporality: 0, monotonic: false, points: [pt({ cpu: '0' }, T, { value: 0.25 }), pt({ cpu: '1' }, T, { flags: 1 })] },
              { name: 'http.server.duration', description: 'Latency.', unit: 's', kind: 'histogram', temporality: 2, monotonic: false, points: [pt({ route: '/a' }, T, { count: 10, sum: 3.5, hasSum: true, bounds: [0.1, 0.5, 1], bucketCounts: [2, 5, 2, 1] })] },
              { name: 'rpc.latency', description: '', unit: 'ms', kind: 'summary', temporality: 0, monotonic: false, points: [pt({}, T, { count: 4, sum: 100, quantiles: [{ q: 0.5, v: 20 }, { q: 0.99, v: 60 }] })] },
              { name: 'delta.counter', description: '', unit: '', kind: 'sum', temporality: 1, monotonic: true, points: [pt({}, T, { value: 1 }), pt({}, T, { value: 2 })] },
              { name: 'exp.hist', description: '', unit: '', kind: 'exponential_histogram', temporality: 2, monotonic: false, points: [pt({}, T, {})] },
            ],
          },
        ],
      },
    ],
  };
}

function check(mem: MemAppendable): void {
  const base = ['job', 'shop/checkout', 'instance', 'pod-1'];
  const v = (...nv: string[]) => {
    const s = mem.get(labelsOf(...base, ...nv));
    assert.ok(s, `missing ${labelsToString(labelsOf(...base, ...nv))}; have ${[...mem.series.values()].map((x) => labelsToString(x.labels)).join(' ')}`);
    assert.equal(s.t[0], T);
    return s.v[0]!;
  };
  assert.equal(v('__name__', 'http_server_requests_total', 'http_method', 'GET', 'http_status_code', '200'), 42);
  assert.equal(v('__name__', 'queue_depth'), 7);
  assert.equal(v('__name__', 'cpu_utilization_ratio', 'cpu', '0'), 0.25);
  assert.ok(isStaleNaN(v('__name__', 'cpu_utilization_ratio', 'cpu', '1')), 'no-recorded-value flag is a staleness marker');
  assert.equal(v('__name__', 'http_server_duration_seconds_bucket', 'route', '/a', 'le', '0.1'), 2);
  assert.equal(v('__name__', 'http_server_duration_seconds_bucket', 'route', '/a', 'le', '0.5'), 7);
  assert.equal(v('__name__', 'http_server_duration_seconds_bucket', 'route', '/a', 'le', '1'), 9);
  assert.equal(v('__name__', 'http_server_duration_seconds_bucket', 'route', '/a', 'le', '+Inf'), 10);
  assert.equal(v('__name__', 'http_server_duration_seconds_sum', 'route', '/a'), 3.5);
  assert.equal(v('__name__', 'http_server_duration_seconds_count', 'route', '/a'), 10);
  assert.equal(v('__name__', 'rpc_latency_milliseconds', 'quantile', '0.99'), 60);
  assert.equal(v('__name__', 'rpc_latency_milliseconds_count'), 4);
  assert.equal(v('__name__', 'target_info', 'host_name', 'node-a', 'deployment_environment', 'prod'), 1);
  assert.equal(mem.count(), 15, 'delta and exponential points are not stored');
  assert.deepEqual(mem.metadata.get('http_server_duration_seconds'), { type: 'histogram', help: 'Latency.', unit: 'seconds' });
  assert.equal(mem.metadata.get('http_server_requests_total')!.type, 'counter');
}

test('OTLP protobuf: conversion, resource attributes, target_info, partial success', async () => {
  const mem = new MemAppendable();
  const srv = await startIngestServer(mem);
  try {
    const body = encodeOtlpRequest(sampleRequest());
    const r = await fetch(srv.base + '/api/v1/otlp/v1/metrics', { method: 'POST', body: gzipSync(body), headers: { 'Content-Type': 'application/x-protobuf', 'Content-Encoding': 'gzip' } });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-type'), 'application/x-protobuf');
    const ps = decodeOtlpResponse(new Uint8Array(await r.arrayBuffer()))!;
    assert.equal(ps.rejectedDataPoints, 3);
    assert.match(ps.errorMessage, /invalid temporality.*delta\.counter/);
    assert.match(ps.errorMessage, /exponential histograms are not supported/);
    check(mem);
    const st = srv.routes.stats().otlp;
    assert.equal(st.samplesAccepted, 15);
    assert.equal(st.samplesRejected, 3);
  } finally {
    await srv.close();
  }
});

test('OTLP protobuf decode keeps exact nanosecond-to-ms timestamps', () => {
  const req = sampleRequest();
  const back = decodeOtlpProtobuf(encodeOtlpRequest(req));
  assert.equal(back.resources[0]!.scopes[0]!.metrics[3]!.points[0]!.timeMs, T);
  assert.deepEqual(back.resources[0]!.scopes[0]!.metrics[3]!.points[0]!.bucketCounts, [2, 5, 2, 1]);
});

function toJson(req: OtlpRequest): unknown {
  const ns = (ms: number) => String(BigInt(ms) * 1000000n);
  return {
    resourceMetrics: req.resources.map((res) => ({
      resource: { attributes: res.attrs.map((a) => ({ key: a.key, value: { stringValue: a.value } })) },
      scopeMetrics: res.scopes.map((sc) => ({
        scope: { name: sc.name, version: sc.version },
        metrics: sc.metrics.map((m) => {
          const dataPoints = m.points.map((p) => ({
            attributes: p.attrs.map((a) => ({ key: a.key, value: { stringValue: a.value } })),
            startTimeUnixNano: ns(p.startMs),
            timeUnixNano: ns(p.timeMs),
            ...(m.kind === 'gauge' || m.kind === 'sum' ? { asDouble: p.value } : {}),
            ...(m.kind === 'histogram' ? { count: String(p.count), sum: p.sum, bucketCounts: p.bucketCounts.map(String), explicitBounds: p.bounds } : {}),
            ...(m.kind === 'summary' ? { count: String(p.count), sum: p.sum, quantileValues: p.quantiles.map((q) => ({ quantile: q.q, value: q.v })) } : {}),
            ...(p.flags ? { flags: p.flags } : {}),
          }));
          const key = m.kind === 'exponential_histogram' ? 'exponentialHistogram' : m.kind;
          return { name: m.name, description: m.description, unit: m.unit, [key]: { dataPoints, aggregationTemporality: m.temporality, isMonotonic: m.monotonic } };
        }),
      })),
    })),
  };
}

test('OTLP JSON: same conversion; bad JSON is a 400; unknown media type 415', async () => {
  const mem = new MemAppendable();
  const srv = await startIngestServer(mem);
  try {
    const url = srv.base + '/api/v1/otlp/v1/metrics';
    const r = await fetch(url, { method: 'POST', body: JSON.stringify(toJson(sampleRequest())), headers: { 'Content-Type': 'application/json' } });
    assert.equal(r.status, 200);
    const j = (await r.json()) as { partialSuccess: { rejectedDataPoints: string } };
    assert.equal(j.partialSuccess.rejectedDataPoints, '3');
    check(mem);
    const bad = await fetch(url, { method: 'POST', body: '{"resourceMetrics": [', headers: { 'Content-Type': 'application/json' } });
    assert.equal(bad.status, 400);
    assert.match(await bad.text(), /invalid OTLP JSON/);
    const bad2 = await fetch(url, { method: 'POST', body: '{"resourceMetrics": 5}', headers: { 'Content-Type': 'application/json' } });
    assert.equal(bad2.status, 400);
    assert.match(await bad2.text(), /resourceMetrics: expected an array/);
    const bad3 = await fetch(url, { method: 'POST', body: 'x', headers: { 'Content-Type': 'text/plain' } });
    assert.equal(bad3.status, 415);
    // resending the same points: out-of-order/duplicate handling reports nothing lost silently
    const again = await fetch(url, { method: 'POST', body: JSON.stringify(toJson(sampleRequest())), headers: { 'Content-Type': 'application/json' } });
    assert.equal(again.status, 200);
  } finally {
    await srv.close();
  }
});

test('otlp config: promote_resource_attributes and keep_identifying_resource_attributes', async () => {
  const { CfgNode } = await import('../../config/node.js');
  const { parseOtlpConfig, convertOtlp } = await import('./index.js');
  const { BatchAppend } = await import('../batch.js');
  const opts = parseOtlpConfig(CfgNode.parse('otlp:\n  promote_resource_attributes: [host.name]\n  keep_identifying_resource_attributes: true\n', 'p.yml').get('otlp'));
  assert.deepEqual(opts.promoteResourceAttributes, ['host.name']);
  assert.throws(() => parseOtlpConfig(CfgNode.parse('otlp:\n  translation_strategy: NoTranslation\n', 'p.yml').get('otlp')), /p\.yml:2: otlp\.translation_strategy: translation strategy "NoTranslation" is not supported/);
  assert.throws(() => parseOtlpConfig(CfgNode.parse('otlp:\n  promote_resource_attributes: [a, a]\n', 'p.yml').get('otlp')), /duplicated promoted/);
  const mem = new MemAppendable();
  const app = mem.appender();
  convertOtlp(sampleRequest(), new BatchAppend(app), 10, opts);
  await app.commit();
  const base = ['job', 'shop/checkout', 'instance', 'pod-1', 'host_name', 'node-a'];
  assert.equal(mem.get(labelsOf(...base, '__name__', 'queue_depth'))!.v[0], 7);
  assert.ok(mem.get(labelsOf(...base, '__name__', 'target_info', 'deployment_environment', 'prod', 'service_name', 'checkout', 'service_namespace', 'shop', 'service_instance_id', 'pod-1')));
});
