// OTLP exponential histograms become native histograms (protobuf and JSON), as in Prometheus 3.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openTSDB } from '../../tsdb/index.js';
import { Engine } from '../../promql/index.js';
import type { FloatHistogram } from '../../model/histogram.js';
import { startIngestServer } from '../testutil.js';
import { encodeOtlpRequest, newPoint, type OtlpRequest } from './index.js';

const T = 1700000000000;

function request(scale: number): OtlpRequest {
  const p = {
    ...newPoint(), attrs: [{ key: 'route', value: '/a' }], timeMs: T, startMs: T - 60000, count: 10, sum: 12.5, hasSum: true,
    exp: { scale, zeroCount: 1, zeroThreshold: 0, posOffset: -1, pos: [1, 2, 3, 0, 1], negOffset: 0, neg: [2] },
  };
  return {
    resources: [{
      attrs: [{ key: 'service.name', value: 'checkout' }],
      scopes: [{ name: 's', version: '1', metrics: [{ name: 'http.server.duration', description: 'Latency.', unit: 's', kind: 'exponential_histogram', temporality: 2, monotonic: false, points: [p] }] }],
    }],
  };
}

async function stored(base: string, body: string | Buffer, type: string, db: Awaited<ReturnType<typeof openTSDB>>): Promise<FloatHistogram> {
  const r = await fetch(base + '/api/v1/otlp/v1/metrics', { method: 'POST', body, headers: { 'Content-Type': type } });
  assert.equal(r.status, 200, await r.text());
  const res = await new Engine().instantQuery(db, 'http_server_duration_seconds', T);
  const s = (res.value as unknown as { samples: { labels: { name: string; value: string }[]; h?: FloatHistogram }[] }).samples;
  assert.equal(s.length, 1);
  return s[0]!.h!;
}

test('OTLP exponential histogram (protobuf) -> native histogram; scale > 8 merged to schema 8', async () => {
  const db = await openTSDB({ compactionIntervalMs: 0 });
  const srv = await startIngestServer(db);
  try {
    const h = await stored(srv.base, Buffer.from(encodeOtlpRequest(request(2))), 'application/x-protobuf', db);
    assert.equal(h.schema, 2);
    assert.equal(h.count, 10);
    assert.equal(h.sum, 12.5);
    assert.equal(h.zeroCount, 1);
    // OTLP index i is native index i+1.
    assert.deepEqual(h.pIdx, [0, 1, 2, 3, 4]);
    assert.deepEqual(h.pCnt, [1, 2, 3, 0, 1]);
    assert.deepEqual(h.nIdx, [1]);
    assert.equal(db.metadata.get('http_server_duration_seconds')!.type, 'histogram');
  } finally {
    await srv.close();
    await db.close();
  }
  const db2 = await openTSDB({ compactionIntervalMs: 0 });
  const srv2 = await startIngestServer(db2);
  try {
    const h = await stored(srv2.base, Buffer.from(encodeOtlpRequest(request(9))), 'application/x-protobuf', db2);
    assert.equal(h.schema, 8);
    // Offsets -1..3 at scale 9 -> ((i >> 1) + 1): -1->0, 0->1, 1->1, 2->2, 3->2.
    assert.deepEqual(h.pIdx, [0, 1, 2]);
    assert.deepEqual(h.pCnt, [1, 5, 1]);
  } finally {
    await srv2.close();
    await db2.close();
  }
});

test('OTLP exponential histogram (JSON) and scale below -4 rejected', async () => {
  const db = await openTSDB({ compactionIntervalMs: 0 });
  const srv = await startIngestServer(db);
  try {
    const json = JSON.stringify({ resourceMetrics: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'checkout' } }] }, scopeMetrics: [{ metrics: [{ name: 'http.server.duration', unit: 's', exponentialHistogram: { aggregationTemporality: 2, dataPoints: [{ timeUnixNano: String(T * 1e6), count: '4', sum: 3, scale: 0, zeroCount: '1', positive: { offset: 0, bucketCounts: ['2', '1'] } }] } }] }] }] });
    const h = await stored(srv.base, json, 'application/json', db);
    assert.deepEqual([h.schema, h.count, h.zeroCount], [0, 4, 1]);
    assert.deepEqual(h.pIdx, [1, 2]);
    const bad = await fetch(srv.base + '/api/v1/otlp/v1/metrics', { method: 'POST', body: Buffer.from(encodeOtlpRequest(request(-5))), headers: { 'Content-Type': 'application/x-protobuf' } });
    assert.equal(bad.status, 200); // partial success
    const txt = Buffer.from(await bad.arrayBuffer()).toString('latin1');
    assert.match(txt, /Scale must be >= -4, was -5/);
  } finally {
    await srv.close();
    await db.close();
  }
});
